package engine

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/meshlint/meshlint/internal/finding"

	"github.com/open-policy-agent/opa/v1/rego"
)

// reportOf evaluates a Rego expression the way the stages do, so the test
// sees the values OPA hands decodeReport.
func reportOf(t *testing.T, expr string) any {
	t.Helper()
	rs, err := rego.New(rego.Query("report := " + expr)).Eval(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("evaluate %s: %v %v", expr, rs, err)
	}
	return rs[0].Bindings["report"]
}

func TestDecodeReportReadsEveryField(t *testing.T) {
	rule := &Rule{RuleDoc: finding.RuleDoc{ID: "r"}, File: "r.rego"}
	got, err := decodeReport(rule, reportOf(t, `{{"resource": 3, "pointer": "/spec", "message": "m", "severity": "warning",
		"related": [{"resource": 1, "pointer": "/a", "message": "there"}, null], "assumptions": ["x", "y"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []RawFinding{{Rule: rule, Resource: 3, Pointer: "/spec", Message: "m", Severity: "warning",
		Related: []Related{{Resource: 1, Pointer: "/a", Message: "there"}, {}}, Assumptions: []string{"x", "y"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded %+v, want %+v", got, want)
	}
	got, err = decodeReport(rule, reportOf(t, `{{"resource": 0, "message": "m", "pointer": null, "related": null}}`))
	if err != nil || len(got) != 1 || got[0].Resource != 0 || got[0].Pointer != "" || got[0].Related != nil {
		t.Errorf("minimal finding: %+v %v", got, err)
	}
	if got, err := decodeReport(rule, nil); err != nil || got != nil {
		t.Errorf("no report: %+v %v", got, err)
	}
}

// A malformed finding is an error naming the rule and showing the finding
// as JSON, whatever field is wrong.
func TestDecodeReportRejectsMalformedFindings(t *testing.T) {
	rule := &Rule{RuleDoc: finding.RuleDoc{ID: "r"}, File: "r.rego"}
	for _, item := range []string{
		`"just a string"`,
		`{"pointer": "/spec", "message": "m"}`,
		`{"resource": null, "message": "m"}`,
		`{"resource": "3", "message": "m"}`,
		`{"resource": 1.5, "message": "m"}`,
		`{"resource": 1e3, "message": "m"}`,
		`{"resource": 1}`,
		`{"resource": 1, "message": ""}`,
		`{"resource": 1, "message": 7}`,
		`{"resource": 1, "message": "m", "pointer": ["/a"]}`,
		`{"resource": 1, "message": "m", "related": {"resource": 1}}`,
		`{"resource": 1, "message": "m", "related": ["x"]}`,
		`{"resource": 1, "message": "m", "related": [{"resource": "1"}]}`,
		`{"resource": 1, "message": "m", "assumptions": "x"}`,
		`{"resource": 1, "message": "m", "assumptions": [1]}`,
		`{"resource": 1, "message": "m", "severity": 2}`,
	} {
		v := reportOf(t, "{"+item+"}")
		_, err := decodeReport(rule, v)
		b, _ := json.Marshal(v.([]any)[0])
		if err == nil || !strings.Contains(err.Error(), "rule r (r.rego): a finding must be an object") || !strings.Contains(err.Error(), string(b)) {
			t.Errorf("%s: %v", item, err)
		}
	}
	if _, err := decodeReport(rule, reportOf(t, `{{"resource": 1, "message": "m", "severity": "fatal"}}`)); err == nil ||
		!strings.Contains(err.Error(), `finding severity "fatal" is not error, warning or note`) {
		t.Errorf("unknown severity: %v", err)
	}
	if _, err := decodeReport(rule, reportOf(t, `{"resource": 1}`)); err == nil || !strings.Contains(err.Error(), "report is not a set") {
		t.Errorf("report that is an object: %v", err)
	}
}

// BenchmarkDecodeReport decodes a report of 10,000 findings with a related
// location each, the size a rule reaches on a generated corpus.
func BenchmarkDecodeReport(b *testing.B) {
	rs, err := rego.New(rego.Query(`report := {f | some i in numbers.range(1, 10000); f := {"resource": i, "pointer": "/spec/endpoints/0",
		"message": sprintf("finding %d", [i]), "related": [{"resource": 0, "pointer": "/spec", "message": "the Prometheus"}]}}`)).Eval(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	v := rs[0].Bindings["report"]
	rule := &Rule{RuleDoc: finding.RuleDoc{ID: "r"}, File: "r.rego"}
	b.ReportAllocs()
	for b.Loop() {
		if out, err := decodeReport(rule, v); err != nil || len(out) != 10000 {
			b.Fatal(len(out), err)
		}
	}
}
