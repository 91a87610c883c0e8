# METADATA
# title: Istio cert directory not mounted in Prometheus
# description: >-
#   A monitor that this Prometheus selects reads Istio cert files from a
#   directory that is no volumeMounts path of the Prometheus container. The
#   files do not exist there, so every scrape that uses them fails.
# custom:
#   id: istio-certs-not-mounted
#   severity: error
#   category: prometheus
#   tags: [reliability]
#   tier: core
#   semantics: "docs/model.md#cert-volume, docs/model.md#cert-export, docs/model.md#prometheus-volumes"
#   fix: >-
#     Mount the volume the sidecar writes certs into at that path in
#     `spec.volumeMounts` (Big Bang uses `/etc/prom-certs/`), or point the
#     monitor's cert files at the path that is mounted. Paths only need to agree.
package meshlint.rules.prometheus.istio_certs_not_mounted

import data.meshlint.lib

report contains finding if {
	some p in input.prometheuses
	some d in p.certDirs
	not d.mounted
	msg := sprintf(
		"%s reads Istio certs from %s, but %s %s mounts nothing at that path in its %s container; the cert files do not exist and those scrapes fail",
		[d.usersText, d.dir, p.kind, p.name, p.container],
	)
	related := [lib.loc(u.resource, u.pointer, sprintf("reads %s", [u.message])) | some u in d.users]
	finding := lib.finding(p.resource, p.volumeMountsPointer, msg, related, [])
}
