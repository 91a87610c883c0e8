package loader

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	yaml "go.yaml.in/yaml/v3"

	"github.com/meshlint/meshlint/internal/finding"
)

// wholeFileAgrees holds parseFile (fast paths on) to yaml.v3 reading the
// whole file as one stream: whenever yaml.v3 parses every document of the
// file, meshlint reads the same documents, in the same order, with the same
// identities. The file is cut into documents before parsing (so that one
// broken document does not hide the others); this is the check that the
// cut is where yaml.v3 puts it.
func wholeFileAgrees(t *testing.T, data []byte, limits Limits) {
	t.Helper()
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return // reported for the whole file before anything is cut
	}
	text := normalizeText(data)
	if _, _, _, found := unusualLineBreak(text); found {
		return
	}
	want, ok := yamlStreamDocuments(text, limits)
	if !ok {
		return
	}
	pf := parseFile("f.yaml", data, limits, testKinds, nil, false)
	var got []string
	for _, d := range pf.docs {
		got = append(got, describeIdentity(d))
	}
	for _, p := range pf.problems {
		got = append(got, fmt.Sprintf("problem %d: %s", p.Line, p.Message))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("meshlint and yaml.v3 read different documents from:\n%q\nmeshlint (skipped %q, problems %v):\n%s\nyaml.v3:\n%s",
			text, pf.skipped, pf.problems, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// yamlStreamDocuments is what readDocument makes of each document yaml.v3
// finds in the whole text; ok is false when yaml.v3 cannot parse it all, or
// it holds more documents than the limit (then meshlint keeps a prefix).
func yamlStreamDocuments(text string, limits Limits) (ids []string, ok bool) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	c := chunk{text: text, startLine: 1}
	var docs []*Document
	var problems []finding.Problem
	manifest := false
	for i := 0; ; i++ {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || i >= limits.MaxDocuments || aliasesAnotherDocument(&root) {
			return nil, false
		}
		if templateAction.MatchString(text) && templatePlaceholder(&root) > 0 {
			continue // a template, skipped as parseFile skips it
		}
		d, p, m, _ := readDocument("f.yaml", i, c, &root, limits, testKinds)
		docs, problems, manifest = append(docs, d...), append(problems, p...), manifest || m
	}
	if !manifest {
		return nil, true // not a manifest: the file is skipped
	}
	for _, d := range docs {
		ids = append(ids, describeIdentity(d))
	}
	for _, p := range problems {
		ids = append(ids, fmt.Sprintf("problem %d: %s", p.Line, p.Message))
	}
	return ids, true
}

func describeIdentity(d *Document) string {
	return fmt.Sprintf("%s %s %s/%s item %d", d.APIVersion, d.Kind, d.Namespace, d.Name, d.Item)
}

// FuzzWholeFile: whatever the file, the documents meshlint reads are those
// yaml.v3 finds in it, whenever yaml.v3 can parse it.
func FuzzWholeFile(f *testing.F) {
	for _, s := range fuzzSeedDocs {
		f.Add([]byte(s))
	}
	for _, s := range splitSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		wholeFileAgrees(t, data, fuzzLimits)
	})
}

// splitSeeds are files whose document boundaries take care: markers inside
// scalars, markers with content, directives, a BOM, CRLF.
var splitSeeds = []string{
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: |\n    ---\n    kind: ServiceMonitor\n    ...\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  k: \"a\n    --- b\"\n---\napiVersion: v1\nkind: Service\nmetadata: {name: s}\n",
	"%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
	"%TAG !e! tag:example.com,2000:\n---\napiVersion: v1\nkind: !e!x ConfigMap\nmetadata: {name: c}\n...\n%YAML 1.1\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n... # end\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
	"--- |\n  text\n--- >\n folded\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
	"--- {apiVersion: v1, kind: Secret, metadata: {name: s}}\n---\t\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
	"apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: c\r\n---\r\napiVersion: v1\r\nkind: Secret\r\nmetadata: {name: s}\r\n",
	"\xef\xbb\xbfapiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n\xef\xbb\xbfapiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: [1,\n  2]}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
	"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: plain\n    ---\n    continued\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
}

