// Command docgen regenerates the rule documentation (internal/docs/docgen);
// `go generate ./...` runs it. It lives under internal/_dev, which `./...`
// patterns skip, so `go install ./...` builds only meshlint.
package main

import (
	"fmt"
	"os"

	"github.com/meshlint/meshlint/internal/docs/docgen"
	"github.com/meshlint/meshlint/internal/render"
)

func main() {
	// The fixtures it lints include charts, rendered by this binary
	// re-executed as a sandboxed child.
	if handled, code := render.ServeChild(); handled {
		os.Exit(code)
	}
	if err := docgen.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "docgen: %v\n", err)
		os.Exit(1)
	}
}
