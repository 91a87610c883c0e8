package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/meshlint/meshlint/internal/finding"
)

// FingerprintKey names meshlint's SARIF partial fingerprint. The version
// suffix changes whenever the recipe does, so that a code-scanning service
// never matches results fingerprinted two different ways. v1 hashed the
// full apiVersion, so moving a PeerAuthentication from
// security.istio.io/v1beta1 to v1 reopened its alerts; v2 is finding.Fingerprint,
// the baseline's recipe, which keys on the API group.
const FingerprintKey = "meshlint/v2"

// uniqueFingerprints gives each finding its finding.Fingerprint, in order, made
// unique within the run: two findings of one rule at one field (say, through
// two Prometheus servers, or two problems in one broken file) must stay two
// alerts in SARIF and two issues in GitLab. The first keeps the plain
// finding.Fingerprint, so it equals its baseline entry's; the n-th gets a hash of the
// fingerprint and n.
func uniqueFingerprints(findings []finding.Finding) []string {
	out := make([]string, len(findings))
	seen := map[string]int{}
	for i, f := range findings {
		fp := finding.Fingerprint(f)
		seen[fp]++
		if n := seen[fp]; n > 1 {
			sum := sha256.Sum256([]byte(fp + "\x00" + fmt.Sprint(n)))
			fp = hex.EncodeToString(sum[:16])
		}
		out[i] = fp
	}
	return out
}
