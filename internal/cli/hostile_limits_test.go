package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The hostile inputs below used to exhaust memory (a fatal error, which no
// one can catch) or take minutes. Each runs meshlint in a child process
// that first limits itself to 2 GiB of address space and 60 s of CPU, so a
// regression is a failed child, not a machine brought down; the child
// prints the exit code and output of Run, and the parent checks them.

const hostileChildEnv = "MESHLINT_HOSTILE_CHILD"

// TestHostileChild is the child: it does nothing unless the parent set the
// marker, which names the directory to lint and the extra flags.
func TestHostileChild(t *testing.T) {
	spec := os.Getenv(hostileChildEnv)
	if spec == "" {
		t.Skip("run by the hostile-input tests in a child process")
	}
	for _, l := range []struct {
		resource int
		max      uint64
	}{{syscall.RLIMIT_AS, 2 << 30}, {syscall.RLIMIT_CPU, 60}} {
		if err := syscall.Setrlimit(l.resource, &syscall.Rlimit{Cur: l.max, Max: l.max}); err != nil {
			t.Fatalf("setrlimit: %v", err)
		}
	}
	r := lintArgs(t, append([]string{"-f", "json", "-q"}, strings.Split(spec, "\x00")...)...)
	// Written piece by piece: formatting a report of many megabytes into
	// one buffer, grown by copying, could itself run out of the address
	// space the run was held to after the run kept within it.
	for _, s := range []string{fmt.Sprintf("EXIT=%d\nSTDERR=", r.code), r.stderr, "\nSTDOUT=", r.stdout, "\n"} {
		if _, err := os.Stdout.WriteString(s); err != nil {
			t.Fatal(err)
		}
	}
}

// runHostileChild lints args in a child under the limits and returns what
// Run returned there.
func runHostileChild(t *testing.T, args ...string) (code int, stderr, stdout string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHostileChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), hostileChildEnv+"="+strings.Join(args, "\x00"))
	out, err := cmd.CombinedOutput()
	text := string(out)
	i := strings.Index(text, "EXIT=")
	if err != nil || i < 0 {
		t.Fatalf("the child did not finish under 2 GiB and 60 s of CPU (%v):\n%.2000s", err, text)
	}
	if _, err := fmt.Sscanf(text[i:], "EXIT=%d", &code); err != nil {
		t.Fatal(err)
	}
	rest := text[i:]
	stderr = rest[strings.Index(rest, "STDERR=")+7 : strings.Index(rest, "\nSTDOUT=")]
	stdout = rest[strings.Index(rest, "STDOUT=")+7:]
	return code, stderr, stdout
}

// hostileMesh is a STRICT namespace with an app; name is its Deployment's.
func hostileMesh(name string) string {
	return `apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels: {istio-injection: enabled}
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: shop}
spec: {mtls: {mode: STRICT}}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ` + name + `
  namespace: shop
spec:
  template:
    metadata: {labels: {app: cart}}
    spec:
      containers:
      - name: app
        ports: [{name: metrics, containerPort: 9090}]
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop, labels: {app: cart}}
spec:
  selector: {app: cart}
  ports: [{name: http-metrics, port: 9090, targetPort: metrics}]
---
`
}

// TestHugeNameIsBounded: a 4 MiB Deployment name that 6,000 endpoints would
// copy into their scrape chains is an invalid-manifest at the name's line;
// the Deployment is left out and the rest is linted (another file's
// finding is still there).
func TestHugeNameIsBounded(t *testing.T) {
	dir := t.TempDir()
	monitor := "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {matchLabels: {app: cart}}\n  endpoints:\n" +
		strings.Repeat("  - port: http-metrics\n", 6000)
	writeFile(t, dir, "huge.yaml", hostileMesh(strings.Repeat("a", 4<<20))+monitor)
	other := writeFile(t, dir, "other/app.yaml", strictApp)
	code, stderr, stdout := runHostileChild(t, dir)
	if code != ExitFindings {
		t.Fatalf("exit %d, want %d\nstderr: %.2000s", code, ExitFindings, stderr)
	}
	if !strings.Contains(stdout, `"line": 15`) || !strings.Contains(stdout, "metadata.name is 4194304 bytes long; Kubernetes allows at most 253") {
		t.Errorf("no invalid-manifest at the name (line 15):\n%.3000s", stdout)
	}
	if !strings.Contains(stdout, filepath.Base(filepath.Dir(other))+"/app.yaml") || !strings.Contains(stdout, "plaintext-scrape-of-strict-port") {
		t.Errorf("the other file's finding is lost:\n%.3000s", stdout)
	}
}

// TestAliasedEndpointsAreRefused: a ServiceMonitor whose 300,000 endpoints
// are aliases of one (a 900 KB file, within --max-nodes) stops the run with
// exit 2 naming --max-facts, before the facts are built; what reading the
// other files found is still reported.
func TestAliasedEndpointsAreRefused(t *testing.T) {
	dir := t.TempDir()
	monitor := "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {matchLabels: {app: cart}}\n  x: &e {port: http-metrics}\n  endpoints: [" +
		strings.TrimSuffix(strings.Repeat("*e,", 300000), ",") + "]\n"
	writeFile(t, dir, "aliases.yaml", hostileMesh("cart")+monitor)
	writeFile(t, dir, "broken/svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: x\n")
	code, stderr, stdout := runHostileChild(t, dir)
	if code != ExitError {
		t.Fatalf("exit %d, want %d\nstderr: %.2000s", code, ExitError, stderr)
	}
	for _, s := range []string{"limit of 200000 scrape facts", "--max-facts raises it", "The rules were not run", "ServiceMonitor shop/cart", "aliases.yaml"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("stderr lacks %q:\n%.2000s", s, stderr)
		}
	}
	if !strings.Contains(stdout, "broken/svc.yaml") || !strings.Contains(stdout, "invalid-manifest") {
		t.Errorf("the other file's finding is lost:\n%.3000s", stdout)
	}
}
