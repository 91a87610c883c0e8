// Package goldenflag defines the -update test flag. Every package with tests
// imports it from a _test.go file, so `go test ./... -update` is accepted by
// every test binary: packages with golden files (report formats, generated
// rule docs) rewrite them, the others ignore the flag.
package goldenflag

import "flag"

// Update is true when the tests should rewrite their golden files instead of
// comparing against them.
var Update = flag.Bool("update", false, "rewrite golden files (report formats, generated rule docs) instead of comparing")
