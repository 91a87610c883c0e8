package report

import "testing"

func TestSourceLinks(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	gh := map[string]string{"GITHUB_SERVER_URL": "https://github.com/", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "abc", "GITHUB_WORKSPACE": "/w"}
	for _, c := range []struct {
		name     string
		env      map[string]string
		wd, file string
		line     int
		want     string
	}{
		{"github", gh, "/w", "deploy/a.yaml", 3, "https://github.com/o/r/blob/abc/deploy/a.yaml#L3"},
		{"run in a subdirectory", gh, "/w/platform", "deploy/a.yaml", 3, "https://github.com/o/r/blob/abc/platform/deploy/a.yaml#L3"},
		{"characters a link cannot hold", gh, "/w", "odd dir/a(1)#.yaml", 1, "https://github.com/o/r/blob/abc/odd%20dir/a%281%29%23.yaml#L1"},
		{"above the repository", gh, "/w", "../x.yaml", 1, ""},
		{"absolute", gh, "/w", "/etc/x.yaml", 1, ""},
		{"stdin", gh, "/w", "-", 1, ""},
		{"gitlab", map[string]string{"CI_PROJECT_URL": "https://gitlab.com/g/p", "CI_COMMIT_SHA": "abc", "CI_PROJECT_DIR": "/b"}, "/b", "a.yaml", 2,
			"https://gitlab.com/g/p/-/blob/abc/a.yaml#L2"},
		{"github without a commit", map[string]string{"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r"}, "/w", "a.yaml", 1, ""},
		{"no CI", nil, "/w", "a.yaml", 1, ""},
	} {
		if got := SourceLinksFromEnv(env(c.env), c.wd).Link(c.file, c.line); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestMdText(t *testing.T) {
	for in, want := range map[string]string{
		"[x](https://e.example)":             `\[x\](https:&#47;&#47;e.example)`,
		"<script>":                           "&lt;script&gt;",
		"a\nb":                               `a\\nb`,
		"`x` *y* _z_ @o #1 $m$ a|b ~s~ ![i]": "\\`x\\` \\*y\\* \\_z\\_ \\@o \\#1 \\$m\\$ a\\|b \\~s\\~ \\!\\[i\\]",
		"see www.evil.example":               "see www&#46;evil.example",
		"&amp;":                              "&amp;amp;",
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
}
