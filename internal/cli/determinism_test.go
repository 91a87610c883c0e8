package cli

import (
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"
)

// determinismDocs are YAML documents that, together, make many rules speak
// and resolve across documents: namespaces with and without injection,
// namespace-wide, workload and port-level policies (two of them at one
// level, which is ambiguous), monitors scraping over http and https, a
// Prometheus, and broken objects.
func determinismDocs() []string {
	var docs []string
	for i, mode := range []string{"STRICT", "PERMISSIVE", "STRICT", "DISABLE", "STRICT", "STRICT"} {
		ns := fmt.Sprintf("team%d", i)
		docs = append(docs,
			fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n  labels: {istio-injection: enabled}\n", ns),
			fmt.Sprintf("apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: default, namespace: %s}\nspec:\n  mtls: {mode: %s}\n", ns, mode),
			fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: %s}\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    metadata:\n      labels: {app: api, tier: web}\n    spec:\n      containers:\n        - name: api\n          ports:\n            - {name: http, containerPort: 8080}\n            - {name: metrics, containerPort: 9090}\n", ns),
			fmt.Sprintf("apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: %s, labels: {app: api}}\nspec:\n  selector: {app: api}\n  ports:\n    - {name: http, port: 80, targetPort: http}\n    - {name: metrics, port: 9090, targetPort: metrics}\n", ns),
			fmt.Sprintf("apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: api, namespace: %s}\nspec:\n  selector: {matchLabels: {app: api}}\n  endpoints:\n    - port: metrics\n    - port: http\n      scheme: https\n      tlsConfig: {insecureSkipVerify: true}\n", ns),
			fmt.Sprintf("apiVersion: monitoring.coreos.com/v1\nkind: PodMonitor\nmetadata: {name: pods, namespace: %s}\nspec:\n  selector: {matchLabels: {tier: web}}\n  podMetricsEndpoints:\n    - port: metrics\n", ns),
		)
	}
	docs = append(docs,
		// A second namespace-wide policy in team0: ambiguous.
		"apiVersion: security.istio.io/v1beta1\nkind: PeerAuthentication\nmetadata: {name: also-default, namespace: team0}\nspec:\n  mtls: {mode: PERMISSIVE}\n",
		// Workload and port-level policies in team1.
		"apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: api-metrics, namespace: team1}\nspec:\n  selector: {matchLabels: {app: api}}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    9090: {mode: PERMISSIVE}\n    \"8080\": {mode: STRICT}\n",
		"apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: root, namespace: istio-system}\nspec:\n  mtls: {mode: STRICT}\n  portLevelMtls: {15020: {mode: PERMISSIVE}}\n",
		"apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: k8s, namespace: monitoring}\nspec:\n  serviceMonitorSelector: {}\n  serviceMonitorNamespaceSelector: {}\n  podMonitorSelector: {}\n  podMonitorNamespaceSelector: {}\n",
		// An https scrape with Istio's certificates that the Prometheus
		// does not mount.
		"apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: api-tls, namespace: team4}\nspec:\n  selector: {matchLabels: {app: api}}\n  endpoints:\n    - port: metrics\n      scheme: https\n      tlsConfig:\n        caFile: /etc/prom-certs/root-cert.pem\n        certFile: /etc/prom-certs/cert-chain.pem\n        keyFile: /etc/prom-certs/key.pem\n        insecureSkipVerify: true\n",
		// A suppressed finding, and a suppression without a reason.
		"apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: accepted\n  namespace: team5\n  annotations: {ignore.meshlint.io/plaintext-scrape-of-strict-port: \"scraped through merged metrics\"}\nspec:\n  selector: {matchLabels: {app: api}}\n  endpoints: [{port: metrics}]\n",
		"apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: unexplained\n  namespace: team5\n  annotations: {ignore.meshlint.io/plaintext-scrape-of-strict-port: \"\"}\nspec:\n  selector: {matchLabels: {app: api}}\n  endpoints: [{port: metrics}]\n",
		"apiVersion: v1\nkind: Service\nmetadata: {name: broken, namespace: team2}\nspec:\n  ports: \"80\"\n",
		"apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: lower, namespace: team3}\nspec:\n  selector: {matchLabels: {app: api}}\n  mtls: {mode: strict}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: team2}\ndata: {a: b}\n",
	)
	return docs
}

