# A custom meshlint rule: a worked example for docs/custom-policies.md.
#
# Istio lets a PERMISSIVE port accept plaintext, so an http scrape of it
# works, and no built-in rule complains. This team's policy is stricter:
# metrics inside the mesh travel over mutual TLS too. Run it with
#
#   meshlint --policy examples/policies ./manifests
#
# METADATA
# title: Plaintext scrape inside the mesh
# description: >-
#   A ServiceMonitor or PodMonitor endpoint scrapes a port behind an Istio
#   sidecar over plain http because the port is PERMISSIVE or DISABLE. The
#   scrape works, but the metrics cross the network unencrypted and
#   unauthenticated, which our platform policy does not allow.
# custom:
#   id: plaintext-scrape-in-mesh
#   severity: warning
#   category: org
#   fix: >-
#     Scrape with `scheme: https` and the Istio certs Prometheus exports, and
#     make the port STRICT; or use Istio metrics merging.
package meshlint.rules.org.plaintext_scrape_in_mesh

import data.meshlint.lib

report contains finding if {
	some s in input.scrapes
	s.scheme == "http"
	some t in s.targets
	t.requirement == "plaintext" # a sidecar port that accepts plaintext: PERMISSIVE or DISABLE
	msg := sprintf(
		"endpoint %d scrapes %s over plaintext http (%s); team policy requires mutual TLS for metrics inside the mesh",
		[s.endpoint, t.chain, t.modeExplain],
	)
	finding := lib.finding(s.monitor, s.schemePointer, msg, t.related, t.assumptions)
}
