package graph

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// TestSelectionIndexAgreesWithScans builds namespaces of objects with
// overlapping labels and selectors and holds every indexed selection to a
// scan of the whole namespace, in the scan's order; and so every selection
// in a namespace too small to be indexed.
func TestSelectionIndexAgreesWithScans(t *testing.T) {
	rng := rand.New(rand.NewSource(16))
	labels := func() string {
		var kv []string
		for _, k := range []string{"app", "tier", "v"} {
			if rng.Intn(3) > 0 {
				kv = append(kv, fmt.Sprintf("%s: x%d", k, rng.Intn(3)))
			}
		}
		return "{" + strings.Join(kv, ", ") + "}"
	}
	var b strings.Builder
	// a and b are indexed; c, of fewer than smallNamespace objects of
	// each kind, is scanned.
	for _, c := range []struct {
		ns string
		n  int
	}{{"a", 25}, {"b", 25}, {"c", smallNamespace - 2}} {
		ns, n := c.ns, c.n
		b.WriteString(namespace(ns, "{istio-injection: enabled}"))
		b.WriteString(pa(ns, "default", "mtls: {mode: STRICT}"))
		for i := 0; i < n; i++ {
			b.WriteString(deploy(ns, fmt.Sprintf("d%d", i), labels(), "", ""))
			fmt.Fprintf(&b, "---\napiVersion: v1\nkind: Service\nmetadata: {name: s%d, namespace: %s, labels: %s}\nspec:\n  selector: %s\n  ports: [{name: metrics, port: 9090}]\n", i, ns, labels(), labels())
			if i%3 == 0 {
				b.WriteString(pa(ns, fmt.Sprintf("p%d", i), "selector: {matchLabels: "+labels()+"}\nmtls: {mode: PERMISSIVE}"))
			}
			if i%4 == 0 {
				kind := []string{"ServiceMonitor", "PodMonitor"}[i%8/4]
				ep := map[string]string{"ServiceMonitor": "endpoints", "PodMonitor": "podMetricsEndpoints"}[kind]
				b.WriteString(strings.Replace(monitor(kind, ns, "selector: {matchLabels: "+labels()+"}\n"+ep+": [{port: metrics}]"), "name: m,", fmt.Sprintf("name: m%d,", i), 1))
			}
		}
	}
	g := build(t, b.String())
	if len(g.Monitors) < 10 || len(g.PeerAuths) < 10 {
		t.Fatalf("%d monitors and %d policies: the test builds too few", len(g.Monitors), len(g.PeerAuths))
	}
	found := 0
	for _, w := range g.workloadsAndPrometheusPods() {
		var want []*Service
		for _, svc := range g.servicesByNS[w.Namespace] {
			if len(svc.Selector) > 0 && subsetOf(svc.Selector, w.Labels) {
				want = append(want, svc)
			}
		}
		if got := g.ServicesOf(w); !slices.Equal(got, want) {
			t.Errorf("ServicesOf(%s) = %d Services, a scan finds %d", w.Display(), len(got), len(want))
		}
		var wantPA []*PeerAuthentication
		for _, pa := range g.peerAuthsByNS[w.Namespace] {
			if pa.Scope != ScopeWorkload || subsetOf(pa.MatchLabels, w.Labels) {
				wantPA = append(wantPA, pa)
			}
		}
		var gotPA []*PeerAuthentication
		for _, i := range g.selection().peerAuthsFor(w, len(g.peerAuthsByNS[w.Namespace])) {
			if pa := g.peerAuthsByNS[w.Namespace][i]; pa.Scope != ScopeWorkload || subsetOf(pa.MatchLabels, w.Labels) {
				gotPA = append(gotPA, pa)
			}
		}
		if !slices.Equal(gotPA, wantPA) {
			t.Errorf("policies for %s: %d, a scan finds %d", w.Display(), len(gotPA), len(wantPA))
		}
		found += len(want)
	}
	for _, svc := range g.Services {
		var want []*Workload
		for _, w := range g.workloadsByNS[svc.Namespace] {
			if len(svc.Selector) > 0 && subsetOf(svc.Selector, w.Labels) {
				want = append(want, w)
			}
		}
		if got := g.BackendsOf(svc); !slices.Equal(got, want) {
			t.Errorf("BackendsOf(%s) = %d, a scan finds %d", svc.Name, len(got), len(want))
		}
	}
	for _, pa := range g.PeerAuths {
		var want []*Workload
		if pa.Scope == ScopeWorkload {
			for _, w := range g.workloadsByNS[pa.Namespace] {
				if subsetOf(pa.MatchLabels, w.Labels) {
					want = append(want, w)
				}
			}
		}
		if got := g.SelectedWorkloads(pa); !slices.Equal(got, want) {
			t.Errorf("SelectedWorkloads(%s) = %d, a scan finds %d", pa.Name, len(got), len(want))
		}
	}
	for _, m := range g.Monitors {
		var wantS []*Service
		var wantP []*Workload
		for _, ns := range g.namespacesWatched(m) {
			for _, svc := range g.servicesByNS[ns] {
				if m.Selector.Matches(svc.Labels) {
					wantS = append(wantS, svc)
				}
			}
			for _, w := range g.workloadsByNS[ns] {
				if m.Selector.Matches(w.Labels) {
					wantP = append(wantP, w)
				}
			}
		}
		if got := g.SelectedServices(m); !slices.Equal(got, wantS) {
			t.Errorf("SelectedServices(%s) = %d, a scan finds %d", m.Name, len(got), len(wantS))
		}
		if got := g.SelectedPods(m); !slices.Equal(got, wantP) {
			t.Errorf("SelectedPods(%s) = %d, a scan finds %d", m.Name, len(got), len(wantP))
		}
	}
	if found == 0 {
		t.Error("no workload is behind a Service: the labels never overlap")
	}
}

