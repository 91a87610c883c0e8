package render

import (
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
)

func TestSelectorMatches(t *testing.T) {
	labels := map[string]any{"app.kubernetes.io/name": "operator", "tier": "metrics"}
	for sel, want := range map[string]bool{
		"":                                 true,
		"app.kubernetes.io/name=operator":  true,
		"app.kubernetes.io/name==operator": true,
		"app.kubernetes.io/name=other":     false,
		"app.kubernetes.io/name=operator,tier=metrics": true,
		"tier!=metrics":          false,
		"tier":                   true,
		"!tier":                  false,
		"missing":                false,
		"tier in (metrics, web)": true, // set-based: taken as met
	} {
		if got := selectorMatches(sel, labels); got != want {
			t.Errorf("selectorMatches(%q) = %v, want %v", sel, got, want)
		}
	}
}

func TestPatchWrites(t *testing.T) {
	obj := map[string]any{
		"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
		"metadata": map[string]any{"name": "prod-orders", "labels": map[string]any{"app": "orders"}},
		"spec": map[string]any{"endpoints": []any{map[string]any{"port": "metrics", "scheme": "http",
			"tlsConfig": map[string]any{"insecureSkipVerify": true, "caFile": "/c"}}}},
	}
	at := func(p string) lookupFunc {
		return func(sub string) (string, loader.Range) { return p + sub, loader.Range{Line: 1} }
	}
	smp := newPatch(nil, []patchDoc{{value: map[string]any{"kind": "ServiceMonitor", "metadata": map[string]any{"name": "orders"},
		"spec": map[string]any{"endpoints": []any{map[string]any{"port": "metrics", "scheme": "http"}}}}, lookup: at("smp")}})
	ops := newPatch(&selector{kind: "ServiceMonitor"}, []patchDoc{{value: []any{
		map[string]any{"op": "add", "path": "/spec/endpoints/0/tlsConfig", "value": map[string]any{"insecureSkipVerify": true, "caFile": "/c"}},
		map[string]any{"op": "replace", "path": "/spec/endpoints/0/scheme", "value": "https"},
	}, lookup: at("ops")}})
	if !smp.applies(obj) || !ops.applies(obj) {
		t.Fatal("patches do not apply")
	}
	for _, tt := range []struct {
		p     *patchSource
		ptr   string
		where string
	}{
		{smp, "/spec/endpoints/0/scheme", "smp/spec/endpoints/0/scheme"},
		{smp, "/spec/endpoints/0/tlsConfig/caFile", ""}, // the SMP patch did not write it
		{ops, "/spec/endpoints/0/scheme", ""},           // the op wrote https, the object says http
		{ops, "/spec/endpoints/0/tlsConfig/caFile", "ops/0/value/caFile"},
		{ops, "/spec/endpoints/0/tlsConfig/keyFile", "ops/0/value"}, // absent: its parent was written
	} {
		where, _, ok := tt.p.writes(obj, tt.ptr)
		if !ok {
			where = ""
		}
		if where != tt.where {
			t.Errorf("writes(%s) at %q, want %q", tt.ptr, where, tt.where)
		}
	}
}

func TestNormalizeGitURL(t *testing.T) {
	want := "github.com/meshlint/meshlint"
	for _, u := range []string{
		"https://github.com/meshlint/meshlint.git", "https://github.com/meshlint/meshlint", "git@github.com:meshlint/meshlint.git",
		"ssh://git@github.com/meshlint/meshlint", "https://token@GitHub.com/meshlint/meshlint/", "ssh://git@github.com:22/meshlint/meshlint.git",
	} {
		if got := normalizeGitURL(u); got != want {
			t.Errorf("normalizeGitURL(%q) = %q, want %q", u, got, want)
		}
	}
	if normalizeGitURL("https://repo1.dso.mil/big-bang/product/packages/monitoring.git") == want {
		t.Error("different repositories compare equal")
	}
}
