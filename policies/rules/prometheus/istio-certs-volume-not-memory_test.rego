package meshlint.rules.prometheus.istio_certs_volume_not_memory_test

import data.meshlint.rules.prometheus.istio_certs_volume_not_memory as rule

prom(volume) := {"resource": 1, "kind": "Prometheus", "name": "monitoring/k8s", "usesIstioCerts": true, "certVolumes": ["istio-certs"], "volumes": [volume]}

test_memory_volume_is_fine if {
	v := {"name": "istio-certs", "pointer": "/spec/volumes/0", "emptyDir": true, "medium": "Memory", "mediumPointer": "/spec/volumes/0/emptyDir/medium"}
	count(rule.report) == 0 with input as {"prometheuses": [prom(v)]}
}

test_disk_emptydir_is_reported_at_emptydir if {
	v := {"name": "istio-certs", "pointer": "/spec/volumes/0", "emptyDir": true, "medium": "", "mediumPointer": "/spec/volumes/0/emptyDir"}
	findings := rule.report with input as {"prometheuses": [prom(v)]}
	some f in findings
	f.pointer == "/spec/volumes/0/emptyDir"
	contains(f.message, "medium: Memory")
}

test_other_volume_type_is_reported if {
	v := {"name": "istio-certs", "pointer": "/spec/volumes/0", "emptyDir": false, "medium": "", "mediumPointer": ""}
	findings := rule.report with input as {"prometheuses": [prom(v)]}
	some f in findings
	f.pointer == "/spec/volumes/0"
}

test_unrelated_volume_is_ignored if {
	v := {"name": "data", "pointer": "/spec/volumes/0", "emptyDir": false, "medium": "", "mediumPointer": ""}
	count(rule.report) == 0 with input as {"prometheuses": [prom(v)]}
}
