package meshlint.rules.monitor.monitor_port_not_found_test

import data.meshlint.rules.monitor.monitor_port_not_found as rule

role := {"ServiceMonitor": "service", "PodMonitor": "pod"}

problem(kind, field, value, p, suggestion) := {
	"resource": 2, "kind": kind, "name": sprintf("%s shop/cart", [kind]), "role": role[kind],
	"portProblems": [{
		"endpoint": 0, "pointer": sprintf("/spec/endpoints/0/%s", [field]), "field": field, "value": value,
		"problem": p, "suggestion": suggestion, "declared": "Service shop/cart has http (80), web (9090)",
		"related": [{"resource": 1, "pointer": "/spec/ports", "message": "ports of Service shop/cart"}],
	}],
}

message(m) := f.message if {
	some f in rule.report with input as {"monitors": [m]}
}

test_unknown_name_is_reported if {
	findings := rule.report with input as {"monitors": [problem("ServiceMonitor", "port", "metrics", "name", "")]}
	count(findings) == 1
	some f in findings
	f.pointer == "/spec/endpoints/0/port"
	f.message == "endpoint 0 port \"metrics\" names no port of the Services the monitor selects (Service shop/cart has http (80), web (9090)), so this endpoint has no targets"
	count(f.related) == 1
}

test_number_suggests_the_name if {
	contains(message(problem("ServiceMonitor", "port", "9090", "number", "web")), "is a number where a port name belongs; use port: web")
}

test_number_without_name_asks_for_one if {
	contains(message(problem("ServiceMonitor", "port", "9090", "number", "")), "name the port and use that name")
}

test_podmonitor_number_suggests_port_number if {
	contains(message(problem("PodMonitor", "port", "9090", "number", "")), "use portNumber for a number")
}

test_unnamed_single_port_is_explained if {
	contains(message(problem("ServiceMonitor", "port", "metrics", "unnamed", "")), "has no name, and a ServiceMonitor matches ports by name only")
}

test_undeclared_target_port if {
	contains(message(problem("ServiceMonitor", "targetPort", "9091", "undeclared", "")), "targetPort 9091 is no container port declared by the pods behind the selected Services")
}

test_undeclared_port_number if {
	contains(message(problem("PodMonitor", "portNumber", "9091", "undeclared", "")), "is no container port declared by the selected pods")
}

test_no_problems_no_findings if {
	count(rule.report) == 0 with input as {"monitors": [{"resource": 2, "kind": "ServiceMonitor", "portProblems": []}]}
}

test_named_target_port_nobody_declares_is_reported if {
	msg := message(problem("ServiceMonitor", "port", "metrics", "target-undeclared", ""))
	contains(msg, "endpoint 0 port \"metrics\" selects a Service port whose named targetPort no pod behind the Service declares, so Kubernetes lists no endpoint for it")
	contains(msg, "so this endpoint has no targets")
}
