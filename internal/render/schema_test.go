package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
)

func schemaChart(name, schema string, deps ...*chart.Chart) *chart.Chart {
	c := &chart.Chart{Metadata: &chart.Metadata{Name: name, Version: "1.0.0", APIVersion: "v2"}, Schema: []byte(schema)}
	for _, d := range deps {
		c.AddDependency(d)
	}
	return c
}

func TestSchemaRefsAreNeverLoaded(t *testing.T) {
	dir := t.TempDir()
	canary := filepath.Join(dir, "canary.json")
	if err := os.WriteFile(canary, []byte(`{"type": "string", "description": "CANARY-CONTENT"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"file://" + canary, canary, "../../../../" + canary, "https://127.0.0.1:1/schema.json", "HTTP://127.0.0.1:1/x.json"} {
		ch := schemaChart("app", `{"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"a": {"$ref": "`+ref+`"}}}`)
		got := validateValues(ch, map[string]any{"a": 1})
		if got.invalid != nil || len(got.unverified) != 1 {
			t.Fatalf("%s: %+v, want one unverified note", ref, got)
		}
		if strings.Contains(got.unverified[0], "CANARY") || !strings.Contains(got.unverified[0], "not validated") {
			t.Errorf("%s: %s", ref, got.unverified[0])
		}
	}
}

func TestSchemaErrorsAreStable(t *testing.T) {
	schema := `{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object", "properties": {` +
		`"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}, "d": {"type": "string"}, "e": {"type": "string"}}}`
	sub := schemaChart("sub", `{"type": "object", "required": ["x"]}`)
	ch := schemaChart("app", schema, sub)
	vals := map[string]any{"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "sub": map[string]any{"y": 1}}
	closed := schemaChart("closed", `{"type": "object", "additionalProperties": false, "required": ["r1", "r2", "r3", "r4"]}`)
	ch.AddDependency(closed)
	vals["closed"] = map[string]any{"p": 1, "q": 2, "s": 3, "t": 4, "u": 5, "v": 6}
	first := validateValues(ch, vals)
	if first.invalid == nil {
		t.Fatal("want a schema error")
	}
	for i := 0; i < 30; i++ {
		if again := validateValues(ch, vals); again.invalid.Error() != first.invalid.Error() {
			t.Fatalf("run %d differs:\n%s\nvs\n%s", i, again.invalid, first.invalid)
		}
	}
	msg := first.invalid.Error()
	for _, want := range []string{"app:", "sub:", "'/a'", "'/e'", "missing property 'x'", "'p', 'q', 's', 't', 'u', 'v' not allowed", "'r1', 'r2', 'r3', 'r4'"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Index(msg, "'/a'") > strings.Index(msg, "'/e'") {
		t.Errorf("causes not in order:\n%s", msg)
	}
}

func TestValidValuesAndURNRefsPass(t *testing.T) {
	ch := schemaChart("app", `{"properties": {"a": {"type": "integer"}, "b": {"$ref": "urn:example:anything"}}}`)
	if got := validateValues(ch, map[string]any{"a": 1, "b": "x"}); got.invalid != nil || len(got.unverified) != 0 {
		t.Errorf("%+v", got)
	}
}

func TestAdditionalPropertiesAreListedInOrder(t *testing.T) {
	ch := schemaChart("app", `{"type": "object", "additionalProperties": false, "properties": {"keep": {}}}`)
	vals := map[string]any{"keep": 1}
	for _, k := range []string{"zeta", "alpha", "mu", "beta", "omega", "delta", "kappa", "eta"} {
		vals[k] = 1
	}
	for i := 0; i < 30; i++ {
		got := validateValues(ch, vals)
		if got.invalid == nil {
			t.Fatal("want a schema error")
		}
		if want := "'alpha', 'beta', 'delta', 'eta', 'kappa', 'mu', 'omega', 'zeta'"; !strings.Contains(got.invalid.Error(), want) {
			t.Fatalf("run %d: properties not sorted:\n%s", i, got.invalid)
		}
	}
}