// TestMonitorSelectorMatchLiteralsAndPatterns pins the one matcher of
// monitor selectors: an exact match, a match only as the operator's
// relabeling regex, or none.
func TestMonitorSelectorMatchLiteralsAndPatterns(t *testing.T) {
	for _, c := range []struct {
		sel, got string
		want     selectorMatch
	}{
		{"web", "web", exactMatch}, {"web", "web2", noMatch}, {"", "", exactMatch}, {"", "x", noMatch},
		{"web|api", "api", regexMatch}, {"web.*", "webshop", regexMatch}, {"a.c", "abc", regexMatch}, {"a.c", "a.c", exactMatch},
		{"(", "(", exactMatch}, {"(", "x", noMatch}, {"[a-", "b", noMatch}, {"web.*", "shop", noMatch},
	} {
		s := &LabelSelector{MatchLabels: map[string]string{"app": c.sel}}
		for i := 0; i < 2; i++ { // the second time from the cache
			if got := monitorSelectorMatch(s, map[string]string{"app": c.got}); got != c.want {
				t.Errorf("monitorSelectorMatch(app=%q, app=%q) = %v, want %v", c.sel, c.got, got, c.want)
			}
		}
	}
	s := &LabelSelector{MatchLabels: map[string]string{"app": "web.*", "tier": "front"}, MatchExpressions: []Requirement{{Key: "team", Operator: "Exists"}}}
	for labels, want := range map[[3]string]selectorMatch{
		{"webshop", "front", "a"}: regexMatch, {"web.*", "front", "a"}: exactMatch,
		{"webshop", "back", "a"}: noMatch, {"web.*", "front", ""}: noMatch,
	} {
		l := map[string]string{"app": labels[0], "tier": labels[1]}
		if labels[2] != "" {
			l["team"] = labels[2]
		}
		if got := monitorSelectorMatch(s, l); got != want {
			t.Errorf("monitorSelectorMatch(%v) = %v, want %v", l, got, want)
		}
		if exact := s.Matches(l); exact != (want == exactMatch) {
			t.Errorf("Matches(%v) = %v, but the monitor matcher says %v", l, exact, want)
		}
	}
}

