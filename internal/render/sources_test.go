package render_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/cli"
)

// lookalikeRepo is a checkout with a chart at ./chart whose monitor scrapes
// plaintext under STRICT (a finding when it is rendered), and a
// HelmRelease of ./chart from GitRepository flux-system/platform at url
// (no GitRepository when url is ""). gitConfig is .git/config ("" for no
// .git at all).
func lookalikeRepo(t *testing.T, url, gitConfig string) string {
	t.Helper()
	dir := t.TempDir()
	text := release("app", "./chart", "")
	if url != "" {
		text = fmt.Sprintf(fluxSource, url) + text
	}
	files := map[string]string{
		"releases.yaml":    text,
		"chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n",
		"chart/templates/app.yaml": `apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
        - {name: app, image: example/app:1, ports: [{name: metrics, containerPort: 9090}]}
---
apiVersion: v1
kind: Service
metadata: {name: app, labels: {app: app}}
spec:
  selector: {app: app}
  ports: [{name: metrics, port: 9090, targetPort: metrics}]
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: app}
spec:
  selector: {matchLabels: {app: app}}
  endpoints: [{port: metrics}]
---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default}
spec: {mtls: {mode: STRICT}}
`,
	}
	if gitConfig != "" {
		files[".git/config"] = gitConfig
	}
	writeTree(t, dir, files)
	return dir
}

func remote(url string) string {
	return "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = " + url + "\n"
}

func TestGitRepositoryIsThisCheckoutOnlyWhenARemoteMatches(t *testing.T) {
	// The chart is in the input, so it is also rendered on its own, with
	// its defaults, as release app in namespace default; the HelmRelease
	// renders it in namespace team.
	const rendered = "rendered"
	for _, c := range []struct {
		name, url, git, config string
		want                   string // rendered, or a phrase of the note
	}{
		{"same https URL", "https://github.com/example/platform.git", remote("https://github.com/example/platform.git"), "", rendered},
		{"scp-style remote", "https://github.com/example/platform", remote("git@github.com:example/platform.git"), "", rendered},
		{"ssh remote with a port and user", "https://GitHub.com/example/platform/", remote("ssh://git@github.com:22/example/platform.git"), "", rendered},
		{"credentials in the remote", "ssh://git@github.com/example/platform", remote("https://ci:tok@github.com/example/platform"), "", rendered},
		{"path differs in case", "https://github.com/example/Platform", remote("https://github.com/example/platform"), "", "not the repository being linted"},
		{"another repository", "https://github.com/example/umbrella.git", remote("https://github.com/example/platform.git"), "", "not the repository being linted"},
		{"another host", "https://gitlab.com/example/platform.git", remote("https://github.com/example/platform.git"), "", "not the repository being linted"},
		{"no .git (a tarball)", "https://github.com/example/platform.git", "", "", "this checkout has no .git"},
		{"no remote", "https://github.com/example/platform.git", "[core]\n\tbare = false\n", "", "this checkout has no git remote"},
		{"GitRepository not in the input", "", remote("https://github.com/example/platform.git"), "", "is not in the input"},
		{"mapped in the config", "https://github.com/example/umbrella.git", "", "sources:\n  flux-system/platform: .\n", rendered},
		{"mapped to another directory", "", "", "sources:\n  flux-system/platform: vendor/platform\n", "is not a chart directory in vendor/platform"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := lookalikeRepo(t, c.url, c.git)
			args := []string{"--fail-on", "none"}
			if c.config != "" {
				writeTree(t, dir, map[string]string{".meshlint.yaml": c.config, "vendor/platform/README.md": "x\n"})
				args = append(args, "-c", filepath.Join(dir, ".meshlint.yaml"))
			}
			r := lintIn(t, dir, args...)
			var release, notes []string
			for _, f := range r.findings {
				switch {
				case f.Rule == "render-skipped":
					notes = append(notes, f.Message)
				case f.Resource != nil && f.Resource.Namespace == "team":
					release = append(release, at(f))
				}
			}
			if c.want == rendered {
				if strings.Join(release, ",") != "plaintext-scrape-of-strict-port chart/templates/app.yaml:24" || len(notes) > 0 {
					t.Errorf("the release was not rendered: %v, notes %q", release, notes)
				}
				return
			}
			if len(release) > 0 || len(notes) != 1 || !strings.Contains(notes[0], c.want) {
				t.Errorf("want no finding of the release and one note saying %q, got %v and %q", c.want, release, notes)
			}
			if len(notes) == 1 && c.config == "" && !strings.Contains(notes[0], "sources: {flux-system/platform: <path>}") {
				t.Errorf("the note does not say how to map the source: %s", notes[0])
			}
		})
	}
}

func TestGitRepositoryMappingMustStayInTheRepository(t *testing.T) {
	outside := t.TempDir()
	dir := lookalikeRepo(t, "", "")
	writeTree(t, dir, map[string]string{".meshlint.yaml": "sources:\n  flux-system/platform: ../" + filepath.Base(outside) + "\n"})
	writeTree(t, dir, map[string]string{".git/HEAD": "ref: refs/heads/main\n"}) // the repository is dir, not its parent
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	code := cli.Run([]string{"-q", "-c", ".meshlint.yaml", "."},
		cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }, IsTerminal: func() bool { return false }})
	if code != 2 || !strings.Contains(stderr.String(), ".meshlint.yaml:2") {
		t.Errorf("exit %d, stderr %q: want exit 2 naming the config line", code, stderr.String())
	}
}
