package render

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/meshlint/meshlint/internal/finding"
)

// The budgets a rendering can exceed, as the child reports them.
const budgetOutput = "output"

// wallClock is the parent's last-resort kill: twice the CPU budget (two
// renderings may share a core) and ten seconds for the child to start.
func (o Options) wallClock() time.Duration {
	return time.Duration(2*o.maxRenderCPU()+10) * time.Second
}

// renderInChild renders a chart in a sandboxed child process (child.go)
// and turns what it answers, or how it died, into the chart's output.
func (x *expander) renderInChild(req childRequest, chartFile string) chartOutput {
	out := chartOutput{chartFile: chartFile}
	fail := func(msg string) chartOutput {
		out.findings = []finding.Problem{x.errorAt(chartFile, 1, 1, msg)}
		return out
	}
	chart := x.display(req.Dir)
	if os.Getenv(childMarker) != "" {
		// This process is itself a child that did not serve: a test
		// binary without the TestMain hook. Spawning again would recurse.
		return fail(fmt.Sprintf("cannot render Helm chart %s: this process was started as a render child but does not serve as one (its TestMain must call render.ServeChild)", chart))
	}
	exe, err := os.Executable()
	if err != nil {
		return fail(fmt.Sprintf("cannot render Helm chart %s: cannot find the meshlint executable to run the sandboxed renderer: %v", chart, err))
	}
	req.Limits = childLimits{MemoryMiB: x.opts.maxRenderMemory(), CPUSeconds: x.opts.maxRenderCPU()}
	body, err := json.Marshal(req)
	if err != nil {
		return fail(fmt.Sprintf("internal error while rendering Helm chart %s (please report it): %v", chart, err))
	}
	parent := x.ctx
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithTimeout(parent, x.opts.wallClock())
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, childFlag)
	// No inherited variable: the child cannot leak CI secrets, and
	// nothing in the environment changes how a chart renders. GOGC=off
	// spares its package initialisation a collection; the child turns
	// the collector on itself (child.go).
	cmd.Env = []string{childMarker + "=1", "GOGC=off"}
	cmd.Stdin = bytes.NewReader(body)
	stdout := &cappedBuffer{max: 16*req.MaxOutput + 16<<20} // JSON escaping and line maps
	stderr := &cappedBuffer{max: 64 << 10}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = time.Second
	runErr := cmd.Run()
	if over := x.budgetExceeded(ctx, parent, cmd, runErr, stdout, stderr); over != "" {
		return fail(fmt.Sprintf("Helm chart %s was not rendered: %s; its resources are not linted", chart, over))
	}
	if runErr != nil {
		return fail(fmt.Sprintf("internal error while rendering Helm chart %s (please report it): the sandboxed renderer stopped without an answer", chart))
	}
	var resp childResponse
	if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil {
		return fail(fmt.Sprintf("internal error while rendering Helm chart %s (please report it): the sandboxed renderer's answer cannot be read", chart))
	}
	if resp.Over == budgetOutput {
		return fail(fmt.Sprintf("Helm chart %s was not rendered: %s; its resources are not linted", chart, x.budgetMessage(budgetOutput)))
	}
	out.name, out.release, out.findings = resp.Name, resp.Release, resp.Findings
	for _, o := range resp.Outputs {
		out.outputs = append(out.outputs, templateOutput{key: o.Key, file: o.File, text: o.Text, lines: o.Lines})
	}
	return out
}

// budgetExceeded names the budget a child that failed ran over, "" when
// it failed otherwise (or did not fail). The verdict comes from how the
// child ended, never from a measurement, so it is the same on every run.
func (x *expander) budgetExceeded(ctx, parent context.Context, cmd *exec.Cmd, runErr error, stdout, stderr *cappedBuffer) string {
	switch {
	case runErr == nil && !stdout.over:
		return ""
	case parent.Err() != nil:
		return "the run was canceled"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return x.budgetMessage("wall")
	case stdout.over:
		return x.budgetMessage(budgetOutput)
	case cmd.ProcessState != nil && killedByCPULimit(cmd.ProcessState, time.Duration(x.opts.maxRenderCPU())*time.Second):
		return x.budgetMessage("cpu")
	case outOfMemory(stderr.String()):
		return x.budgetMessage("memory")
	}
	return ""
}

// outOfMemory recognizes the Go runtime's fatal errors when an allocation,
// or a thread's stack, does not fit in the address-space limit.
func outOfMemory(stderr string) bool {
	for _, s := range []string{"out of memory", "cannot allocate memory", "errno=12", "cannot map pages"} {
		if strings.Contains(stderr, s) {
			return true
		}
	}
	return false
}

// budgetMessage says which budget a rendering exceeded and how to raise it.
func (x *expander) budgetMessage(budget string) string {
	switch budget {
	case "memory":
		return fmt.Sprintf("rendering it needs more memory than the budget of %d MiB (raise it with --max-render-memory); a template may build a huge string or list (repeat, until, indent, a string doubled in a loop)", x.opts.maxRenderMemory())
	case "cpu":
		return fmt.Sprintf("rendering it takes more CPU time than the budget of %d seconds (raise it with --max-render-cpu); a template may loop for too long", x.opts.maxRenderCPU())
	case budgetOutput:
		return fmt.Sprintf("its templates render more than the budget of %d bytes (raise it with --max-render-output)", x.opts.maxRenderOutput())
	}
	return fmt.Sprintf("rendering it did not finish within %d seconds of wall-clock time, twice the CPU budget and 10 seconds (raise it with --max-render-cpu)", int64(x.opts.wallClock()/time.Second))
}

// cappedBuffer keeps the first max bytes written to it and notes whether
// more came; it never fails a write, so the child is never blocked on it.
type cappedBuffer struct {
	bytes.Buffer
	max  int64
	over bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	room := b.max - int64(b.Len())
	if int64(len(p)) > room {
		b.over = true
		if room > 0 {
			b.Buffer.Write(p[:room])
		}
		return len(p), nil
	}
	return b.Buffer.Write(p)
}
