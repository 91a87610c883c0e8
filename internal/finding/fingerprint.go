package finding

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/meshlint/meshlint/internal/k8s"
)

// Fingerprint identifies a finding by what it is about, never by where it
// sits: the rule, the resource's API group, kind, namespace and name, and
// the JSON pointer of the field. Lines can move, files can be split or
// renamed, messages can be reworded, and the fingerprint holds. The API
// version is left out on purpose: moving a PeerAuthentication from
// security.istio.io/v1beta1 to v1 is not a new problem. Findings without a
// resource (a file that is not valid YAML) fall back to the file they are
// in.
//
// It is the one recipe: baseline files store this value (internal/baseline),
// and SARIF and GitLab publish it (internal/report), so the bytes hashed here
// must never change: an existing baseline would stop matching. A new recipe
// needs a new baseline version and a new SARIF fingerprint key.
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
