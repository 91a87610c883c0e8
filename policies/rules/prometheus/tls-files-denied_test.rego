package meshlint.rules.prometheus.tls_files_denied_test

import data.meshlint.rules.prometheus.tls_files_denied as rule

denied := {
	"endpoint": 0, "pointer": "/spec/endpoints/0/tlsConfig/caFile",
	"fields": ["tlsConfig.caFile /etc/prom-certs/root-cert.pem", "bearerTokenFile /var/run/secrets/kubernetes.io/serviceaccount/token"],
	"prometheus": {"resource": 5, "pointer": "/spec/arbitraryFSAccessThroughSMs/deny", "message": "Prometheus monitoring/k8s"},
}

test_file_access_is_reported if {
	findings := rule.report with input as {"monitors": [{"resource": 2, "name": "ServiceMonitor shop/cart", "deniedFiles": [denied]}]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/endpoints/0/tlsConfig/caFile"
	contains(f.message, "tlsConfig.caFile /etc/prom-certs/root-cert.pem, bearerTokenFile")
	contains(f.message, "Prometheus monitoring/k8s sets arbitraryFSAccessThroughSMs.deny: true")
	f.related[0].pointer == "/spec/arbitraryFSAccessThroughSMs/deny"
}

test_no_file_access_is_fine if {
	count(rule.report) == 0 with input as {"monitors": [{"resource": 2, "name": "ServiceMonitor shop/cart", "deniedFiles": []}]}
}
