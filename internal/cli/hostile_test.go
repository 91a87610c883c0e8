package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/report"
)

// hostileCanary is what the files outside the linted tree hold; no output
// may ever contain it.
const hostileCanary = "CANARYq8outside"

// canaryFiles are files outside the tree, each one that meshlint would
// quote if it read it as the kind of file it stands for.
var canaryFiles = map[string]string{
	"config":   hostileCanary + ": 1\n", // an unknown key is quoted
	"baseline": `{"version": 1, "findings": [{"fingerprint": "f", "rule": "` + hostileCanary + `"}]}` + "\n",
	"policy":   "package p\n\nr := " + hostileCanary + "\n", // an unsafe variable is named
	"values":   "fullnameOverride: " + hostileCanary + "\nprometheus:\n  prometheusSpec: {}\n",
}

// hostileKinds are the files a pull request controls: where each lives in
// the tree, what else the tree needs for meshlint to read it, the flags that
// make it read, and how messages name it.
var hostileKinds = []struct {
	kind, link, config string
	args               []string
	name               string
}{
	{"config", ".meshlint.yaml", "", nil, ".meshlint.yaml"},
	{"baseline", "base.json", "", []string{"--baseline", "base.json"}, "base.json"},
	{"policy", "policies/evil.rego", "policies: [policies]\n", nil, "policies/evil.rego"},
	{"values", "values.yaml", "prometheusValues: [values.yaml]\n", nil, "values.yaml"},
}

// newHostileTree makes a repository (it holds .git) with an app and a FIFO,
// and the canary files outside it; the working directory is the tree.
func newHostileTree(t *testing.T) (tree, outside string) {
	t.Helper()
	tree, outside = t.TempDir(), t.TempDir()
	writeFile(t, tree, ".git/HEAD", "ref: refs/heads/main\n")
	writeFile(t, tree, "app.yaml", appWith("labels: {}"))
	if err := mkfifo(filepath.Join(tree, "pipe")); err != nil {
		t.Skipf("no FIFO: %v", err)
	}
	for kind, text := range canaryFiles {
		writeFile(t, outside, kind, text)
	}
	t.Chdir(tree)
	return tree, outside
}

// runEveryFormat lints with every format at once, the text on stdout and
// the others in files, and returns all that meshlint wrote.
func runEveryFormat(t *testing.T, args ...string) (code int, written string) {
	t.Helper()
	out := t.TempDir()
	var all []string
	for _, f := range report.Formats {
		all = append(all, "-f", f)
		if f != "text" {
			all = append(all, "-o", filepath.Join(out, "out."+f))
		}
	}
	r := lintArgs(t, append(all, args...)...)
	written = r.stdout + r.stderr
	for _, f := range report.Formats {
		if b, err := os.ReadFile(filepath.Join(out, "out."+f)); err == nil {
			written += string(b)
		}
	}
	return r.code, written
}

// TestHostileLinksAreRefused makes each file a pull request controls a
// symbolic link to /dev/zero, to a FIFO and to a file outside the tree:
// meshlint exits 2 naming the file, never hangs, and never prints the
// outside file. With --root / (the outside allowed) the same tree prints
// the canary, which shows the check would see a leak.
func TestHostileLinksAreRefused(t *testing.T) {
	for _, k := range hostileKinds {
		for _, target := range []string{"/dev/zero", "fifo", "outside"} {
			t.Run(k.kind+"/"+target, func(t *testing.T) {
				tree, outside := newHostileTree(t)
				to := map[string]string{"/dev/zero": "/dev/zero", "fifo": filepath.Join(tree, "pipe"),
					"outside": filepath.Join(outside, k.kind)}[target]
				link := filepath.Join(tree, k.link)
				if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(to, link); err != nil {
					t.Fatal(err)
				}
				if k.config != "" {
					writeFile(t, tree, ".meshlint.yaml", k.config)
				}
				args := append(append([]string{}, k.args...), "app.yaml")
				code, written := runEveryFormat(t, args...)
				if code != ExitError || !strings.Contains(written, k.name) {
					t.Errorf("exit %d, want 2 and a message naming %s:\n%s", code, k.name, written)
				}
				if strings.Contains(written, hostileCanary) {
					t.Errorf("the file outside the tree was printed:\n%s", written)
				}
				if target == "outside" {
					if _, control := runEveryFormat(t, append([]string{"--root", "/"}, args...)...); !strings.Contains(control, hostileCanary) {
						t.Errorf("control: with --root / the canary should be read and shown, so the check above can fail:\n%s", control)
					}
				}
			})
		}
	}
}

