package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHelpGoesToStdoutAndExits0(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"lint", "--help"}, {"-f", "json", "--help"}, {"help", "lint"}} {
		r := lintArgs(t, args...)
		if r.code != ExitOK || r.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing on stderr", args, r.code, r.stderr)
		}
		for _, want := range []string{"Usage:", "--fail-on", "--sarif-category", "Exit codes:"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%v: stdout lacks %q:\n%s", args, want, r.stdout)
			}
		}
	}
}

func TestHelpCommand(t *testing.T) {
	r := lintArgs(t, "help")
	if r.code != ExitOK {
		t.Fatalf("help: exit %d: %s", r.code, r.stderr)
	}
	for _, c := range commands {
		if !strings.Contains(r.stdout, c.name) {
			t.Errorf("help does not list %s:\n%s", c.name, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "--fail-on") {
		t.Errorf("help without a command lists the lint flags; that is 'help lint':\n%s", r.stdout)
	}
	for cmd, want := range map[string]string{
		"rules":      "--format",
		"explain":    "--policy",
		"completion": "bash|zsh|fish",
		"version":    "version information",
	} {
		r := lintArgs(t, "help", cmd)
		if r.code != ExitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("help %s: exit %d, stdout %q; want 0 and %q", cmd, r.code, r.stdout, want)
		}
	}
	for _, args := range [][]string{{"rules", "--help"}, {"explain", "-h"}} {
		if r := lintArgs(t, args...); r.code != ExitOK || !strings.Contains(r.stdout, "--policy") || r.stderr != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, r.code, r.stdout, r.stderr)
		}
	}
	if r := lintArgs(t, "help", "rulez"); r.code != ExitError || !strings.Contains(r.stderr, `did you mean "rules"`) {
		t.Errorf("help rulez: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestVersionFlag(t *testing.T) {
	want := lintArgs(t, "version")
	for _, args := range [][]string{{"--version"}, {"-q", "--version"}} {
		r := lintArgs(t, args...)
		if r.code != ExitOK || r.stdout != want.stdout || !strings.HasPrefix(r.stdout, "meshlint "+Version()+"\n") {
			t.Errorf("%v: exit %d, stdout %q; want 0 and %q", args, r.code, r.stdout, want.stdout)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	for arg, want := range map[string]string{
		"rulez":    `unknown command "rulez"; did you mean "rules"?`,
		"explian":  `did you mean "explain"?`,
		"complet":  `did you mean "completion"?`,
		"verison":  `did you mean "version"?`,
		"deploy":   `unknown command "deploy", and no file or directory of that name`,
		"initiate": `unknown command "initiate"`,
	} {
		r := lintArgs(t, arg)
		if r.code != ExitError || !strings.Contains(r.stderr, want) || strings.Contains(r.stderr, "no such file") {
			t.Errorf("%s: exit %d, stderr %q; want 2 and %q", arg, r.code, r.stderr, want)
		}
	}
	// Anything that reads as a path is still linted (or reported missing)
	// as a path.
	for _, arg := range []string{"./rulez", "rulez.yaml", "deploy/"} {
		if r := lintArgs(t, arg); r.code != ExitError || strings.Contains(r.stderr, "unknown command") {
			t.Errorf("%s: exit %d, stderr %q; want a missing path, not an unknown command", arg, r.code, r.stderr)
		}
	}
}

// A directory named like a command (or a typo of one) is linted: paths win.
func TestPathNamedLikeCommandIsLinted(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "rulez"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rulez", "app.yaml"), []byte(strictApp), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if r := lintArgs(t, "rulez"); r.code == ExitError || strings.Contains(r.stderr, "unknown command") {
		t.Errorf("rulez/ exists: exit %d, stderr %q; want it linted", r.code, r.stderr)
	}
}
