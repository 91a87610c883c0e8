// Command inputgen writes the input sections of a facts type
// (internal/engine/input/inputgen); `go generate ./...` runs it in
// internal/graph. It lives under internal/_dev, which `./...` patterns
// skip, so `go install ./...` builds only meshlint.
//
//	inputgen -type Facts -out facts_input_gen.go
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/meshlint/meshlint/internal/engine/input/inputgen"
)

func main() {
	root := flag.String("type", "", "the struct type whose fields are the input's sections")
	out := flag.String("out", "", "the file to write")
	flag.Parse()
	if *root == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: inputgen -type T -out FILE")
		os.Exit(2)
	}
	src, err := inputgen.Generate(".", *root, filepath.Base(*out))
	if err == nil {
		err = os.WriteFile(*out, src, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "inputgen:", err)
		os.Exit(1)
	}
}
