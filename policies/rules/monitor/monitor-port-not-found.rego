# METADATA
# title: Monitor endpoint port not found
# description: >-
#   A ServiceMonitor endpoint `port` that names no port of the Services it
#   selects (a number written there, or a Service whose single port has no
#   name, never matches: the operator matches Service port names), a
#   ServiceMonitor `targetPort` that is no declared container port of the pods
#   behind those Services, or a PodMonitor `port`/`portNumber` that the
#   selected pods do not declare, or a ServiceMonitor `port` naming a Service
#   port whose named `targetPort` no pod behind the Service declares
#   (Kubernetes then lists no endpoint for it:
#   staging/src/k8s.io/endpointslice/utils.go `findPort`; a numeric
#   `targetPort` needs no declaration). Such an endpoint has no targets, and
#   no scrape rule reports it again. On workloads with an Istio sidecar, the
#   injected `istio-proxy` container's one declared port counts though no
#   manifest shows it: `http-envoy-prom` (15090). 15020 and 15021 are served
#   by the sidecar but not declared (istio
#   manifests/charts/istio-control/istio-discovery/files/injection-template.yaml),
#   and pod discovery lists declared ports only, so a PodMonitor `portNumber`
#   naming them has no target. An endpoint with neither `port` nor `portNumber` scrapes every
#   declared port and is never reported; neither is a monitor whose selector
#   finds nothing in the input.
# custom:
#   id: monitor-port-not-found
#   severity: error
#   category: monitor
#   tags: [reliability]
#   tier: full
#   semantics: "docs/model.md#servicemonitor-ports, docs/model.md#servicemonitor-target-port, docs/model.md#podmonitor-ports, docs/model.md#service-target-port, docs/model.md#container-ports"
#   fix: >-
#     Use the Service port's name in a ServiceMonitor `port` (name the Service
#     port if it has none), `portNumber` for a number in a PodMonitor, and
#     declare and name the container port the metrics are served on.
package meshlint.rules.monitor.monitor_port_not_found

import data.meshlint.lib

report contains finding if {
	some m in input.monitors
	some p in m.portProblems
	msg := sprintf("endpoint %d %s %s %s (%s), so this endpoint has no targets", [
		p.endpoint, p.field, shown(p), problem(m, p), p.declared,
	])
	finding := lib.finding(m.resource, p.pointer, msg, p.related, [])
}

problem(m, p) := "names no port of the Services the monitor selects" if {
	p.problem == "name"
	m.role == "service"
}

problem(m, p) := "names no container port of the pods the monitor selects" if {
	p.problem == "name"
	m.role == "pod"
}

problem(m, p) := "matches no Service port: the only port of the selected Service has no name, and a ServiceMonitor matches ports by name only" if {
	p.problem == "unnamed"
}

problem(m, p) := sprintf("is a number where a port name belongs%s", [number_fix(m, p)]) if {
	p.problem == "number"
}

problem(m, p) := "is no container port declared by the pods behind the selected Services" if {
	p.problem == "undeclared"
	m.role == "service"
}

problem(m, p) := "is no container port declared by the selected pods" if {
	p.problem == "undeclared"
	m.role == "pod"
}

problem(m, p) := "selects a Service port whose named targetPort no pod behind the Service declares, so Kubernetes lists no endpoint for it" if {
	p.problem == "target-undeclared"
}

number_fix(m, p) := sprintf("; use %s: %s", [p.field, p.suggestion]) if p.suggestion != ""

number_fix(m, p) := "; use portNumber for a number" if {
	p.suggestion == ""
	m.role == "pod"
	p.field == "port"
}

number_fix(m, p) := "; name the port and use that name" if {
	p.suggestion == ""
	not podmonitor_port(m, p)
}

podmonitor_port(m, p) if {
	m.role == "pod"
	p.field == "port"
}

shown(p) := p.value if p.problem == "undeclared"

shown(p) := sprintf("%q", [p.value]) if p.problem != "undeclared"
