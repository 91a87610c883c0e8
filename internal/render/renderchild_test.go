package render

import (
	"os"
	"testing"
)

// TestMain lets this test binary serve as the sandboxed Helm renderer:
// rendering a chart re-executes the running binary as a child.
func TestMain(m *testing.M) {
	if handled, code := ServeChild(); handled {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
