package graph

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/meshlint/meshlint/internal/loader"
)

// TestBoundsMatchKubernetes holds the bounds to the API server's own.
func TestBoundsMatchKubernetes(t *testing.T) {
	for _, c := range []struct {
		name      string
		ours, k8s int
	}{
		{"subdomain", maxSubdomain, validation.DNS1123SubdomainMaxLength},
		{"DNS label", maxDNSLabel, validation.DNS1123LabelMaxLength},
		{"label value", maxLabelValue, validation.LabelValueMaxLength},
		{"annotations", maxAnnotationBytes, apivalidation.TotalAnnotationSizeLimitB},
	} {
		if c.ours != c.k8s {
			t.Errorf("%s: %d, Kubernetes %d", c.name, c.ours, c.k8s)
		}
	}
	if errs := validation.IsValidPortName(strings.Repeat("a", maxPortName)); len(errs) != 0 {
		t.Errorf("a port name of %d letters: %v", maxPortName, errs)
	}
	if errs := validation.IsValidPortName(strings.Repeat("a", maxPortName+1)); len(errs) == 0 {
		t.Errorf("a port name of %d letters is valid to Kubernetes", maxPortName+1)
	}
	key := strings.Repeat("a", 63) + "." + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 61) + "/" + strings.Repeat("e", maxLabelKeyName)
	if errs := validation.IsQualifiedName(key); len(errs) != 0 || len(key) != maxSubdomain+1+maxLabelKeyName {
		t.Errorf("the longest label key (%d bytes): %v", len(key), errs)
	}
	if errs := validation.IsQualifiedName(key + "e"); len(errs) == 0 {
		t.Errorf("a label key with a %d-byte name is valid to Kubernetes", maxLabelKeyName+1)
	}
}

// boundCase is an object with one field, at line, filled with a string of
// n bytes (fill makes it).
type boundCase struct {
	name    string
	text    string // "@" stands for the field's value
	line    int
	max     int
	fill    func(n int) string
	pointer string
}

func letters(n int) string { return strings.Repeat("a", n) }

const deployBound = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: NAME
  namespace: NS
  labels:
    KEY: VALUE
spec:
  template:
    metadata:
      labels: {app: a}
      annotations:
        AKEY: AVALUE
    spec:
      containers:
      - name: CNAME
        ports:
        - name: PNAME
          containerPort: 80
`

const serviceBound = `apiVersion: v1
kind: Service
metadata:
  name: SNAME
  namespace: shop
spec:
  selector:
    app: SEL
  ports:
  - name: PNAME
    port: 80
    targetPort: TPORT
`

const monitorBound = `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: sm
  namespace: shop
spec:
  selector:
    matchLabels: {app: SEL}
    matchExpressions:
    - key: EKEY
      operator: In
      values: [EVAL]
  namespaceSelector:
    matchNames: [MNS]
  endpoints:
  - port: EPORT
    targetPort: ETPORT
`

const peerAuthBound = `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata:
  name: pa
  namespace: shop
spec:
  selector:
    matchLabels: {app: SEL}
  portLevelMtls:
    PORT:
      mode: PERMISSIVE
