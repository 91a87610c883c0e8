# METADATA
# title: Istio pod annotations on the wrong metadata
# description: >-
#   An Istio or Prometheus pod annotation or label (`sidecar.istio.io/*`,
#   `proxy.istio.io/config`, `traffic.sidecar.istio.io/*`, `prometheus.io/*`,
#   `prometheus.istio.io/*`) sits on a controller's own metadata (Deployment,
#   StatefulSet, DaemonSet, Job, CronJob, Rollout, ...) or on a Prometheus CR's
#   `metadata`, and its pod template (`spec.podMetadata` for a Prometheus)
#   does not carry it. The Istio injector, and Prometheus's annotation-based
#   pod discovery, read pod metadata only, so the key has no effect.
# custom:
#   id: istio-annotations-misplaced
#   severity: error
#   category: prometheus
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#injection-decision, docs/model.md#prometheus-pod-metadata"
#   fix: >-
#     Move the key to the pod template's metadata (`spec.template.metadata`),
#     or to `spec.podMetadata` of a Prometheus CR, as a label or annotation as
#     Istio documents it.
package meshlint.rules.prometheus.istio_annotations_misplaced

import data.meshlint.lib

prefixes := ["sidecar.istio.io/", "traffic.sidecar.istio.io/", "prometheus.io/", "prometheus.istio.io/"]

report contains finding if {
	some c in input.controllers
	some k in c.keys
	pod_key(k.key)
	msg := sprintf("%s %s is on the own metadata of %s, where %s; it has no effect there: move it to %s.%s", [
		singular(k.field), k.key, c.name, reader(k.key), c.podMetadata, k.field,
	])
	related := [lib.loc(c.resource, c.podMetadataPointer, "pod metadata")]
	finding := lib.finding(c.resource, k.pointer, msg, related, [])
}

pod_key(key) if {
	some p in prefixes
	startswith(key, p)
}

pod_key("proxy.istio.io/config")

singular("annotations") := "annotation"

singular("labels") := "label"

reader(key) := "Prometheus's annotation-based pod discovery never looks" if startswith(key, "prometheus.io/")

reader(key) := "the Istio injector never looks (it reads pod metadata only)" if not startswith(key, "prometheus.io/")
