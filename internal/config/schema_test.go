package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yaml "go.yaml.in/yaml/v3"
)

const schemaPath = "../../schema/meshlint.schema.json"

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("read %s: %v", schemaPath, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("meshlint.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("meshlint.schema.json")
	if err != nil {
		t.Fatalf("compile %s: %v", schemaPath, err)
	}
	return s
}

// yamlValue turns a YAML document into the JSON value an editor's YAML
// language server checks against the schema: timestamps stay strings (YAML
// 1.2, which the language server speaks, has no timestamp type).
func yamlValue(t *testing.T, n *yaml.Node) any {
	t.Helper()
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return yamlValue(t, n.Content[0])
	case yaml.AliasNode:
		return yamlValue(t, n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = yamlValue(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		l := []any{}
		for _, c := range n.Content {
			l = append(l, yamlValue(t, c))
		}
		return l
	}
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		b, _ := strconv.ParseBool(n.Value)
		return b
	case "!!int", "!!float":
		f, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			return n.Value
		}
		return f
	}
	return n.Value
}

func validateYAML(t *testing.T, s *jsonschema.Schema, data []byte) error {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("not YAML: %v", err)
	}
	v := yamlValue(t, &doc)
	// Round-trip through JSON so numbers are what the validator expects.
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(inst)
}

// readmeConfig is the example .meshlint.yaml the README documents.
func readmeConfig(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)## Configuration \\(`\\.meshlint\\.yaml`\\).*?```yaml\n(.*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no yaml block under '## Configuration (`.meshlint.yaml`)'")
	}
	return m[1]
}

