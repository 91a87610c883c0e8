// Package k8s answers questions about Kubernetes object identity that
// several stages ask (which API group an apiVersion names, which kinds never
// take a namespace), so that they get one answer.
package k8s

import "strings"

// APIGroup drops the version of an apiVersion: "security.istio.io/v1" ->
// "security.istio.io", "v1" -> "" (the core group). A finding keyed on the
// group survives a resource moving from v1beta1 to v1.
func APIGroup(apiVersion string) string {
	if i := strings.LastIndexByte(apiVersion, '/'); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// ClusterScoped reports whether objects of kind never take a namespace: the
// namespace of such an object is "", whatever the default namespace, a Helm
// release namespace or a Kustomize/Flux targetNamespace says.
//
// The built-in kinds are those `kubectl api-resources --namespaced=false`
// lists (https://kubernetes.io/docs/reference/kubernetes-api/); MeshPolicy
// is Istio's former mesh-wide authentication policy
// (authentication.istio.io/v1alpha1) and ClusterIssuer cert-manager's
// (https://cert-manager.io/docs/concepts/issuer/), both cluster-scoped.
func ClusterScoped(kind string) bool {
	switch kind {
	case "Namespace", "Node", "PersistentVolume", "ComponentStatus",
		"ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "APIService",
		"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
		"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
		"StorageClass", "CSIDriver", "CSINode", "VolumeAttachment",
		"PriorityClass", "RuntimeClass", "IngressClass", "CertificateSigningRequest",
		"FlowSchema", "PriorityLevelConfiguration",
		"MeshPolicy", "ClusterIssuer":
		return true
	}
	return false
}
