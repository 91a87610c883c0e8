// Package policies holds meshlint's built-in rules, written in Rego v1, one
// rule per file under rules/<category>/<id>.rego with its tests beside it.
package policies

import "embed"

// FS holds the rule modules, their tests and the shared library.
//
//go:embed lib rules
var FS embed.FS
