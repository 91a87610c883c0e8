# METADATA
# title: Prometheus does not export Istio certs
# description: >-
#   Monitors this Prometheus selects use Istio cert files, but its pod does not
#   ask the sidecar to write them: no `proxy.istio.io/config` with
#   `proxyMetadata.OUTPUT_CERTS`, no `sidecar.istio.io/userVolumeMount`, a user
#   volume mount naming a volume that does not exist, OUTPUT_CERTS that is not
#   that mount's path, or a Prometheus container that mounts a different volume
#   than the one the sidecar writes (matched by volume name, not path).
# custom:
#   id: istio-certs-not-exported
#   severity: error
#   category: prometheus
#   tags: [reliability]
#   tier: core
#   semantics: "docs/model.md#cert-export"
#   fix: >-
#     Follow Istio's recipe in `spec.podMetadata.annotations`:
#     `proxy.istio.io/config: "proxyMetadata: {OUTPUT_CERTS: /etc/istio-output-certs}"`,
#     `sidecar.istio.io/userVolumeMount: '[{"name": "istio-certs", "mountPath": "/etc/istio-output-certs"}]'`,
#     an `istio-certs` volume (`emptyDir: {medium: Memory}`) and a volumeMount of
#     that same volume in the Prometheus container.
package meshlint.rules.prometheus.istio_certs_not_exported

import data.meshlint.lib

users(p) := [lib.loc(u.resource, u.pointer, sprintf("%s uses Istio certs", [u.message])) | some u in p.certUsers]

report contains finding if {
	some [i, problem] in problems
	p := input.prometheuses[i]
	finding := lib.finding(p.resource, p.annotationsPointer, sprintf("%s %s: %s", [p.kind, p.name, problem]), users(p), [])
}

# relying lists the Prometheuses whose monitors use Istio certs, by index.
relying contains i if {
	some i, p in input.prometheuses
	p.usesIstioCerts
}

problems contains [i, "its pod has no proxy.istio.io/config annotation with proxyMetadata.OUTPUT_CERTS, so the sidecar never writes Istio certs for Prometheus to read"] if {
	some i in relying
	not input.prometheuses[i].export.proxyConfigSet
}

problems contains [i, p.export.proxyConfigError] if {
	some i in relying
	p := input.prometheuses[i]
	p.export.proxyConfigError != ""
}

problems contains [i, "proxy.istio.io/config sets no proxyMetadata.OUTPUT_CERTS, so the sidecar never writes Istio certs for Prometheus to read"] if {
	some i in relying
	p := input.prometheuses[i]
	p.export.proxyConfigSet
	p.export.proxyConfigError == ""
	p.export.outputCerts == ""
}

problems contains [i, "its pod has no sidecar.istio.io/userVolumeMount annotation, so the cert volume is not mounted into the sidecar and the certs never reach Prometheus"] if {
	some i in relying
	not input.prometheuses[i].export.userMountSet
}

problems contains [i, p.export.userMountError] if {
	some i in relying
	p := input.prometheuses[i]
	p.export.userMountError != ""
}

problems contains [i, msg] if {
	some i in relying
	some m in input.prometheuses[i].export.userMounts
	not m.volumeExists
	msg := sprintf("sidecar.istio.io/userVolumeMount names volume %q, which is not in spec.volumes", [m.name])
}

problems contains [i, msg] if {
	some i in relying
	p := input.prometheuses[i]
	p.export.outputCerts != ""
	count(p.export.userMounts) > 0
	p.export.writtenVolume == ""
	paths := concat(", ", [m.mountPath | some m in p.export.userMounts])
	msg := sprintf("OUTPUT_CERTS is %s, but the sidecar mounts its user volumes at %s, so the certs land outside the shared volume", [p.export.outputCerts, paths])
}

problems contains [i, msg] if {
	some i in relying
	p := input.prometheuses[i]
	p.export.writtenVolume != ""
	some d in p.certDirs
	d.mounted
	d.mountName != p.export.writtenVolume
	msg := sprintf("the sidecar writes certs to volume %q, but the prometheus container reads %s from volume %q", [p.export.writtenVolume, d.dir, d.mountName])
}
