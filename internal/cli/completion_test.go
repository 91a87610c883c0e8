package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func completionScript(t *testing.T, shell string) string {
	t.Helper()
	r := lintArgs(t, "completion", shell)
	if r.code != ExitOK || r.stdout == "" {
		t.Fatalf("completion %s: exit %d, stderr %q", shell, r.code, r.stderr)
	}
	return r.stdout
}

// bashComplete sources the bash script and asks it to complete words, as
// bash does on TAB: COMP_WORDS and COMP_CWORD set, COMPREPLY read back.
func bashComplete(t *testing.T, script string, words ...string) []string {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "meshlint.bash")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = "'" + w + "'"
	}
	prog := "source " + file + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
		strconv.Itoa(len(words)-1) + "\n_meshlint\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	cmd := exec.Command(bash, "--noprofile", "--norc", "-c", prog)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

func TestBashCompletion(t *testing.T) {
	script := completionScript(t, "bash")
	for _, c := range []struct {
		words []string
		want  []string
	}{
		{[]string{"meshlint", "--fail-"}, []string{"--fail-on"}},
		{[]string{"meshlint", "--fail-on", ""}, []string{"error", "warning", "note", "none"}},
		{[]string{"meshlint", "-f", "git"}, []string{"github", "gitlab"}},
		{[]string{"meshlint", "rul"}, []string{"rules"}},
		{[]string{"meshlint", "completion", ""}, []string{"bash", "zsh", "fish"}},
		{[]string{"meshlint", "explain", "plaintext-scrape"}, []string{"plaintext-scrape-of-strict-port"}},
		{[]string{"meshlint", "--enable", "strict-without"}, []string{"strict-without-proxy"}},
	} {
		got := bashComplete(t, script, c.words...)
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("%v: completions %v, want %v", c.words, got, c.want)
		}
	}
}

// Every lint flag is offered by every shell's script: the scripts are built
// from the flag set, so a new flag cannot be forgotten.
func TestCompletionScriptsNameEveryFlag(t *testing.T) {
	var f lintFlags
	fs := newLintFlagSet(&f, nil)
	for _, shell := range []string{"bash", "zsh", "fish"} {
		script := completionScript(t, shell)
		for _, name := range []string{"fail-on", "format", "sarif-category", "prometheus-values", "max-nodes"} {
			if fs.Lookup(name) == nil {
				t.Fatalf("no flag %s; update the test", name)
			}
			want := "--" + name
			if shell == "fish" {
				want = "-l " + name
			}
			if !strings.Contains(script, want) {
				t.Errorf("%s script lacks %s", shell, want)
			}
		}
	}
}

// The scripts parse in their shells (zsh and fish only where installed).
func TestCompletionScriptsParse(t *testing.T) {
	for shell, check := range map[string][]string{"bash": {"-n"}, "zsh": {"-n"}, "fish": {"--no-execute"}} {
		bin, err := exec.LookPath(shell)
		if err != nil {
			t.Logf("%s is not installed; its script is not parsed", shell)
			continue
		}
		file := filepath.Join(t.TempDir(), "script")
		if err := os.WriteFile(file, []byte(completionScript(t, shell)), 0o644); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(bin, append(check, file)...).CombinedOutput(); err != nil {
			t.Errorf("%s does not parse its completion script: %v\n%s", shell, err, out)
		}
	}
	if r := lintArgs(t, "completion", "powershell"); r.code != ExitError || !strings.Contains(r.stderr, "bash, zsh or fish") {
		t.Errorf("completion powershell: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := lintArgs(t, "completion"); r.code != ExitError {
		t.Errorf("completion without a shell: exit %d", r.code)
	}
}