`

// with fills the placeholders of a template: field gets "@", the others a
// short valid value.
func with(tmpl, field string) string {
	defaults := map[string]string{"NAME": "d", "NS": "shop", "KEY": "k", "VALUE": "v", "AKEY": "a", "AVALUE": "x",
		"CNAME": "c", "PNAME": "http", "SNAME": "s", "SEL": "a", "TPORT": "http", "EKEY": "k", "EVAL": "v",
		"MNS": "shop", "EPORT": "http", "ETPORT": "http", "PORT": "8080"}
	var pairs []string
	for k, v := range defaults {
		if k == field {
			v = "@"
		}
		pairs = append(pairs, k, v)
	}
	return replaceWords(tmpl, pairs)
}

// replaceWords replaces whole upper-case words only, so NAME does not hit
// CNAME or PNAME.
func replaceWords(s string, pairs []string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = pairs[i+1]
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] >= 'A' && s[j] <= 'Z' {
			j++
		}
		if j > i {
			if v, ok := m[s[i:j]]; ok && (i == 0 || !isWordByte(s[i-1])) && (j == len(s) || !isWordByte(s[j])) {
				b.WriteString(v)
			} else {
				b.WriteString(s[i:j])
			}
			i = j
			continue
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

func boundCases() []boundCase {
	labelKey := func(prefix, name int) func(int) string {
		return func(n int) string {
			if prefix < 0 {
				return strings.Repeat("p", maxSubdomain) + "/" + letters(n)
			}
			return letters(n) + "/" + letters(name)
		}
	}
	return []boundCase{
		{"Deployment name", with(deployBound, "NAME"), 4, 253, letters, "/metadata/name"},
		{"namespace", with(deployBound, "NS"), 5, 63, letters, "/metadata/namespace"},
		{"label key prefix", with(deployBound, "KEY"), 7, 253, labelKey(0, 10), "/metadata/labels/"},
		{"label key name", with(deployBound, "KEY"), 7, 63, labelKey(-1, 0), "/metadata/labels/"},
		{"label key without prefix", with(deployBound, "KEY"), 7, 63, letters, "/metadata/labels/"},
		{"label value", with(deployBound, "VALUE"), 7, 63, letters, "/metadata/labels/k"},
		{"annotation key name", with(deployBound, "AKEY"), 13, 63, letters, "/spec/template/metadata/annotations/"},
		{"annotations total", with(deployBound, "AVALUE"), 12, 256<<10 - 1, letters, "/spec/template/metadata/annotations"},
		{"container name", with(deployBound, "CNAME"), 16, 63, letters, "/spec/template/spec/containers/0/name"},
		{"container port name", with(deployBound, "PNAME"), 18, 15, letters, "/spec/template/spec/containers/0/ports/0/name"},
		{"Service name", with(serviceBound, "SNAME"), 4, 63, letters, "/metadata/name"},
		{"Service selector value", with(serviceBound, "SEL"), 8, 63, letters, "/spec/selector/app"},
		{"Service port name", with(serviceBound, "PNAME"), 10, 63, letters, "/spec/ports/0/name"},
		{"Service targetPort name", with(serviceBound, "TPORT"), 12, 15, letters, "/spec/ports/0/targetPort"},
		{"monitor matchLabels value", with(monitorBound, "SEL"), 8, 63, letters, "/spec/selector/matchLabels/app"},
		{"monitor matchExpressions key", with(monitorBound, "EKEY"), 10, 63, letters, "/spec/selector/matchExpressions/0/key"},
		{"monitor matchExpressions value", with(monitorBound, "EVAL"), 12, 63, letters, "/spec/selector/matchExpressions/0/values/0"},
		{"monitor matchNames", with(monitorBound, "MNS"), 14, 63, letters, "/spec/namespaceSelector/matchNames/0"},
		{"endpoint port", with(monitorBound, "EPORT"), 16, 63, letters, "/spec/endpoints/0/port"},
		{"endpoint targetPort", with(monitorBound, "ETPORT"), 17, 63, letters, "/spec/endpoints/0/targetPort"},
		{"PeerAuthentication matchLabels value", with(peerAuthBound, "SEL"), 8, 63, letters, "/spec/selector/matchLabels/app"},
		{"portLevelMtls key", with(peerAuthBound, "PORT"), 10, 65535, func(n int) string { return fmt.Sprint(n) }, "/spec/portLevelMtls/"},
	}
}

// TestKubernetesBounds: each field at its bound is read; one byte (or one
// port) over, the object is an invalid-manifest at the field's line and is
// left out of the model.
func TestKubernetesBounds(t *testing.T) {
	for _, c := range boundCases() {
		t.Run(c.name, func(t *testing.T) {
			n := c.max
			if c.name == "annotations total" {
				n = 256<<10 - len("a") // the key "a" counts too
			}
			if g, problems := buildBounded(t, strings.Replace(c.text, "@", c.fill(n), 1)); len(problems) > 0 || entities(g) != 1 {
				t.Fatalf("at the bound: problems %v, %d entities", problems, entities(g))
			}
			g, problems := buildBounded(t, strings.Replace(c.text, "@", c.fill(n+1), 1))
			if len(problems) != 1 || entities(g) != 0 {
				t.Fatalf("over the bound: problems %v, %d entities; want one problem and the object left out", problems, entities(g))
			}
			p := g.Problems[0]
			r, _ := g.Resources[p.Resource].Doc.Position(p.Pointer)
			if r.Line != c.line || !strings.HasPrefix(p.Pointer, c.pointer) {
				t.Errorf("over the bound: problem at %s (line %d), want %s... at line %d: %s", p.Pointer, r.Line, c.pointer, c.line, p.Message)
			}
			if c.name != "portLevelMtls key" && !strings.Contains(p.Message, fmt.Sprintf("Kubernetes allows at most %d", c.max)) && !strings.Contains(p.Message, "262144") {
				t.Errorf("message does not name the bound: %s", p.Message)
			}
		})
	}
}

// buildBounded loads one file and builds the graph, returning its problems.
func buildBounded(t *testing.T, text string) (*Graph, []string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "in.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := loader.Load([]string{dir}, loader.Options{Kinds: ReadsKind, WorkDir: dir})
	if err != nil || len(res.Problems) > 0 {
		t.Fatalf("load: %v %+v", err, res.Problems)
	}
	g := Build(res.Documents, DefaultSettings())
	var out []string
	for _, p := range g.Problems {
		out = append(out, p.Pointer+": "+p.Message)
	}
	return g, out
}

func entities(g *Graph) int {
	return len(g.Workloads) + len(g.Services) + len(g.Monitors) + len(g.PeerAuths)
}

// TestStringMapNamesTheFirstBadKey: of several values that are not strings,
// the report names the first key in sorted order, every time (map order
// would change the finding from run to run).
func TestStringMapNamesTheFirstBadKey(t *testing.T) {
	m := map[string]any{"d": []any{int64(2)}, "b": []any{int64(1)}, "a": "ok", "c": map[string]any{"y": int64(2)},
		"e": map[string]any{"x": int64(1)}, "f": []any{}, "g": map[string]any{}, "h": []any{"z"}}
	for i := 0; i < 100; i++ {
		_, err := stringMap(m, "/metadata/labels")
		if err == nil || err.Pointer != "/metadata/labels/b" || !strings.Contains(err.Message, `"b"`) {
			t.Fatalf("run %d: %+v, want the key b", i, err)
		}
	}
}
