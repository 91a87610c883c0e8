package k8s

import "testing"

func TestAPIGroup(t *testing.T) {
	for in, want := range map[string]string{
		"security.istio.io/v1":           "security.istio.io",
		"security.istio.io/v1beta1":      "security.istio.io",
		"v1":                             "",
		"":                               "",
		"monitoring.coreos.com/v1alpha1": "monitoring.coreos.com",
	} {
		if got := APIGroup(in); got != want {
			t.Errorf("APIGroup(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClusterScoped(t *testing.T) {
	for _, kind := range []string{"Namespace", "ClusterRole", "CustomResourceDefinition", "APIService", "IngressClass", "MeshPolicy", "ClusterIssuer"} {
		if !ClusterScoped(kind) {
			t.Errorf("ClusterScoped(%q) = false, want true", kind)
		}
	}
	// Namespaced kinds, including the mesh ones whose names sound global.
	for _, kind := range []string{"Service", "Role", "RoleBinding", "PeerAuthentication", "ServiceMonitor", "Prometheus", "Issuer", ""} {
		if ClusterScoped(kind) {
			t.Errorf("ClusterScoped(%q) = true, want false", kind)
		}
	}
}
