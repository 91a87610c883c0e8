package scrapegraph

import (
	"fmt"
	"sort"
	"strings"
)

// drawing is the picture as nodes and edges, each labelled with plain text
// lines (escaped only by the renderer), in the order they are written.
type drawing struct {
	groups []*group // environments (when the run has several), else namespaces
	nodes  []*node
	edges  []*edge
}

// group is a namespace, or an environment holding namespaces.
type group struct {
	label  string
	nodes  []*node
	groups []*group
}

type node struct {
	id    string
	role  string // scraper, monitor, service, workload, policy
	lines []string
	env   string
	ref   Ref
	// decides are the modes a policy decides on the drawn paths
	// ("STRICT, namespace-wide"), shown under its name.
	decides map[string]bool
}

type edge struct {
	from, to *node
	lines    []string
	dashed   bool // selection or policy, not the scrape itself
	verdict  Verdict
	scrape   bool // part of a scrape path: coloured by verdict
	rules    map[string]bool
}

var roleOrder = map[string]int{"scraper": 0, "monitor": 1, "service": 2, "workload": 3, "policy": 4}

// draw lays out the paths: nodes sorted by environment, namespace, role
// and name, edges by their ends and label.
func draw(paths []Path) *drawing {
	d := &drawing{}
	byKey := map[string]*node{}
	nodeOf := func(env, role string, r Ref) *node {
		k := env + "\x00" + r.key()
		if n, ok := byKey[k]; ok {
			return n
		}
		n := &node{role: role, env: env, ref: r, lines: []string{r.Kind + " " + r.Name}}
		byKey[k] = n
		return n
	}
	edges := map[string]*edge{}
	addEdge := func(from, to *node, lines []string, dashed, scrape bool, p Path) {
		k := fmt.Sprintf("%p\x00%p\x00%s", from, to, strings.Join(lines, "\x00"))
		e, ok := edges[k]
		if !ok {
			e = &edge{from: from, to: to, lines: lines, dashed: dashed, scrape: scrape, rules: map[string]bool{}}
			edges[k] = e
		}
		if scrape {
			if p.Verdict > e.verdict {
				e.verdict = p.Verdict
			}
			for _, r := range p.Rules {
				e.rules[r] = true
			}
		}
	}
	for _, p := range paths {
		mon := nodeOf(p.Environment, "monitor", p.Monitor)
		if !p.Scraper.IsZero() {
			addEdge(nodeOf(p.Environment, "scraper", p.Scraper), mon, []string{"selects"}, false, false, p)
		}
		wl := nodeOf(p.Environment, "workload", p.Workload)
		modeLine := p.Scheme + " → " + p.Mode
		if p.Service.IsZero() {
			addEdge(mon, wl, []string{fmt.Sprintf("endpoint %d → port %s", p.Endpoint, p.Port), modeLine}, false, true, p)
		} else {
			svc := nodeOf(p.Environment, "service", p.Service)
			addEdge(mon, svc, []string{fmt.Sprintf("endpoint %d", p.Endpoint)}, false, true, p)
			via := "endpoints"
			if p.ServicePort != "" {
				via = "port " + p.ServicePort
			}
			addEdge(svc, wl, []string{via + " → " + p.Port, modeLine}, false, true, p)
		}
		if !p.Policy.IsZero() {
			pa := nodeOf(p.Environment, "policy", p.Policy)
			if pa.decides == nil {
				pa.decides = map[string]bool{}
			}
			pa.decides[fmt.Sprintf("%s, %s", p.Mode, levelText(p.PolicyLevel))] = true
			addEdge(pa, wl, nil, true, false, p)
		}
	}
	for _, n := range byKey {
		d.nodes = append(d.nodes, n)
	}
	sort.Slice(d.nodes, func(i, j int) bool { return d.nodes[i].less(d.nodes[j]) })
	for i, n := range d.nodes {
		n.id = fmt.Sprintf("n%d", i+1)
		modes := make([]string, 0, len(n.decides))
		for m := range n.decides {
			modes = append(modes, m)
		}
		sort.Strings(modes)
		n.lines = append(n.lines, modes...)
	}
	for _, e := range edges {
		if e.scrape {
			e.lines = append(e.lines, verdictLine(e))
		}
		d.edges = append(d.edges, e)
	}
	sort.Slice(d.edges, func(i, j int) bool {
		a, b := d.edges[i], d.edges[j]
		if a.from != b.from {
			return a.from.less(b.from)
		}
		if a.to != b.to {
			return a.to.less(b.to)
		}
		return strings.Join(a.lines, "\n") < strings.Join(b.lines, "\n")
	})
	d.groups = groupNodes(d.nodes)
	return d
}

func (n *node) less(o *node) bool {
	if n.env != o.env {
		return n.env < o.env
	}
	if n.ref.Namespace != o.ref.Namespace {
		return n.ref.Namespace < o.ref.Namespace
	}
	if roleOrder[n.role] != roleOrder[o.role] {
		return roleOrder[n.role] < roleOrder[o.role]
	}
	return n.ref.key() < o.ref.key()
}

func levelText(level string) string {
	switch level {
	case "port":
		return "portLevelMtls"
	case "workload":
		return "workload selector"
	}
	return level + "-wide"
}

// verdictLine names the verdict and the rules that decided it.
func verdictLine(e *edge) string {
	rules := make([]string, 0, len(e.rules))
	for r := range e.rules {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	if len(rules) == 0 {
		return e.verdict.String()
	}
	return e.verdict.String() + ": " + strings.Join(rules, ", ")
}

// groupNodes puts the sorted nodes into namespace groups, inside
// environment groups when the paths come from several environments.
func groupNodes(nodes []*node) []*group {
	envs := map[string]bool{}
	for _, n := range nodes {
		envs[n.env] = true
	}
	byNamespace := func(nodes []*node) []*group {
		var out []*group
		for _, n := range nodes {
			if len(out) == 0 || out[len(out)-1].label != "namespace "+n.ref.Namespace {
				out = append(out, &group{label: "namespace " + n.ref.Namespace})
			}
			last := out[len(out)-1]
			last.nodes = append(last.nodes, n)
		}
		return out
	}
	if len(envs) == 1 {
		for env := range envs {
			if env == "" {
				return byNamespace(nodes)
			}
		}
	}
	var out []*group
	for i := 0; i < len(nodes); {
		j := i
		for j < len(nodes) && nodes[j].env == nodes[i].env {
			j++
		}
		out = append(out, &group{label: "environment " + nodes[i].env, groups: byNamespace(nodes[i:j])})
		i = j
	}
	return out
}
