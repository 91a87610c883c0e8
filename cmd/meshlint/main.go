// Command meshlint lints Kubernetes manifests for Prometheus scraping under Istio mutual TLS.
package main

import (
	"os"

	"github.com/meshlint/meshlint/internal/cli"
)

func main() {
	os.Setenv("PATH", "") // meshlint never runs a program by name, so a library that would (Kustomize clones with "git") finds none
	os.Exit(cli.Run(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
