package report

import (
	"strconv"
	"strings"
	"testing"
)

func TestGitHubEscaping(t *testing.T) {
	for _, c := range []struct{ in, data, property string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"ns/name: a, b", "ns/name: a, b", "ns/name%3A a%2C b"},
		// Already escaped-looking text stays literal: % is escaped first.
		{"%0A and %3A", "%250A and %253A", "%250A and %253A"},
		{"::error::forged", "::error::forged", "%3A%3Aerror%3A%3Aforged"},
	} {
		if got := escapeData(c.in); got != c.data {
			t.Errorf("escapeData(%q) = %q, want %q", c.in, got, c.data)
		}
		if got := escapeProperty(c.in); got != c.property {
			t.Errorf("escapeProperty(%q) = %q, want %q", c.in, got, c.property)
		}
	}
}

// workflowCommand is a command as the Actions runner reads it back
// (ActionCommand.TryParseV2): the name, properties split at ',' and '=',
// and the message, each unescaped.
type workflowCommand struct {
	name    string
	props   map[string]string
	message string
}

func parseWorkflowCommand(t *testing.T, line string) workflowCommand {
	t.Helper()
	if !strings.HasPrefix(line, "::") {
		t.Fatalf("not a workflow command: %q", line)
	}
	end := strings.Index(line[2:], "::")
	if end < 0 {
		t.Fatalf("no closing :: in %q", line)
	}
	head, data := line[2:2+end], line[2+end+2:]
	name, props, _ := strings.Cut(head, " ")
	cmd := workflowCommand{name: name, props: map[string]string{}, message: unescapeRunner(data, false)}
	for _, p := range strings.Split(props, ",") {
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			t.Fatalf("property %q without = in %q", p, line)
		}
		cmd.props[k] = unescapeRunner(v, true)
	}
	return cmd
}

func unescapeRunner(s string, property bool) string {
	pairs := []string{"%0D", "\r", "%0A", "\n"}
	if property {
		pairs = append(pairs, "%3A", ":", "%2C", ",")
	}
	pairs = append(pairs, "%25", "%")
	for i := 0; i < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	return s
}

func TestGitHubCommandsRoundTrip(t *testing.T) {
	r := fixedReport(t)
	out := string(render(t, "github", r))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	live := r.Visible()
	if len(lines) != len(live) {
		t.Fatalf("%d commands, want one per visible finding (%d):\n%s", len(lines), len(live), out)
	}
	wantCommand := map[string]string{"error": "error", "warning": "warning", "note": "notice"}
	for i, f := range live {
		cmd := parseWorkflowCommand(t, lines[i])
		if cmd.name != wantCommand[f.Severity] {
			t.Errorf("line %d: command %q for severity %s", i+1, cmd.name, f.Severity)
		}
		want := map[string]string{"file": f.File, "line": strconv.Itoa(f.Line), "col": strconv.Itoa(f.Column),
			"endLine": strconv.Itoa(f.EndLine), "endColumn": strconv.Itoa(f.EndColumn), "title": f.Rule}
		for k, v := range want {
			if cmd.props[k] != v {
				t.Errorf("line %d: %s=%q, want %q", i+1, k, cmd.props[k], v)
			}
		}
		if len(cmd.props) != len(want) {
			t.Errorf("line %d: properties %v, want exactly %v", i+1, cmd.props, want)
		}
		if !strings.HasPrefix(cmd.message, f.Message) {
			t.Errorf("line %d: message %q, want it to start with %q", i+1, cmd.message, f.Message)
		}
		for _, rel := range f.Related {
			if !strings.Contains(cmd.message, "\n"+rel.File+":"+strconv.Itoa(rel.Line)+":") {
				t.Errorf("line %d: message lacks related location %s:%d", i+1, rel.File, rel.Line)
			}
		}
	}
}

func TestGitHubSuppressedFindingsAreNotices(t *testing.T) {
	r := fixedReport(t)
	r.ShowSuppressed = true
	out := string(render(t, "github", r))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(r.Findings) {
		t.Fatalf("%d commands with --show-suppressed, want %d", len(lines), len(r.Findings))
	}
	seen := 0
	for i, f := range r.Findings {
		if !f.Suppressed {
			continue
		}
		seen++
		cmd := parseWorkflowCommand(t, lines[i])
		if cmd.name != "notice" || cmd.props["title"] != f.Rule+" (suppressed)" ||
			!strings.Contains(cmd.message, f.Suppression.Justification) {
			t.Errorf("suppressed finding %d became %+v", i, cmd)
		}
	}
	if seen == 0 {
		t.Fatal("the fixed report has no suppressed finding to check")
	}
}
