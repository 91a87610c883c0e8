# Helpers shared by every rule. A rule decides *whether* something is wrong
# and says *why*; where its finding lands in a file is computed in Go from
# the JSON pointer.
package meshlint.lib

# finding is what every rule's `report` set holds: the resource (an index
# into the graph), the JSON pointer of the offending field, the message, the
# related resources that make it wrong, and the assumptions it rests on.
finding(resource, pointer, message, related, assumptions) := {
	"resource": resource,
	"pointer": pointer,
	"message": message,
	"related": related,
	"assumptions": assumptions,
}

# loc builds a related location.
loc(resource, pointer, message) := {"resource": resource, "pointer": pointer, "message": message}

# class_note says where Istio cert files came from when a scrape class
# supplied them.
class_note(tls) := sprintf(" (from scrape class %q)", [tls.class]) if {
	tls.fromClass
	tls.class != ""
}

class_note(tls) := "" if {
	not tls.fromClass
}

class_note(tls) := "" if {
	tls.fromClass
	tls.class == ""
}

# cert_files lists the Istio cert file paths of a scrape for messages.
cert_files(tls) := concat(", ", [f.message | some f in tls.certFiles])

# no_client_cert_to_strict holds for an https scrape that presents no client
# certificate at all to a STRICT sidecar port of a source whose tlsConfig can
# carry files (a PodMonitor's cannot: podmonitor-under-strict owns it). Istio
# requires a client certificate from the mesh CA there, so
# app-tls-scrape-of-strict-port owns the endpoint and no other TLS rule
# reports it again.
no_client_cert_to_strict(s) if {
	s.scheme == "https"
	s.tls.clientCert == ""
	s.tls.classKnown
	s.certsUnavailable == ""
	some t in s.targets
	t.requirement == "mtls"
}
