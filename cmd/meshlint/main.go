// Command meshlint lints Kubernetes manifests for Prometheus scraping under Istio mutual TLS.
package main

import (
	"os"

	"github.com/meshlint/meshlint/internal/cli"
	"github.com/meshlint/meshlint/internal/render"
)

func main() {
	// A sandboxed Helm renderer is this same binary, started by the
	// linting process for one chart; it does nothing else.
	if handled, code := render.ServeChild(); handled {
		os.Exit(code)
	}
	// meshlint never runs a program by name, so a library that would
	// (Kustomize clones remote bases with "git") finds none. The renderer
	// child is started by its absolute path.
	os.Setenv("PATH", "")
	os.Exit(cli.Run(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
