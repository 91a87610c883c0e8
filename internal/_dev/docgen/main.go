// Command docgen regenerates the rule documentation (internal/docs/docgen);
// `go generate ./...` runs it. It lives under internal/_dev, which `./...`
// patterns skip, so `go install ./...` builds only meshlint.
package main

import (
	"fmt"
	"os"

	"github.com/meshlint/meshlint/internal/docs/docgen"
)

func main() {
	if err := docgen.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "docgen: %v\n", err)
		os.Exit(1)
	}
}