// TestDedupeTargetsKeepsFirstOfEachPort: the first target of each workload
// and port, in order, in short lists and in lists long enough to need a set.
func TestDedupeTargetsKeepsFirstOfEachPort(t *testing.T) {
	ws := []*Workload{{Resource: 0}, {Resource: 1}, {Resource: 2}}
	for _, n := range []int{3, 40} {
		var ts, want []Target
		seen := map[[2]int]bool{}
		for i := 0; i < n; i++ {
			tg := Target{Workload: ws[i%3], Port: 9000 + i%7, ServicePort: &ServicePort{Name: fmt.Sprint(i)}}
			ts = append(ts, tg)
			if k := [2]int{tg.Workload.Resource, tg.Port}; !seen[k] {
				seen[k] = true
				want = append(want, tg)
			}
		}
		got := dedupeTargets(ts)
		if len(got) != len(want) {
			t.Fatalf("%d targets: kept %d, want %d", n, len(got), len(want))
		}
		for i := range want {
			if got[i].Workload != want[i].Workload || got[i].Port != want[i].Port || got[i].ServicePort != want[i].ServicePort {
				t.Errorf("%d targets: #%d is %d/%d (%s), want %d/%d (%s)", n, i, got[i].Workload.Resource, got[i].Port, got[i].ServicePort.Name,
					want[i].Workload.Resource, want[i].Port, want[i].ServicePort.Name)
			}
		}
	}
}

// TestDedupeLocsKeepsFirstOfEachPlace: the first location of each resource
// and pointer, in order, in short lists and in lists long enough to need a
// set.
func TestDedupeLocsKeepsFirstOfEachPlace(t *testing.T) {
	for _, n := range []int{4, 40} {
		var in, want []Loc
		seen := map[Ref]bool{}
		for i := 0; i < n; i++ {
			l := Loc{Resource: i % 3, Pointer: fmt.Sprintf("/spec/%d", i%5), Message: fmt.Sprint(i)}
			in = append(in, l)
			if k := (Ref{l.Resource, l.Pointer}); !seen[k] {
				seen[k] = true
				want = append(want, l)
			}
		}
		if got := dedupeLocs(in); !slices.Equal(got, want) {
			t.Errorf("%d locations: kept %v, want %v", n, got, want)
		}
	}
}

// TestModeDecisionExplainsEachLevel pins the wording of Explain at every
// level, with a note and with ambiguous policies.
func TestModeDecisionExplainsEachLevel(t *testing.T) {
	pa := &PeerAuthentication{Namespace: "shop", Name: "default"}
	for _, c := range []struct {
		d    ModeDecision
		want string
	}{
		{ModeDecision{Mode: ModePermissive, Level: "default"}, "PERMISSIVE (no PeerAuthentication applies; mesh default)"},
		{ModeDecision{Mode: ModeStrict, Level: "port", Policy: pa}, "STRICT (PeerAuthentication shop/default, portLevelMtls)"},
		{ModeDecision{Mode: ModeStrict, Level: "workload", Policy: pa}, "STRICT (PeerAuthentication shop/default, workload selector)"},
		{ModeDecision{Mode: ModeStrict, Level: "namespace", Policy: pa, Note: "its port entry for 8080 has no effect"},
			"STRICT (PeerAuthentication shop/default, namespace-wide; its port entry for 8080 has no effect)"},
		{ModeDecision{Mode: ModeDisable, Level: "mesh", Policy: pa, Ambiguous: []*PeerAuthentication{pa, pa}},
			"DISABLE (PeerAuthentication shop/default, mesh-wide); 2 other policies at that level also apply and Istio uses only the oldest, so this is a best guess"},
	} {
		if got := c.d.Explain(); got != c.want {
			t.Errorf("Explain() = %q, want %q", got, c.want)
		}
	}
}
