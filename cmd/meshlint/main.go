// Command meshlint lints Kubernetes manifests for Prometheus scraping under Istio mutual TLS.
package main

import (
	"os"

	"github.com/meshlint/meshlint/internal/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
