# METADATA
# title: PERMISSIVE exception that nothing uses
# description: >-
#   A PERMISSIVE `portLevelMtls` entry on a port of STRICT workloads that no
#   monitor in the input scrapes, that no `prometheus.io` annotation names, and
#   that no Service exposes. Nothing seems to need plaintext there, so the entry
#   is an unneeded hole in STRICT (a leftover after metrics moved to https or
#   merging, or after the port changed). Ports no selected workload declares are
#   left to port-level-mtls-unknown-port, ports the sidecar never intercepts to
#   exception-on-uncaptured-port.
# custom:
#   id: unused-metrics-exception
#   severity: note
#   category: peerauthentication
#   tags: [security]
#   security-severity: "3.5"
#   tier: full
#   semantics: "docs/model.md#mtls-mode-resolution, docs/model.md#port-exception-pitfalls"
#   fix: >-
#     Remove the entry if nothing scrapes the port in plaintext any more;
#     otherwise add the monitor (or the annotation) that does to the input.
package meshlint.rules.peerauthentication.unused_metrics_exception

import data.meshlint.lib

report contains finding if {
	some pa in input.peerAuthReview.policies
	pa.scope == "workload"
	count(pa.workloads.selected) > 0
	some p in pa.ports
	p.mode == "PERMISSIVE"
	p.baseStrict
	count(p.declaredOn) > 0
	not p.istioPort
	not uncaptured_everywhere(p)
	not p.servicePortMisuse
	count(p.targetedBy) == 0
	count(p.scrapedBy) == 0
	msg := sprintf(
		"portLevelMtls key %d of PeerAuthentication %s opens container port %d of %s to plaintext, but no monitor or prometheus.io annotation in the input scrapes it and no Service exposes it: an unneeded hole in STRICT",
		[p.port, pa.name, p.port, concat(", ", p.declaredOn)],
	)
	finding := lib.finding(pa.resource, p.pointer, msg, pa.workloads.selected, object.get(p, "assumptions", []))
}

uncaptured_everywhere(p) if {
	count(p.uncaptured) > 0
	p.captured == 0
}
