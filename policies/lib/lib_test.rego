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
