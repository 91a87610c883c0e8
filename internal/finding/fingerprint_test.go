package finding

import "testing"

func fpFinding(rule, apiVersion, kind, ns, name, path, file string, line int, msg string) Finding {
	return Finding{Place: Place{File: file, Line: line, Column: 3, Path: path}, Rule: rule, Severity: "error",
		Message: msg, Resource: &Resource{APIVersion: apiVersion, Kind: kind, Namespace: ns, Name: name}}
}

func TestFingerprintIgnoresPlaceAndWording(t *testing.T) {
	a := fpFinding("r", "security.istio.io/v1beta1", "PeerAuthentication", "shop", "default", "/spec/mtls", "a.yaml", 7, "one wording")
	same := []Finding{
		fpFinding("r", "security.istio.io/v1beta1", "PeerAuthentication", "shop", "default", "/spec/mtls", "a.yaml", 90, "one wording"),
		fpFinding("r", "security.istio.io/v1beta1", "PeerAuthentication", "shop", "default", "/spec/mtls", "moved/b.yaml", 7, "one wording"),
		fpFinding("r", "security.istio.io/v1beta1", "PeerAuthentication", "shop", "default", "/spec/mtls", "a.yaml", 7, "reworded"),
		fpFinding("r", "security.istio.io/v1", "PeerAuthentication", "shop", "default", "/spec/mtls", "a.yaml", 7, "new API version"),
	}
	for _, f := range same {
		if Fingerprint(f) != Fingerprint(a) {
			t.Errorf("fingerprint changed for %+v", f)
		}
	}
	different := []Finding{
		fpFinding("s", "security.istio.io/v1beta1", "PeerAuthentication", "shop", "default", "/spec/mtls", "a.yaml", 7, "one wording"),
		fpFinding("r", "networking.istio.io/v1beta1", "PeerAuthentication", "shop", "default", "/spec/mtls", "a.yaml", 7, "one wording"),
		fpFinding("r", "security.istio.io/v1beta1", "AuthorizationPolicy", "shop", "default", "/spec/mtls", "a.yaml", 7, "one wording"),
		fpFinding("r", "security.istio.io/v1beta1", "PeerAuthentication", "cart", "default", "/spec/mtls", "a.yaml", 7, "one wording"),
		fpFinding("r", "security.istio.io/v1beta1", "PeerAuthentication", "shop", "other", "/spec/mtls", "a.yaml", 7, "one wording"),
		fpFinding("r", "security.istio.io/v1beta1", "PeerAuthentication", "shop", "default", "/spec/portLevelMtls", "a.yaml", 7, "one wording"),
	}
	for _, f := range different {
		if Fingerprint(f) == Fingerprint(a) {
			t.Errorf("fingerprint collides for %+v", f)
		}
	}
	// Findings without a resource are told apart by file.
	x := Finding{Place: Place{File: "x.yaml", Line: 3}, Rule: "invalid-manifest"}
	y := Finding{Place: Place{File: "y.yaml", Line: 3}, Rule: "invalid-manifest"}
	if Fingerprint(x) == Fingerprint(y) {
		t.Error("resource-less findings in different files collide")
	}
}

// TestFingerprintRecipeIsFrozen pins the recipe: baseline files written by
// earlier releases store these values, and SARIF alerts under
// report.FingerprintKey are matched on them. A change here needs a new
// baseline version and a new report.FingerprintKey.
func TestFingerprintRecipeIsFrozen(t *testing.T) {
	for want, f := range map[string]Finding{
		"dfd4e0d22e7e508b8a8c47e91d716836": fpFinding("plaintext-scrape-of-strict-port", "monitoring.coreos.com/v1", "ServiceMonitor", "shop", "cart", "/spec/endpoints/0", "app.yaml", 54, "m"),
		"94fe349a39ba4e5a1318e569f5158ee6": fpFinding("port-level-mtls-on-service-port", "security.istio.io/v1", "PeerAuthentication", "shop", "cart-metrics", "/spec/portLevelMtls/8080", "app.yaml", 24, "m"),
	} {
		if got := Fingerprint(f); got != want {
			t.Errorf("Fingerprint(%s on %s) = %s, want %s as written by earlier releases", f.Rule, f.Resource.Kind, got, want)
		}
	}
}
