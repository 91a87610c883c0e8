package docgen

import (
	"os"
	"testing"

	"github.com/meshlint/meshlint/internal/render"
)

// TestMain lets this test binary serve as the sandboxed Helm renderer:
// rendering a chart re-executes the running binary as a child.
func TestMain(m *testing.M) {
	if handled, code := render.ServeChild(); handled {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
