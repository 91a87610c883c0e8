package meshlint.rules.scrape.istio_tls_without_skip_verify_test

import data.meshlint.rules.scrape.istio_tls_without_skip_verify as rule

scrape(scheme, skip) := scrape_ca(scheme, skip, true)

scrape_ca(scheme, skip, istio_ca) := {
	"monitor": 2, "endpoint": 0, "scheme": scheme,
	"tls": {
		"istio": true, "istioCA": istio_ca, "skipVerify": skip, "skipVerifyPointer": "/spec/endpoints/0/tlsConfig", "fromClass": false, "class": "",
		"certFiles": [{"message": "/etc/prom-certs/cert-chain.pem"}],
	},
}

test_missing_skip_verify_is_reported if {
	findings := rule.report with input as {"scrapes": [scrape("https", false)]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/endpoints/0/tlsConfig"
}

test_skip_verify_true_is_fine if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("https", true)]}
}

test_http_is_left_to_istio_tls_without_https if {
	count(rule.report) == 0 with input as {"scrapes": [scrape("http", false)]}
}

test_own_ca_with_istio_client_cert_is_fine if {
	# kube-apiserver verified with its own CA while a default scrape class
	# supplies the Istio client certificate
	count(rule.report) == 0 with input as {"scrapes": [scrape_ca("https", false, false)]}
}

test_istio_client_cert_to_strict_port_without_ca_is_reported if {
	s := object.union(scrape_ca("https", false, false), {
		"appTLS": "",
		"tls": object.union(scrape_ca("https", false, false).tls, {"istioIntent": true}),
		"targets": [{"requirement": "mtls"}],
	})
	count(rule.report) == 1 with input as {"scrapes": [s]}
}

test_istio_client_cert_to_app_tls_port_is_fine if {
	s := object.union(scrape_ca("https", false, false), {
		"appTLS": "the endpoint sets serverName",
		"tls": object.union(scrape_ca("https", false, false).tls, {"istioIntent": true}),
		"targets": [{"requirement": "mtls"}],
	})
	count(rule.report) == 0 with input as {"scrapes": [s]}
}

test_no_client_cert_to_strict_port_is_left_to_app_tls if {
	s := object.union(scrape("https", false), {
		"kind": "ServiceMonitor", "certsUnavailable": "",
		"tls": object.union(scrape("https", false).tls, {"clientCert": "", "classKnown": true}),
		"targets": [{"requirement": "mtls"}],
	})
	count(rule.report) == 0 with input as {"scrapes": [s]}
	count(rule.report) == 1 with input as {"scrapes": [object.union(s, {"targets": [{"requirement": "plaintext"}]})]}
}
