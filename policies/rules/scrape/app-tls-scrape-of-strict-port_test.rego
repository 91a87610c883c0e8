package meshlint.rules.scrape.app_tls_scrape_of_strict_port_test

import data.meshlint.rules.scrape.app_tls_scrape_of_strict_port as rule

target(requirement) := {
	"requirement": requirement, "chain": "Service ops/op port https (8443) -> targetPort 8443 -> container port 8443 of Deployment ops/op",
	"modeExplain": "STRICT (PeerAuthentication ops/default, namespace-wide)", "why": "Deployment ops/op gets a sidecar because x",
	"appTLS": "", "related": [], "assumptions": [],
}

scrape(tls) := {
	"monitor": 4, "kind": "ServiceMonitor", "certsUnavailable": "", "endpoint": 0, "scheme": "https", "appTLS": "",
	"tls": object.union({
		"pointer": "/spec/endpoints/0/tlsConfig", "clientCert": "", "classKnown": true, "istioCA": false,
		"skipVerify": false, "certFiles": [], "fromClass": false, "class": "",
	}, tls),
	"targets": [target("mtls")],
}

test_only_skip_verify_is_reported if {
	findings := rule.report with input as {"scrapes": [scrape({"skipVerify": true})]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/endpoints/0/tlsConfig"
	contains(f.message, "it only sets insecureSkipVerify")
	not f.severity
}

test_only_istio_ca_is_reported if {
	s := scrape({"istioCA": true, "certFiles": [{"message": "/etc/prom-certs/root-cert.pem"}]})
	some f in rule.report with input as {"scrapes": [s]}
	contains(f.message, "only Istio's CA file (/etc/prom-certs/root-cert.pem)")
}

test_app_own_tls_names_the_sign if {
	s := object.union(scrape({}), {"appTLS": "its tlsConfig expects serverName \"op.ops.svc\" in the app's certificate"})
	some f in rule.report with input as {"scrapes": [s]}
	contains(f.message, "it presents no client certificate")
	contains(f.message, "must serve plaintext on that port")
}

test_foreign_client_cert_is_a_warning if {
	some f in rule.report with input as {"scrapes": [scrape({"clientCert": "other"})]}
	f.severity == "warning"
}

test_istio_client_cert_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape({"clientCert": "istio"})]}
}

test_other_owners_stay_silent if {
	count(rule.report) == 0 with input as {"scrapes": [object.union(scrape({}), {"scheme": "http"})]}
	count(rule.report) == 0 with input as {"scrapes": [object.union(scrape({}), {"kind": "PodMonitor", "certsUnavailable": "A PodMonitor cannot reference Istio's cert files"})]}
	count(rule.report) == 0 with input as {"scrapes": [scrape({"classKnown": false})]}
	count(rule.report) == 0 with input as {"scrapes": [object.union(scrape({}), {"targets": [target("plaintext"), target("any")]})]}
}
