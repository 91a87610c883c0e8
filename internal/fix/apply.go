package fix

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"github.com/pmezard/go-difflib/difflib"
)

// Hash is the hex SHA-256 of a file's text: fixes record the text they were
// computed against, and are applied only to that same text.
func Hash(text []byte) string {
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:])
}

// Apply makes the edits of one file. Identical edits (two findings with the
// same fix) are made once; edits that overlap are an error, so a caller
// applies fixes one at a time and skips a fix that collides with one
// already taken (Select). Insertions at the same place go in the order given.
func Apply(text []byte, edits []Edit) ([]byte, error) {
	es := dedupe(edits)
	sort.SliceStable(es, func(i, j int) bool { return es[i].Start.Offset < es[j].Start.Offset })
	var b strings.Builder
	at := 0
	for _, e := range es {
		if e.Start.Offset < at || e.End.Offset < e.Start.Offset || e.End.Offset > len(text) {
			return nil, fmt.Errorf("%s: edits overlap at line %d", e.File, e.Start.Line)
		}
		b.Write(text[at:e.Start.Offset])
		b.WriteString(e.New)
		at = e.End.Offset
	}
	b.Write(text[at:])
	return []byte(b.String()), nil
}

func dedupe(edits []Edit) []Edit {
	var out []Edit
	seen := map[Edit]bool{}
	for _, e := range edits {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// Select picks the fixes to apply together: each fix whole or not at all,
// in order, leaving out one whose edits overlap an edit already taken
// (a replacement that crosses another, or an insertion inside one) unless
// they are the same edit. What is left out is fixed on a next pass, after
// a lint of the changed files.
func Select(fixes []Fix) (taken []Fix, skipped int) {
	var edits []Edit
	for _, f := range fixes {
		if collides(edits, f.Edits) {
			skipped++
			continue
		}
		taken = append(taken, f)
		edits = append(edits, f.Edits...)
	}
	return taken, skipped
}

func collides(have, add []Edit) bool {
	for _, a := range add {
		for _, h := range have {
			if a == h || a.File != h.File {
				continue
			}
			if a.Start.Offset < h.End.Offset && h.Start.Offset < a.End.Offset {
				return true // the ranges cross
			}
			if a.Start.Offset == h.Start.Offset {
				return true // two changes at one place: which goes first is not known
			}
			if a.Start == a.End && h.Start.Offset < a.Start.Offset && a.Start.Offset < h.End.Offset ||
				h.Start == h.End && a.Start.Offset < h.Start.Offset && h.Start.Offset < a.End.Offset {
				return true
			}
		}
	}
	return false
}

// Diff is the unified diff of a file's text before and after its fixes,
// with a/ and b/ paths as git writes them.
func Diff(file string, before, after []byte) (string, error) {
	return difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(before)), B: difflib.SplitLines(string(after)),
		FromFile: "a/" + file, ToFile: "b/" + file, Context: 3,
	})
}
