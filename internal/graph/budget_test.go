package graph

import (
	"errors"
	"strings"
	"testing"
)

// TestCheckFactLimitCountsWhatFactsBuilds: the count made before the facts
// are built is exactly what Facts builds (scrape facts and their targets),
// so the limit refuses the model one fact over it and never truncates.
func TestCheckFactLimitCountsWhatFactsBuilds(t *testing.T) {
	prom := func(name string) string {
		return "---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {name: " + name + ", namespace: monitoring}\nspec:\n  serviceMonitorSelector: {}\n  serviceMonitorNamespaceSelector: {}\n"
	}
	text := deploy("shop", "cart", "{app: cart}", "", "") +
		"---\napiVersion: v1\nkind: Service\nmetadata: {name: cart, namespace: shop, labels: {app: cart}}\nspec:\n  selector: {app: cart}\n  ports:\n  - {name: metrics, port: 9090}\n  - {name: http, port: 8080}\n" +
		"---\napiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: cart, namespace: shop}\nspec:\n  selector: {matchLabels: {app: cart}}\n  endpoints: [{port: metrics}, {port: http}, {port: none}]\n" +
		prom("a") + prom("b")
	g := build(t, text)
	want := 0
	for _, s := range g.Facts().Scrapes {
		want += 1 + len(s.Targets)
	}
	if want != 2*(3+2) {
		t.Fatalf("the fixture builds %d facts, want 10 (3 endpoints, 2 with a target, for 2 Prometheus servers)", want)
	}
	if err := build(t, text).CheckFactLimit(want); err != nil {
		t.Errorf("at the limit: %v", err)
	}
	err := build(t, text).CheckFactLimit(want - 1)
	var fl *FactLimitError
	if !errors.As(err, &fl) || fl.Limit != want-1 || fl.Largest == nil || fl.Largest.Name != "cart" {
		t.Fatalf("one over the limit: %v", err)
	}
	for _, s := range []string{"limit of 9 scrape facts", "--max-facts raises it", "The rules were not run", "ServiceMonitor shop/cart"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("message lacks %q: %s", s, err)
		}
	}
}
