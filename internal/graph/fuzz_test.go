package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/loader"
)

// FuzzLabelSelector parses arbitrary JSON as a metav1.LabelSelector and
// checks Matches against the Kubernetes semantics: nil matches nothing, an
// empty selector matches everything, a selector is the conjunction of its
// terms, NotIn is the negation of In when the key is present (and matches
// when it is absent), DoesNotExist is the negation of Exists, and a
// matchLabels pair is an In with one value.
func FuzzLabelSelector(f *testing.F) {
	f.Add([]byte(`null`), "app", "In", "cart", "app", "cart")
	f.Add([]byte(`{}`), "app", "NotIn", "cart", "tier", "web")
	f.Add([]byte(`{"matchLabels":{"app":"cart"}}`), "app", "Exists", "", "app", "cart")
	f.Add([]byte(`{"matchLabels":{"app":8080,"on":true,"x":null}}`), "app", "DoesNotExist", "", "app", "8080")
	f.Add([]byte(`{"matchExpressions":[{"key":"app","operator":"In","values":["a","b"]},{"key":"t","operator":"Exists"}]}`), "t", "NotIn", "", "t", "")
	f.Add([]byte(`{"matchExpressions":[{"key":"app","operator":"Like"}]}`), "", "In", "", "", "")
	f.Add([]byte(`["app"]`), "app", "In", "x", "app", "x")
	f.Add([]byte(`{"matchLabels":["app"],"matchExpressions":{"key":"a"}}`), "a", "In", "1", "a", "1")
	f.Add([]byte(`{"matchExpressions":[{"key":"a","operator":"In","values":"x"}]}`), "a", "In", "x", "a", "x")
	f.Fuzz(func(t *testing.T, selJSON []byte, key, op, value, labelKey, labelValue string) {
		labels := map[string]string{labelKey: labelValue}
		if key != "" {
			labels[key] = value
		}

		// Nil and empty selectors.
		var null *LabelSelector
		if null.Matches(labels) || null.Matches(nil) {
			t.Fatal("the null selector matched")
		}
		if !(&LabelSelector{}).Matches(labels) || !(&LabelSelector{}).Matches(nil) {
			t.Fatal("the empty selector did not match")
		}

		// Arbitrary input: never panics, errors point into the selector,
		// and a parsed selector is the conjunction of its terms.
		var raw any
		dec := json.NewDecoder(bytes.NewReader(selJSON))
		if err := dec.Decode(&raw); err == nil {
			raw = normalizeJSON(raw)
			sel, ferr := parseLabelSelector(raw, "/spec/selector")
			switch {
			case ferr != nil:
				if sel != nil {
					t.Fatalf("error %q with a selector", ferr.Message)
				}
				if !strings.HasPrefix(ferr.Pointer, "/spec/selector") || ferr.Message == "" {
					t.Fatalf("error %+v does not point into the selector", ferr)
				}
			case raw == nil:
				if sel != nil {
					t.Fatal("null parsed to a non-nil selector")
				}
			default:
				if sel == nil {
					t.Fatal("a mapping parsed to the null selector")
				}
				_ = sel.String()
				want := true
				for k, v := range sel.MatchLabels {
					want = want && (Requirement{Key: k, Operator: "In", Values: []string{v}}).matches(labels)
				}
				for _, r := range sel.MatchExpressions {
					want = want && r.matches(labels)
				}
				if got := sel.Matches(labels); got != want {
					t.Fatalf("%s on %v: Matches %v, conjunction of terms %v", sel, labels, got, want)
				}
				if sel.IsEmpty() && !sel.Matches(labels) {
					t.Fatalf("empty selector %s did not match %v", sel, labels)
				}
			}
		}

		// One requirement built from the fuzzed strings.
		values := strings.Split(value, ",")
		in := Requirement{Key: key, Operator: "In", Values: values}
		notIn := Requirement{Key: key, Operator: "NotIn", Values: values}
		exists := Requirement{Key: key, Operator: "Exists"}
		absent := Requirement{Key: key, Operator: "DoesNotExist"}
		for _, ls := range []map[string]string{labels, {labelKey: labelValue}, nil} {
			_, has := ls[key]
			if has && notIn.matches(ls) == in.matches(ls) {
				t.Fatalf("key %q present in %v: NotIn %v is not the negation of In", key, ls, values)
			}
			if !has && (in.matches(ls) || !notIn.matches(ls)) {
				t.Fatalf("key %q absent from %v: In must not match, NotIn must", key, ls)
			}
			if exists.matches(ls) != has || absent.matches(ls) == has {
				t.Fatalf("key %q in %v: Exists/DoesNotExist disagree with presence", key, ls)
			}
			ml := &LabelSelector{MatchLabels: map[string]string{key: value}}
			one := Requirement{Key: key, Operator: "In", Values: []string{value}}
			if ml.Matches(ls) != one.matches(ls) {
				t.Fatalf("matchLabels {%q: %q} and In [%q] disagree on %v", key, value, value, ls)
			}
		}

		// The same requirement through the parser: only the four operators
		// and a non-empty key are accepted, and the parsed term behaves the
		// same as the one built directly.
		vs := make([]any, len(values))
		for i, v := range values {
			vs[i] = v
		}
		sel, ferr := parseLabelSelector(map[string]any{"matchExpressions": []any{
			map[string]any{"key": key, "operator": op, "values": vs}}}, "/s")
		valid := key != "" && (op == "In" || op == "NotIn" || op == "Exists" || op == "DoesNotExist")
		if (ferr == nil) != valid {
			t.Fatalf("key %q operator %q: parse error %v, want valid=%v", key, op, ferr, valid)
		}
		if valid {
			r := Requirement{Key: key, Operator: op, Values: values}
			if sel.Matches(labels) != r.matches(labels) {
				t.Fatalf("parsed %s and built requirement disagree on %v", sel, labels)
			}
		}
	})
}

