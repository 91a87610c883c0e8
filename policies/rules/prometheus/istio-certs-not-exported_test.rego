package meshlint.rules.prometheus.istio_certs_not_exported_test

import data.meshlint.rules.prometheus.istio_certs_not_exported as rule

good_export := {
	"proxyConfigSet": true, "proxyConfigError": "", "outputCerts": "/etc/istio-output-certs",
	"userMountSet": true, "userMountError": "",
	"userMounts": [{"name": "istio-certs", "mountPath": "/etc/istio-output-certs", "volumeExists": true}],
	"writtenVolume": "istio-certs", "writtenPath": "/etc/istio-output-certs",
}

prom(export, dirs) := {
	"resource": 4, "kind": "Prometheus", "name": "monitoring/k8s", "usesIstioCerts": true, "annotationsPointer": "/spec/podMetadata/annotations",
	"certUsers": [{"resource": 2, "pointer": "/spec/endpoints/0/tlsConfig", "message": "ServiceMonitor shop/cart"}],
	"certDirs": dirs, "export": export,
}

mounted_dir := [{"dir": "/etc/prom-certs", "mounted": true, "mountName": "istio-certs"}]

test_the_istio_recipe_is_accepted if {
	count(rule.report) == 0 with input as {"prometheuses": [prom(good_export, mounted_dir)]}
}

test_missing_proxy_config_is_reported if {
	export := object.union(good_export, {"proxyConfigSet": false, "outputCerts": "", "writtenVolume": ""})
	findings := rule.report with input as {"prometheuses": [prom(export, mounted_dir)]}
	some f in findings
	contains(f.message, "no proxy.istio.io/config")
}

test_missing_user_volume_mount_is_reported if {
	export := object.union(good_export, {"userMountSet": false, "userMounts": [], "writtenVolume": ""})
	findings := rule.report with input as {"prometheuses": [prom(export, mounted_dir)]}
	count(findings) == 1
	some f in findings
	contains(f.message, "no sidecar.istio.io/userVolumeMount")
}

test_output_certs_elsewhere_is_reported if {
	export := object.union(good_export, {"outputCerts": "/etc/certs", "writtenVolume": ""})
	findings := rule.report with input as {"prometheuses": [prom(export, mounted_dir)]}
	some f in findings
	contains(f.message, "OUTPUT_CERTS is /etc/certs")
}

test_different_volume_is_reported if {
	dirs := [{"dir": "/etc/prom-certs", "mounted": true, "mountName": "other"}]
	findings := rule.report with input as {"prometheuses": [prom(good_export, dirs)]}
	some f in findings
	contains(f.message, "volume \"other\"")
}

test_unknown_volume_is_reported if {
	export := object.union(good_export, {"userMounts": [{"name": "istio-certs", "mountPath": "/etc/istio-output-certs", "volumeExists": false}]})
	findings := rule.report with input as {"prometheuses": [prom(export, mounted_dir)]}
	some f in findings
	contains(f.message, "not in spec.volumes")
}

test_prometheus_without_istio_monitors_is_ignored if {
	p := object.union(prom(object.union(good_export, {"proxyConfigSet": false}), []), {"usesIstioCerts": false})
	count(rule.report) == 0 with input as {"prometheuses": [p]}
}