// TestOutputIsByteIdentical lints the same files again and again, written
// to disk in a different order each time, named on the command line in a
// different order (files, their directory, duplicates), with a different
// number of loader workers, and compares the JSON and text outputs byte for
// byte.
func TestOutputIsByteIdentical(t *testing.T) {
	docs := determinismDocs()
	files := map[string]string{}
	for i, d := range docs {
		name := fmt.Sprintf("f%d.yaml", i%7)
		files[name] += "---\n" + d
	}
	for _, c := range []string{"yaml-second-document.yaml", "alias-bomb.yaml", "duplicate-key-nested.yaml", "merge-key-valid.yaml", "empty.yaml"} {
		files["cases/"+c] = readCase(t, c)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)

	work := filepath.Join(t.TempDir(), "work")
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var refJSON, refText string
	for seed := int64(0); seed < 6; seed++ {
		rng := rand.New(rand.NewSource(seed))
		if err := os.RemoveAll(work); err != nil {
			t.Fatal(err)
		}
		for _, i := range rng.Perm(len(names)) {
			writeFile(t, work, names[i], files[names[i]])
		}
		var args []string
		for _, i := range rng.Perm(len(names)) {
			args = append(args, filepath.Join(work, names[i]))
		}
		switch seed % 3 {
		case 1:
			args = append(args, work) // everything twice
		case 2:
			args = []string{work}
		}
		runtime.GOMAXPROCS(1 + int(seed%4))
		textOut := filepath.Join(t.TempDir(), "out.txt")
		r := lintArgs(t, append([]string{"-f", "json", "-f", "text", "-o", "-", "-o", textOut, "--fail-on", "none", "--show-suppressed"}, args...)...)
		if r.code != ExitOK {
			t.Fatalf("seed %d: exit %d: %s", seed, r.code, r.stderr)
		}
		text, err := os.ReadFile(textOut)
		if err != nil {
			t.Fatal(err)
		}
		if seed == 0 {
			refJSON, refText = r.stdout, string(text)
			if n := len(decode(t, r.stdout).Findings); n < 10 {
				t.Fatalf("only %d findings: the fixture is too quiet to show anything", n)
			}
			continue
		}
		if r.stdout != refJSON {
			t.Errorf("seed %d: JSON differs from seed 0:\n%s", seed, firstDifference(refJSON, r.stdout))
		}
		if string(text) != refText {
			t.Errorf("seed %d: text differs from seed 0:\n%s", seed, firstDifference(refText, string(text)))
		}
	}
}

// TestFindingsDoNotDependOnDocumentOrder shuffles the documents themselves
// across files. Positions move with them, so the comparison is of what was
// found: rule, resource, pointer and message of every finding and related
// location.
func TestFindingsDoNotDependOnDocumentOrder(t *testing.T) {
	docs := determinismDocs()
	var ref []string
	for seed := int64(0); seed < 6; seed++ {
		rng := rand.New(rand.NewSource(seed))
		dir := t.TempDir()
		files := map[string]string{}
		for i, p := range rng.Perm(len(docs)) {
			name := fmt.Sprintf("f%d.yaml", i%(2+int(seed)))
			files[name] += "---\n" + docs[p]
		}
		for name, text := range files {
			writeFile(t, dir, name, text)
		}
		r := lintArgs(t, "-f", "json", "--fail-on", "none", "--show-suppressed", dir)
		if r.code != ExitOK {
			t.Fatalf("seed %d: exit %d: %s", seed, r.code, r.stderr)
		}
		got := whatWasFound(decode(t, r.stdout).Findings)
		if seed == 0 {
			ref = got
			if len(ref) < 12 {
				t.Fatalf("only %d findings: the fixture is too quiet to show anything", len(ref))
			}
			continue
		}
		if a, b := strings.Join(ref, "\n"), strings.Join(got, "\n"); a != b {
			t.Errorf("seed %d: findings differ from seed 0:\n%s", seed, firstDifference(a, b))
		}
	}
}

// whatWasFound renders findings without their places in files, sorted.
func whatWasFound(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		var related []string
		for _, r := range f.Related {
			b, _ := json.Marshal(r.Resource)
			related = append(related, fmt.Sprintf("%s %s %s", b, r.Path, r.Message))
		}
		sort.Strings(related)
		b, _ := json.Marshal(f.Resource)
		out = append(out, fmt.Sprintf("%s %s %s %s %s | %s", f.Rule, f.Severity, b, f.Path, f.Message, strings.Join(related, " | ")))
	}
	sort.Strings(out)
	return out
}

// firstDifference shows the first line where a and b differ.
func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return "(no difference)"
}
