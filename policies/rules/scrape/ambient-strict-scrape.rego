# METADATA
# title: STRICT ambient workload scraped from outside ambient
# description: >-
#   The endpoint reaches a port that is STRICT on an ambient workload (no
#   sidecar; enrolled through `istio.io/dataplane-mode=ambient`), but the
#   Prometheus that scrapes it is not itself enrolled in ambient (it has a
#   sidecar, or no data plane at all), or the endpoint uses the sidecar-cert
#   recipe (https with Istio's exported cert files). ztunnel enforces STRICT by
#   denying connections that carry no mesh identity, and only HBONE carries
#   one: neither plaintext from outside the mesh, a sidecar dialing a pod IP,
#   nor TLS with sidecar-exported certs does [infer]. An ambient workload
#   that asks to be scraped with `prometheus.io/scrape: "true"` is reported
#   too, when an annotation-driven job in the input (a Prometheus config or a
#   monitor keeping pods by that annotation) reaches one of its STRICT ports
#   from outside ambient: ztunnel's static STRICT policy denies it
#   (istio pilot/pkg/serviceregistry/ambient/authorization.go), and no agent
#   merges metrics onto a plaintext port in ambient. A raw scrape config is
#   taken to run in its own namespace, and is reported only when the input
#   holds workloads there and none is enrolled in ambient.
# custom:
#   id: ambient-strict-scrape
#   severity: warning
#   category: scrape
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#ambient-enrollment, docs/model.md#ambient-peer-authentication, docs/model.md#big-bang-ambient"
#   fix: >-
#     Enroll the Prometheus pod in ambient (label its namespace or pod
#     `istio.io/dataplane-mode=ambient`, with no sidecar) and scrape over http;
#     drop the Istio `tlsConfig` and the cert export.
package meshlint.rules.scrape.ambient_strict_scrape

import data.meshlint.lib

report contains finding if {
	some s in input.scrapes
	some t in s.targets
	t.requirement == "ambient-strict"
	reasons := array.concat(
		[sprintf("it uses the sidecar-cert recipe (Istio cert files %s)%s, which reaches ztunnel as raw TLS, not HBONE", [lib.cert_files(s.tls), lib.class_note(s.tls)]) | recipe(s)],
		[sprintf("Prometheus %s is not enrolled in ambient: %s", [p.name, enrollment(p)]) | some p in outside_ambient(s)],
	)
	count(reasons) > 0
	msg := sprintf("endpoint %d scrapes %s, which is %s and %s; ztunnel denies connections without a mesh identity there, but %s, so this target is down", [
		s.endpoint, t.chain, t.modeExplain, t.why, concat(", and ", reasons),
	])
	related := array.concat(t.related, [lib.loc(p.injection.decider.resource, p.injection.decider.pointer, "decides the Prometheus data plane") |
		some p in outside_ambient(s)
		p.injection.decider != null
	])
	finding := lib.finding(s.monitor, anchor(s), msg, related, t.assumptions)
}

report contains finding if {
	some w in input.ambientAnnotationScrapes
	count(w.strictPorts) > 0
	count(w.jobs) > 0
	ports := concat(", ", [sprintf("%d is %s", [p.port, p.modeExplain]) | some p in w.strictPorts])
	jobs := concat("; ", [sprintf("%s (%s)", [j.name, j.outside]) | some j in w.jobs])
	msg := sprintf("%s (%s) is enrolled in ambient because %s, and port %s; ztunnel denies connections without a mesh identity there, but the annotation-driven scrape job reaches it from outside ambient: %s, so this target is down", [
		w.workload, w.annotationsText, w.why, ports, jobs,
	])
	related := array.concat(
		array.concat([j.loc | some j in w.jobs], [p.source | some p in w.strictPorts; p.source != null]),
		[j.decider | some j in w.jobs; j.decider != null],
	)
	finding := lib.finding(w.resource, w.scrapePointer, msg, related, w.assumptions)
}

# outside_ambient lists the Prometheus scraping s whose pod is not enrolled
# in ambient. A Prometheus whose data plane is unknown is not listed.
outside_ambient(s) := [p |
	s.prometheus != null
	some p in input.prometheuses
	p.resource == s.prometheus.resource
	p.injection.dataplane in {"none", "sidecar"}
]

recipe(s) if {
	s.tls.istio
	s.scheme == "https"
}

recipe(s) if {
	s.tls.istio
	s.tls.istioIntent
}

enrollment(p) := sprintf("it gets a sidecar (%s), and a sidecar dialing a pod IP sends no HBONE", [p.injection.reason]) if {
	p.injection.dataplane == "sidecar"
}

enrollment(p) := sprintf("it is outside the mesh (%s)", [p.injection.reason]) if {
	p.injection.dataplane == "none"
}

anchor(s) := s.tls.pointer if recipe(s)

anchor(s) := s.pointer if not recipe(s)
