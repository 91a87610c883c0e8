package meshlint.rules.prometheus.istio_certs_not_mounted_test

import data.meshlint.rules.prometheus.istio_certs_not_mounted as rule

prom(mounted) := {
	"resource": 9, "kind": "Prometheus", "container": "prometheus", "name": "monitoring/k8s", "volumeMountsPointer": "/spec/volumeMounts",
	"certDirs": [{
		"dir": "/etc/prom-certs", "mounted": mounted, "usersText": "ServiceMonitor shop/cart",
		"users": [{"resource": 2, "pointer": "/spec/endpoints/0/tlsConfig/caFile", "message": "/etc/prom-certs/root-cert.pem"}],
	}],
}

test_unmounted_cert_dir_is_reported if {
	findings := rule.report with input as {"prometheuses": [prom(false)]}
	count(findings) == 1
	some f in findings
	f.resource == 9
	contains(f.message, "/etc/prom-certs")
	count(f.related) == 1
}

test_mounted_cert_dir_is_fine if {
	count(rule.report) == 0 with input as {"prometheuses": [prom(true)]}
}