// TestTypedDevicesAreRefused: a device typed on the command line is the
// user's choice of path, but still never read.
func TestTypedDevicesAreRefused(t *testing.T) {
	newHostileTree(t)
	for _, args := range [][]string{{"-c", "/dev/zero"}, {"--baseline", "/dev/zero"}, {"--prometheus-values", "/dev/zero"},
		{"-c", "pipe"}, {"--baseline", "pipe"}, {"--prometheus-values", "pipe"}} {
		r := lintArgs(t, append(args, "app.yaml")...)
		want := "a device, not a regular file"
		if args[1] == "pipe" {
			want = "a named pipe (FIFO), not a regular file"
		}
		if r.code != ExitError || !strings.Contains(r.stderr, args[1]+": "+want) {
			t.Errorf("%v: exit %d, want 2 and %q:\n%s", args, r.code, want, r.stderr)
		}
	}
}

// TestConfigPathsStayInTheTree: a discovered config's policies and values
// files may not name a place outside the repository, even one that exists
// and would compile.
func TestConfigPathsStayInTheTree(t *testing.T) {
	parent := t.TempDir()
	tree := filepath.Join(parent, "work", "repo")
	writeFile(t, tree, ".git/HEAD", "ref: refs/heads/main\n")
	writeFile(t, tree, "app.yaml", appWith("labels: {}"))
	writeFile(t, parent, "outside/my_rule.rego", policyHeader+"report := set()\n")
	writeFile(t, parent, "outside/values.yaml", "prometheus:\n  prometheusSpec: {}\n")
	t.Chdir(tree)
	for key, entry := range map[string]string{"policies": "../../outside", "prometheusValues": "../../outside/values.yaml"} {
		writeFile(t, tree, ".meshlint.yaml", "namespace: shop\n"+key+": ["+entry+"]\n")
		r := lintArgs(t, "app.yaml")
		want := ".meshlint.yaml:2: " + key + "[0] \"" + entry + "\": leaves the repository"
		if r.code != ExitError || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d, want 2 and %q:\n%s", key, r.code, want, r.stderr)
		}
		// Typed, the same directory is the user's choice.
		if key == "policies" {
			writeFile(t, tree, ".meshlint.yaml", "namespace: shop\n")
			if r := lintArgs(t, "--policy", filepath.Join(parent, "outside"), "app.yaml"); r.code == ExitError {
				t.Errorf("--policy outside the tree: exit 2\n%s", r.stderr)
			}
		}
	}
}

// TestTypedLinksOutOfTheTreeAreRefused: a path typed on the command line
// that names a place in the repository is held to it, since the link there
// is the pull request's; the same file typed where it really is may be read.
func TestTypedLinksOutOfTheTreeAreRefused(t *testing.T) {
	tree, outside := newHostileTree(t)
	writeFile(t, outside, "policies/evil.rego", canaryFiles["policy"])
	for kind, flag := range map[string]string{"baseline": "--baseline", "values": "--prometheus-values", "config": "-c", "policies": "--policy"} {
		target := filepath.Join(outside, kind)
		if err := os.Symlink(target, filepath.Join(tree, "typed-"+kind)); err != nil {
			t.Fatal(err)
		}
		code, written := runEveryFormat(t, flag, "typed-"+kind, "app.yaml")
		if code != ExitError || !strings.Contains(written, "typed-"+kind+": a symbolic link leaving the repository") {
			t.Errorf("%s typed-%s: exit %d, want 2 and the link refused:\n%s", flag, kind, code, written)
		}
		if strings.Contains(written, hostileCanary) {
			t.Errorf("%s typed-%s: the file outside the tree was printed:\n%s", flag, kind, written)
		}
		if _, control := runEveryFormat(t, flag, target, "app.yaml"); !strings.Contains(control, hostileCanary) {
			t.Errorf("control: %s %s typed where it is should be read and shown:\n%s", flag, target, control)
		}
	}
}
