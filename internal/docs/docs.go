// Package docs renders the documentation of every rule from its METADATA
// and from its own fixtures: `meshlint explain RULE` in the terminal, and
// docs/rules/<id>.md plus the docs/rules/README.md index in the repository.
//
// The examples come from testdata/rules/<id>/{bad,good}/<case>/: the
// generator (./docgen, run by `go generate ./...` through ../_dev/docgen) picks the smallest bad
// and good case of each rule, runs meshlint on them, and stores files and
// findings in examples.json, which is embedded, so the binary never reads
// the repository at run time. A test regenerates everything in memory and
// fails when the committed files are stale.
package docs

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/meshlint/meshlint/internal/fixtures"
)

//go:generate go run ../_dev/docgen

//go:embed examples.json
var examplesJSON []byte

// Example is one fixture case shown as an example.
type Example struct {
	// Dir is the case directory, relative to the repository root, forward slashes.
	Dir string `json:"dir"`
	// Args are the extra flags the case runs with (its args file).
	Args  []string        `json:"args,omitempty"`
	Files []fixtures.File `json:"files"`
	// Findings are what meshlint reports on the case.
	Findings []Finding `json:"findings,omitempty"`
}

// Finding is a finding of an example, with positions relative to the case.
type Finding struct {
	Rule     string     `json:"rule"`
	Severity string     `json:"severity"`
	Message  string     `json:"message"`
	File     string     `json:"file"`
	Line     int        `json:"line"`
	Column   int        `json:"column"`
	Related  []Location `json:"related,omitempty"`
}

// Location is a related location of an example finding.
type Location struct {
	Message string `json:"message"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
}

// Examples are the examples of one rule and the names of all its cases.
type Examples struct {
	Bad       *Example `json:"bad,omitempty"`
	Good      *Example `json:"good,omitempty"`
	BadCases  []string `json:"badCases,omitempty"`
	GoodCases []string `json:"goodCases,omitempty"`
}

// Catalog maps rule ids to their examples.
type Catalog map[string]*Examples

var (
	loadOnce sync.Once
	embedded Catalog
	loadErr  error
)

// Embedded returns the examples compiled into the binary.
func Embedded() (Catalog, error) {
	loadOnce.Do(func() {
		loadErr = json.Unmarshal(examplesJSON, &embedded)
		if loadErr != nil {
			loadErr = fmt.Errorf("read embedded rule examples: %w", loadErr)
		}
	})
	return embedded, loadErr
}

// Marshal encodes a catalog as examples.json, deterministically.
func (c Catalog) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode rule examples: %w", err)
	}
	return append(b, '\n'), nil
}
