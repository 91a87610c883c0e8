package fix

import (
	"bytes"
	"errors"
	"io"
	"sort"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzForFile: any text and pointer give fixes without a panic, and a
// default fix applied to text that parsed leaves text that still parses.
func FuzzForFile(f *testing.F) {
	f.Add("kind: ServiceMonitor\nspec:\n  endpoints:\n    - port: m\n", 0, "/spec/endpoints/0")
	f.Add("kind: Prometheus\nspec:\n  volumes:\n  - name: v\n    emptyDir: {}\n", 4, "/spec/volumes/0/emptyDir")
	f.Add("kind: Deployment\nmetadata:\n  annotations:\n    sidecar.istio.io/inject: 'true'\nspec: {}\n", 5, "/metadata/annotations/sidecar.istio.io~1inject")
	f.Add("kind: PeerAuthentication\nspec:\n  portLevelMtls: {8080: {mode: PERMISSIVE}}\n", 3, "/spec/portLevelMtls/8080")
	f.Add("kind: Prometheus\r\nspec:\r\n  podMetadata:\r\n    annotations: # c\r\n", 6, "/spec/podMetadata/annotations")
	rules := make([]string, 0, len(fixers))
	for r := range fixers {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	f.Fuzz(func(t *testing.T, text string, rule int, pointer string) {
		if rule < 0 {
			rule = -rule
		}
		tg := Target{Rule: rules[rule%len(rules)], Pointer: pointer, DocStart: 1,
			Hint: Hint{Prometheuses: []Prom{{Name: "m/p", CertDir: "/etc/prom-certs/"}}, ContainerPorts: []int{9090},
				PodMetadataPointer: "/spec/template/metadata", CertDirs: []string{"/etc/istio-certs"}}}
		for _, fx := range ForFile(Parse("f.yaml", []byte(text)), []Target{tg})[0] {
			if !fx.Default || !parses(text) {
				continue
			}
			out, err := Apply([]byte(text), fx.Edits)
			if err != nil {
				t.Fatalf("%s: %v", tg.Rule, err)
			}
			if !parses(string(out)) {
				t.Fatalf("%s %s: the fixed text does not parse:\n%q\n->\n%q", tg.Rule, pointer, text, out)
			}
		}
	})
}

func parses(text string) bool {
	dec := yaml.NewDecoder(bytes.NewReader([]byte(text)))
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return true
		}
		if err != nil {
			return false
		}
	}
}
