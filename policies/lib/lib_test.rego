package meshlint.lib_test

import data.meshlint.lib

test_class_note_names_the_class if {
	lib.class_note({"fromClass": true, "class": "istio-mtls"}) == " (from scrape class \"istio-mtls\")"
}

test_class_note_empty_without_class if {
	lib.class_note({"fromClass": false, "class": ""}) == ""
}

test_cert_files_joins_paths if {
	lib.cert_files({"certFiles": [{"message": "/etc/prom-certs/root-cert.pem"}, {"message": "/etc/prom-certs/key.pem"}]}) == "/etc/prom-certs/root-cert.pem, /etc/prom-certs/key.pem"
}

test_no_client_cert_to_strict if {
	s := {"scheme": "https", "kind": "ServiceMonitor", "certsUnavailable": "", "tls": {"clientCert": "", "classKnown": true}, "targets": [{"requirement": "mtls"}]}
	lib.no_client_cert_to_strict(s)
	not lib.no_client_cert_to_strict(object.union(s, {"tls": {"clientCert": "istio", "classKnown": true}}))
	not lib.no_client_cert_to_strict(object.union(s, {"kind": "PodMonitor", "certsUnavailable": "A PodMonitor cannot reference Istio's cert files"}))
	not lib.no_client_cert_to_strict(object.union(s, {"scheme": "http"}))
	not lib.no_client_cert_to_strict(object.union(s, {"targets": [{"requirement": "plaintext"}]}))
}