// normalizeJSON makes encoding/json's values look like the loader's:
// integral numbers become int64.
func normalizeJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalizeJSON(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalizeJSON(e)
		}
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	}
	return v
}

// FuzzPortLevelMtlsKey checks PeerAuthentication port-key parsing end to end
// (YAML text through the loader into the graph): a port written as a plain
// integer and as a quoted string is the same port, every accepted key is a
// port 1-65535 whose decimal text is the key's value, and anything else is
// an invalid-manifest problem at the key, never a panic.
func FuzzPortLevelMtlsKey(f *testing.F) {
	for _, k := range []string{"8080", "1", "65535", "0", "65536", "-1", "+80", " 80", "08080", "0x1F90", "8_080", "1e3",
		"80.0", "abc", "", "~", "99999999999999999999", "9090 # comment", "[1]", "{a: 1}", "&a 80", "!!str 80", "null"} {
		f.Add(k, int64(8080))
	}
	f.Add("9090", int64(-5))
	f.Add("x", int64(1<<40))
	f.Fuzz(func(t *testing.T, key string, n int64) {
		// The key written plain (it may not even be valid YAML), when it
		// stays on its line.
		if !strings.ContainsAny(key, "\n\r\u0085\u2028\u2029") {
			g, problems := buildPeerAuthentication(t, key)
			checkPortLevel(t, key, g, problems)
		}

		// The key as a double-quoted string: a number n is the port n.
		quoted := strconv.Quote(key)
		gq, pq := buildPeerAuthentication(t, quoted)
		checkPortLevel(t, quoted, gq, pq)
		if port, err := parsePortKey(key); err == nil {
			if len(gq.PeerAuths) != 1 || len(gq.PeerAuths[0].PortLevel) != 1 || gq.PeerAuths[0].PortLevel[0].Port != port {
				t.Fatalf("quoted key %s: want port %d, got %+v (problems %v)", quoted, port, gq.PeerAuths, pq)
			}
		}

		// An integer written plain and quoted gives the same port, or the
		// same kind of problem.
		plain := strconv.FormatInt(n, 10)
		gp, pp := buildPeerAuthentication(t, plain)
		gs, ps := buildPeerAuthentication(t, strconv.Quote(plain))
		if a, b := portsOf(gp), portsOf(gs); a != b || (len(pp) == 0) != (len(ps) == 0) {
			t.Fatalf("%s and %q differ: ports %q vs %q, problems %v vs %v", plain, plain, a, b, pp, ps)
		}
		if n >= 1 && n <= 65535 && portsOf(gp) != plain {
			t.Fatalf("plain key %s: got ports %q, problems %v", plain, portsOf(gp), pp)
		}
		if (n < 1 || n > 65535) && len(pp) == 0 {
			t.Fatalf("plain key %s out of range was accepted: %q", plain, portsOf(gp))
		}
	})
}

// buildPeerAuthentication loads a workload-level PeerAuthentication whose
// only portLevelMtls key is written as keyText, and returns the graph and
// every problem (loader and graph) as text.
func buildPeerAuthentication(t *testing.T, keyText string) (*Graph, []string) {
	t.Helper()
	text := "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: pa, namespace: shop}\n" +
		"spec:\n  selector: {matchLabels: {app: a}}\n  portLevelMtls:\n    " + keyText + ": {mode: PERMISSIVE}\n"
	res, err := loader.Load([]string{"-"}, loader.Options{Kinds: ReadsKind, Stdin: strings.NewReader(text), WorkDir: "/"})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	g := Build(res.Documents, DefaultSettings())
	var problems []string
	for _, p := range res.Problems {
		if p.File != "-" || p.Line < 1 || p.Line > strings.Count(text, "\n")+1 {
			t.Fatalf("key %q: loader problem outside the file: %+v", keyText, p)
		}
		problems = append(problems, fmt.Sprintf("%d: %s", p.Line, p.Message))
	}
	for _, p := range g.Problems {
		if !strings.HasPrefix(p.Pointer, "/spec/portLevelMtls") || p.Message == "" {
			t.Fatalf("key %q: graph problem not at the key: %+v", keyText, p)
		}
		problems = append(problems, p.Pointer+": "+p.Message)
	}
	return g, problems
}

func checkPortLevel(t *testing.T, keyText string, g *Graph, problems []string) {
	t.Helper()
	if len(g.PeerAuths) > 1 {
		t.Fatalf("key %q: %d policies from one document", keyText, len(g.PeerAuths))
	}
	if len(g.PeerAuths) == 1 {
		pa := g.PeerAuths[0]
		if len(problems) > 0 {
			t.Fatalf("key %q: policy kept despite problems %v", keyText, problems)
		}
		for _, pm := range pa.PortLevel {
			if pm.Port < 1 || pm.Port > 65535 {
				t.Fatalf("key %q: port %d out of range", keyText, pm.Port)
			}
			if strings.TrimLeft(pm.Key, "0") != strconv.Itoa(pm.Port) {
				t.Fatalf("key %q: port %d from key text %q", keyText, pm.Port, pm.Key)
			}
		}
	} else if len(problems) == 0 {
		t.Fatalf("key %q: no policy and no problem", keyText)
	}
}

func portsOf(g *Graph) string {
	var out []string
	for _, pa := range g.PeerAuths {
		for _, pm := range pa.PortLevel {
			out = append(out, strconv.Itoa(pm.Port))
		}
	}
	return strings.Join(out, ",")
}