const serviceMonitorDoc = "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: sm\n  namespace: shop\nspec:\n  endpoints:\n  - port: http\n"

// TestUnterminatedQuoteHidesNothing: a quote that never closes, wherever it
// stands, is reported in its own document, and the ServiceMonitor after the
// next marker is still read.
func TestUnterminatedQuoteHidesNothing(t *testing.T) {
	broken := []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: \"unterminated\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: 'unterminated\n  more: x\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"c\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  - \"item\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  \"key: v\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: {a: \"x, b: [1,\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  k: \"a\\\"\n",
	}
	for _, end := range []string{"---\n", "...\n---\n", "--- # next\n"} {
		for _, b := range broken {
			text := b + end + serviceMonitorDoc
			pf := parseFile("f.yaml", []byte(text), DefaultLimits, testKinds, nil, false)
			var kinds []string
			for _, d := range pf.docs {
				kinds = append(kinds, d.Kind)
			}
			if len(pf.docs) != 1 || pf.docs[0].Kind != "ServiceMonitor" || pf.docs[0].Object == nil {
				t.Errorf("%q: documents %v, want the ServiceMonitor alone, decoded", text, kinds)
			}
			if len(pf.problems) != 1 || !strings.HasPrefix(pf.problems[0].Message, "invalid YAML") || pf.problems[0].Line > strings.Count(b, "\n") {
				t.Errorf("%q: problems %+v, want one invalid YAML in the first document", text, pf.problems)
			}
		}
	}
}

// TestUnterminatedQuoteInReadKind: in a kind the graph reads, and alone in
// its file, an unterminated quote is an invalid-manifest at its line.
func TestUnterminatedQuoteInReadKind(t *testing.T) {
	for _, text := range []string{
		"apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: sm\nspec:\n  k: \"unterminated\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: \"unterminated\n",
	} {
		pf := parseFile("f.yaml", []byte(text), DefaultLimits, testKinds, nil, false)
		if len(pf.docs) != 0 || len(pf.problems) != 1 || !strings.Contains(pf.problems[0].Message, "invalid YAML") {
			t.Errorf("%q: %d documents, problems %+v; want one invalid YAML problem", text, len(pf.docs), pf.problems)
		}
	}
}

// TestMarkersInsideScalars: "---" and "..." inside block and quoted scalars
// (indented, so not markers) do not cut the document, and the kind after a
// block scalar holding a fake ServiceMonitor is the real one.
func TestMarkersInsideScalars(t *testing.T) {
	text := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: |\n    ---\n    apiVersion: monitoring.coreos.com/v1\n    kind: ServiceMonitor\n    ...\n  b: >-\n    --- x\n  c: \"q\n    --- y\"\n  d: plain\n    --- z\n---\n" + serviceMonitorDoc
	pf := parseFile("f.yaml", []byte(text), DefaultLimits, testKinds, nil, false)
	var got []string
	for _, d := range pf.docs {
		got = append(got, d.Kind+"/"+d.Name)
	}
	if strings.Join(got, " ") != "ConfigMap/c ServiceMonitor/sm" || len(pf.problems) != 0 {
		t.Errorf("documents %v, problems %v; want ConfigMap/c ServiceMonitor/sm", got, pf.problems)
	}
	wholeFileAgrees(t, []byte(text), DefaultLimits)
}

// aliasesAnotherDocument reports whether an alias in the document refers to
// an anchor of an earlier one: yaml.v3 keeps anchors across a stream, but
// YAML scopes them to their document (and kubectl, which cuts the stream
// first, rejects such an alias), as meshlint does.
func aliasesAnotherDocument(root *yaml.Node) bool {
	inside := map[*yaml.Node]bool{}
	var aliases []*yaml.Node
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || inside[n] || depth > 10000 {
			return
		}
		inside[n] = true
		if n.Kind == yaml.AliasNode {
			aliases = append(aliases, n)
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	for _, a := range aliases {
		if !inside[a.Alias] {
			return true
		}
	}
	return false
}