func TestSchemaAcceptsTheDocumentedAndTestedConfigs(t *testing.T) {
	s := compileSchema(t)
	configs := map[string][]byte{"README.md": readmeConfig(t)}
	err := filepath.WalkDir("../../testdata", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == FileName {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			configs[p] = b
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(configs) < 3 {
		t.Fatalf("found %d configs; the test looks in the wrong place", len(configs))
	}
	for name, data := range configs {
		if _, err := Parse(data, name, "."); err != nil {
			t.Errorf("%s: meshlint rejects it: %v", name, err)
		}
		if err := validateYAML(t, s, data); err != nil {
			t.Errorf("%s does not validate against the schema: %v", name, err)
		}
	}
}

// Every mistake the parser rejects without knowing the rules is one the
// schema rejects too, so an editor flags it before CI does.
func TestSchemaRejectsWhatMeshlintRejects(t *testing.T) {
	s := compileSchema(t)
	for _, bad := range []string{
		"mesh:\n  defaultMod: STRICT\n",
		"failon: error\n",
		"failOn: sometimes\n",
		"mesh: {defaultMode: MUTUAL}\n",
		"mesh: {enablePrometheusMerge: \"yes\"}\n",
		"mesh: {assumeInjection: maybe}\n",
		"namespace: \"\"\n",
		"rules: {plaintext-scrape-of-strict-port: {severity: fatal}}\n",
		"rules: {plaintext-scrape-of-strict-port: {enable: false}}\n",
		"rules: [a]\n",
		"policies: ./policies\n",
		"ignore: [{rule: plaintext-scrape-of-strict-port}]\n",
		"ignore: [{reason: why}]\n",
		"ignore: [{rule: a, reason: why, expires: next year}]\n",
		"ignore: [{rule: a, reason: why, until: 2027-01-01}]\n",
		"- a\n",
		"prometheusValues: [a.yaml, {files: [b.yaml]}]\n",
		"environments: [{name: dev}]\n",
		"sources: [a]\n",
		"sources: {platform: ./}\n",
		"sources: {flux-system/platform: \"\"}\n",
		"environments: [{paths: [dev]}]\n",
		"environments: [{name: \"a,b\", paths: [dev]}]\n",
		"environments: [{name: dev, paths: []}]\n",
		"environments: [{name: dev, paths: [dev], zzz: 1}]\n",
		"prometheusValues: [{files: []}]\n",
		"prometheusValues: [{release: x}]\n",
		"prometheusValues: [{files: [a.yaml], zzz: 1}]\n",
		"exclude: testdata/\n",
		"exclude: [\"\"]\n",
		"exclude: [\"  \"]\n",
		"exclude: [\"# comment\"]\n",
		"exclude: [\"!\"]\n",
		"exclude: [1]\n",
		"exclude: [[a]]\n",
	} {
		if _, err := Parse([]byte(bad), "bad.yaml", "."); err == nil {
			t.Errorf("meshlint accepts %q; the test expects a mistake", bad)
		}
		if err := validateYAML(t, s, []byte(bad)); err == nil {
			t.Errorf("the schema accepts %q, which meshlint rejects", bad)
		}
	}
	for _, good := range []string{"", "mesh:\n", "mesh: {defaultMode: strict}\n", "ignore: [{rule: a, reason: why, expires: \"2027-01-31\"}]\n",
		"prometheusValues: [base.yaml, prod.yaml]\n",
		"sources: {flux-system/platform: ./, apps/shop: deploy/shop}\n",
		"environments: [{name: dev, paths: [overlays/dev, shared]}, {name: prod, paths: [\"overlays/prod/**\", shared]}]\n", "prometheusValues: [{files: [a.yaml, b.yaml], release: monitoring, namespace: monitoring}, {files: [c.yaml]}]\n",
		"exclude:\n", "exclude: [testdata/, \"**/*.tmpl.yaml\", \"!keep.yaml\", /releasenotes/, \"\\\\#x\"]\n"} {
		if _, err := Parse([]byte(good), "good.yaml", "."); err != nil {
			t.Fatalf("meshlint rejects %q: %v", good, err)
		}
		if err := validateYAML(t, s, []byte(good)); err != nil {
			t.Errorf("the schema rejects %q, which meshlint accepts: %v", good, err)
		}
	}
}

// acceptedKeys asks the parser which keys it accepts at a place, from the
// error it gives for an unknown one, so the test cannot drift from it.
func acceptedKeys(t *testing.T, doc string) []string {
	t.Helper()
	_, err := Parse([]byte(doc), "probe.yaml", ".")
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 1 {
		t.Fatalf("probe %q: %v", doc, err)
	}
	m := regexp.MustCompile(`\(want one of (.*)\)$`).FindStringSubmatch(errs[0].Msg)
	if m == nil {
		t.Fatalf("probe %q: no key list in %q", doc, errs[0].Msg)
	}
	keys := strings.Split(m[1], ", ")
	sort.Strings(keys)
	return keys
}

func schemaKeys(t *testing.T, schema map[string]any, path ...string) []string {
	t.Helper()
	node := schema
	for _, p := range path {
		next, ok := node[p].(map[string]any)
		if !ok {
			t.Fatalf("schema has no %s", strings.Join(path, "."))
		}
		node = next
	}
	props, ok := node["properties"].(map[string]any)
	if !ok {
		t.Fatalf("schema %s has no properties", strings.Join(path, "."))
	}
	var keys []string
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func TestSchemaKeysMatchTheParser(t *testing.T) {
	b, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		probe string
		path  []string
	}{
		{"zzz: 1\n", nil},
		{"mesh: {zzz: 1}\n", []string{"properties", "mesh"}},
		{"rules: {a: {zzz: 1}}\n", []string{"properties", "rules", "additionalProperties"}},
		{"ignore: [{rule: a, reason: b, zzz: 1}]\n", []string{"properties", "ignore", "items"}},
		{"prometheusValues: [{files: [a.yaml], zzz: 1}]\n", []string{"$defs", "prometheusServer"}},
		{"environments: [{name: dev, paths: [dev], zzz: 1}]\n", []string{"properties", "environments", "items"}},
	} {
		want, got := acceptedKeys(t, c.probe), schemaKeys(t, schema, c.path...)
		if !slices.Equal(want, got) {
			t.Errorf("at %s the parser accepts %v, the schema lists %v", strings.Join(c.path, "."), want, got)
		}
	}
}
