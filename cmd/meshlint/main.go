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
	os.Exit(cli.Run(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
