package loader

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestLoadKeepsTheFieldsGiven: with Options.Fields, a document's object
// holds what the rule of its kind keeps, and Decode gives it whole; other
// kinds, and documents whose kind comes after the fields, are whole.
func TestLoadKeepsTheFieldsGiven(t *testing.T) {
	dir := t.TempDir()
	text := "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\nspec:\n  ports:\n  - port: 80\n    name: http\n  type: ClusterIP\n---\n" +
		"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: n\nspec:\n  finalizers: [kubernetes]\n---\n" +
		"spec:\n  ports:\n  - port: 81\n  type: ClusterIP\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n"
	if err := os.WriteFile(filepath.Join(dir, "a.yaml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rule := Within(map[string]*Fields{"spec": Only(map[string]*Fields{"ports": Each(Only(map[string]*Fields{"port": nil}))})})
	fields := func(_, kind string) *Fields {
		if kind == "Service" {
			return rule
		}
		return nil
	}
	res, err := Load([]string{dir}, Options{Kinds: testKinds, Fields: fields})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Documents) != 3 {
		t.Fatalf("%d documents", len(res.Documents))
	}
	svc, ns, late := res.Documents[0], res.Documents[1], res.Documents[2]
	if want := map[string]any{"ports": []any{map[string]any{"port": int64(80)}}}; !reflect.DeepEqual(svc.Object["spec"], want) {
		t.Errorf("kept %#v, want %#v", svc.Object["spec"], want)
	}
	whole, ok := svc.Decode()
	if want := map[string]any{"ports": []any{map[string]any{"port": 80, "name": "http"}}, "type": "ClusterIP"}; !ok || !reflect.DeepEqual(whole["spec"], want) {
		t.Errorf("Decode gave %#v, want %#v", whole["spec"], want)
	}
	if !svc.partial {
		t.Error("a document with fields left out is not partial")
	}
	if ns.partial || ns.Object["spec"] == nil {
		t.Errorf("a kind without a rule lost fields: %#v", ns.Object)
	}
	if late.partial || late.Object["spec"].(map[string]any)["type"] != "ClusterIP" {
		t.Errorf("the fields before the kind were left out: %#v", late.Object)
	}
}
