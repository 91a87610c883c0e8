package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/report"
)

// oldBaseline is a baseline written by meshlint before the SARIF
// fingerprint moved to the baseline's recipe, with the input it accepted.
const oldBaseline = "../../testdata/baseline/v1"

// TestBaselineWrittenByEarlierReleaseStillHolds reads a baseline file
// written by an earlier release after the input's PeerAuthentications moved
// from security.istio.io/v1beta1 to v1 and its lines moved: every finding is
// still accepted, and no entry is reported unused. The SARIF result of each
// finding carries the entry's fingerprint under report.FingerprintKey, the
// same before and after the move.
func TestBaselineWrittenByEarlierReleaseStillHolds(t *testing.T) {
	app, err := os.ReadFile(filepath.Join(oldBaseline, "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	bl, err := os.ReadFile(filepath.Join(oldBaseline, "meshlint-baseline.json"))
	if err != nil {
		t.Fatal(err)
	}
	var written struct {
		Findings []struct {
			Fingerprint string `json:"fingerprint"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(bl, &written); err != nil {
		t.Fatal(err)
	}
	entries := map[string]bool{}
	for _, e := range written.Findings {
		entries[e.Fingerprint] = true
	}
	if len(entries) < 2 {
		t.Fatalf("the old baseline has %d distinct entries, want a PeerAuthentication and a ServiceMonitor finding", len(entries))
	}

	dir := t.TempDir()
	t.Chdir(dir)
	empty := writeFile(t, dir, "empty.yaml", "")
	writeFile(t, dir, "meshlint-baseline.json", string(bl))
	lintSARIF := func(text string) map[string]string {
		writeFile(t, dir, "app.yaml", text)
		r := lintArgs(t, "-c", empty, "-f", "sarif", "app.yaml")
		if !strings.Contains(r.stdout, `"`+report.FingerprintKey+`"`) {
			t.Fatalf("SARIF without %s partial fingerprints: exit %d\n%s%s", report.FingerprintKey, r.code, r.stdout, r.stderr)
		}
		return sarifFingerprints(t, r.stdout)
	}
	before := lintSARIF(string(app))
	after := lintSARIF("# moved down\n#\n" + strings.ReplaceAll(string(app), "security.istio.io/v1beta1", "security.istio.io/v1"))
	if len(after) != len(entries) {
		t.Errorf("SARIF results of %d rules, want %d", len(after), len(entries))
	}
	for rule, fp := range after {
		if before[rule] != fp {
			t.Errorf("%s: SARIF fingerprint changed from %s to %s when the PeerAuthentications moved to v1", rule, before[rule], fp)
		}
		if !entries[fp] {
			t.Errorf("%s: SARIF fingerprint %s is no entry of the old baseline", rule, fp)
		}
	}

	r := lintArgs(t, "-c", empty, "--baseline", "meshlint-baseline.json", "-f", "json", "--show-suppressed", ".")
	fs := decode(t, r.stdout).Findings
	if r.code != ExitOK || len(fs) != len(written.Findings) {
		t.Fatalf("old baseline after the move to v1: exit %d, %d findings, want %d all accepted\n%s", r.code, len(fs), len(written.Findings), r.stdout)
	}
	for _, f := range fs {
		if !f.Suppressed || f.Rule == "unused-suppression" {
			t.Errorf("finding not accepted by the old baseline: %s %s", f.Rule, f.Message)
		}
	}
}
