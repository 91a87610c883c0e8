package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/meshlint/meshlint/internal/k8s"
)

// FingerprintKey names meshlint's SARIF partial fingerprint. The version
// suffix changes whenever the recipe does, so that a code-scanning service
// never matches results fingerprinted two different ways. v1 hashed the
// full apiVersion, so moving a PeerAuthentication from
// security.istio.io/v1beta1 to v1 reopened its alerts; v2 is Fingerprint,
// the baseline's recipe, which keys on the API group.
const FingerprintKey = "meshlint/v2"

// Fingerprint identifies a finding by what it is about, never by where it
// sits: the rule, the resource's API group, kind, namespace and name, and
// the JSON pointer of the field. Lines can move, files can be split or
// renamed, messages can be reworded, and the fingerprint holds. The API
// version is left out on purpose: moving a PeerAuthentication from
// security.istio.io/v1beta1 to v1 is not a new problem. Findings without a
// resource (a file that is not valid YAML) fall back to the file they are
// in.
//
// Baseline files store this value (internal/baseline), and SARIF and GitLab
// publish it, so the bytes hashed here must never change: an existing
// baseline would stop matching. A new recipe needs a new baseline version
// and FingerprintKey.
func Fingerprint(f Finding) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	field(f.Rule)
	if r := f.Resource; r != nil {
		field("resource")
		field(k8s.APIGroup(r.APIVersion))
		field(r.Kind)
		field(r.Namespace)
		field(r.Name)
	} else {
		field("file")
		field(f.File)
	}
	field(f.Path)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// uniqueFingerprints gives each finding its Fingerprint, in order, made
// unique within the run: two findings of one rule at one field (say, through
// two Prometheus servers, or two problems in one broken file) must stay two
// alerts in SARIF and two issues in GitLab. The first keeps the plain
// Fingerprint, so it equals its baseline entry's; the n-th gets a hash of the
// fingerprint and n.
func uniqueFingerprints(findings []Finding) []string {
	out := make([]string, len(findings))
	seen := map[string]int{}
	for i, f := range findings {
		fp := Fingerprint(f)
		seen[fp]++
		if n := seen[fp]; n > 1 {
			sum := sha256.Sum256([]byte(fp + "\x00" + fmt.Sprint(n)))
			fp = hex.EncodeToString(sum[:16])
		}
		out[i] = fp
	}
	return out
}
