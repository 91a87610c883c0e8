package cli

import "testing"

func TestModuleVersion(t *testing.T) {
	for in, want := range map[string]string{
		"v1.2.3":                               "1.2.3",
		"v1.2.3-rc.1":                          "1.2.3-rc.1",
		"(devel)":                              "",
		"":                                     "",
		"v0.0.0-20251128190900-abcdef123456":   "",
		"v1.2.4-0.20251128190900-abcdef123456": "",
		"v1.2.3+dirty":                         "",
		"v0.0.0-20251128190900-abcdef123456+dirty": "",
	} {
		if got := moduleVersion(in); got != want {
			t.Errorf("moduleVersion(%q) = %q, want %q", in, got, want)
		}
	}
}
