package graph

import "testing"

// A selector-less Service reaches the workloads whose pods its Endpoints or
// EndpointSlice name through targetRef; an address without one, or a pod
// name no workload in the input produces, reaches nothing.
func TestSelectorlessServiceEndpoints(t *testing.T) {
	svc := func(name string) string {
		return "---\napiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: shop}\nspec:\n  ports: [{name: metrics, port: 80}]\n"
	}
	endpoints := func(name, pod string) string {
		ref := ""
		if pod != "" {
			ref = ", targetRef: {kind: Pod, name: " + pod + "}"
		}
		return "---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: " + name + ", namespace: shop}\nsubsets:\n  - addresses: [{ip: 10.0.0.1" + ref + "}]\n    ports: [{name: metrics, port: 9090}]\n"
	}
	g := build(t, deploy("shop", "cart", "{app: cart}", "", "")+deploy("shop", "cart-api", "{app: cart-api}", "", "")+
		svc("by-deployment")+endpoints("by-deployment", "cart-api-5d8f7c9b6-x2k4l")+
		svc("no-ref")+endpoints("no-ref", "")+
		svc("unknown-pod")+endpoints("unknown-pod", "billing-5d8f7c9b6-x2k4l"))
	byName := map[string]*Service{}
	for _, s := range g.Services {
		byName[s.Name] = s
	}
	if b := g.BackendsOf(byName["by-deployment"]); len(b) != 1 || b[0].Name != "cart-api" {
		t.Errorf("by-deployment backends %v, want Deployment cart-api (the longest name whose pods match)", b)
	}
	if p := byName["by-deployment"].Ports[0].TargetPort; p.IsName || p.Num != 9090 {
		t.Errorf("by-deployment port reaches %s, want the endpoint port 9090", p)
	}
	for _, name := range []string{"no-ref", "unknown-pod"} {
		if b := g.BackendsOf(byName[name]); len(b) != 0 {
			t.Errorf("%s backends %v, want none", name, b)
		}
	}
	if s := g.ServicesOf(workload(t, g, "cart-api")); len(s) != 1 || s[0].Name != "by-deployment" {
		t.Errorf("Services of cart-api: %v", s)
	}
}
