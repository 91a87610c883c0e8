package render

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/loader"
)

// The cost of the sandbox: the example chart rendered in process and in a
// child (go test -bench Chart -run '^$' ./internal/render). The difference
// is the per-chart overhead of starting the child and passing the chart.

func exampleChartRequest(b *testing.B) (*expander, childRequest) {
	dir, err := filepath.Abs("../../examples/charts/shop-metrics")
	if err != nil {
		b.Fatal(err)
	}
	wd, _ := os.Getwd()
	x := &expander{workDir: wd, opts: Options{Root: confine.Unconfined(), Limits: loader.DefaultLimits}}
	files, _, err := x.gatherChart(dir)
	if err != nil {
		b.Fatal(err)
	}
	vals, _ := encodeValue(map[string]any{})
	return x, childRequest{Dir: dir, WorkDir: wd, Files: files, Values: vals, MaxOutput: DefaultMaxRenderOutput}
}

func BenchmarkChartInProcess(b *testing.B) {
	_, req := exampleChartRequest(b)
	for b.Loop() {
		if resp := renderRequest(req, map[string]any{}); len(resp.Outputs) == 0 {
			b.Fatal("nothing rendered")
		}
	}
}

func BenchmarkChartInChild(b *testing.B) {
	x, req := exampleChartRequest(b)
	for b.Loop() {
		if out := x.renderInChild(req, "Chart.yaml"); len(out.outputs) == 0 {
			b.Fatalf("nothing rendered: %+v", out.findings)
		}
	}
}
