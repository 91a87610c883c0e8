package loader

import (
	"strings"
	"sync"
)

// detach copies a string out of the file's text. The fast decoders return
// slices of the text; what is kept of a document (its identity, and the
// names and labels the caller takes from it) would otherwise keep the whole
// file in memory after its text is released (Options.ReleaseTexts). Words
// that recur in every manifest are shared instead of copied.
func detach(s string) string {
	if w, ok := commonWords[s]; ok {
		return w
	}
	return strings.Clone(s)
}

// sharedIdentity is detach for a document's apiVersion or kind: a
// repository has a few dozen of each, whichever they are, and every
// document keeps its own, so each is copied once and shared. Past
// maxIdentities (a hostile input of made-up kinds) they are copied.
func sharedIdentity(s string) string {
	if w, ok := commonWords[s]; ok {
		return w
	}
	identities.RLock()
	w, ok := identities.m[s]
	identities.RUnlock()
	if ok {
		return w
	}
	identities.Lock()
	defer identities.Unlock()
	if w, ok := identities.m[s]; ok {
		return w
	}
	w = strings.Clone(s)
	if len(identities.m) < maxIdentities {
		identities.m[w] = w
	}
	return w
}

const maxIdentities = 4096

// identities are the shared apiVersions and kinds, read by every loader
// worker.
var identities = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

var commonWords = func() map[string]string {
	words := strings.Fields(`
		apiVersion kind metadata name namespace labels annotations spec status data stringData type items
		v1 apps/v1 batch/v1
		Namespace Service Deployment StatefulSet DaemonSet Pod Job CronJob ConfigMap Secret ServiceAccount
		Role RoleBinding ClusterRole ClusterRoleBinding
		selector matchLabels matchExpressions template containers initContainers image imagePullPolicy
		ports port targetPort containerPort protocol TCP UDP http https metrics http-metrics web grpc
		env value valueFrom fieldRef fieldPath resources requests limits cpu memory args command
		securityContext runAsNonRoot runAsUser allowPrivilegeEscalation readOnlyRootFilesystem
		readinessProbe livenessProbe startupProbe httpGet path volumeMounts mountPath volumes configMap emptyDir
		replicas serviceAccountName endpoints interval scheme tlsConfig caFile certFile keyFile
		insecureSkipVerify namespaceSelector mode
		app version team release enabled disabled true false
		app.kubernetes.io/name app.kubernetes.io/instance app.kubernetes.io/component app.kubernetes.io/part-of
		app.kubernetes.io/managed-by app.kubernetes.io/version
		/metrics /healthz 30s 15s 60s`)
	m := make(map[string]string, len(words))
	for _, w := range words {
		m[w] = w
	}
	return m
}()
