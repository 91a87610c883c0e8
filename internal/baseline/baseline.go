// Package baseline reads and writes baseline files: the findings a team
// accepted when it adopted meshlint, so that CI fails only on new ones.
//
// A finding is identified by finding.Fingerprint, which does not depend on
// where it is in a file (the rule, the resource's API group, kind,
// namespace and name, and the JSON pointer of the field). SARIF and GitLab
// reports publish the same value, so a baseline entry and the code-scanning
// alert of one finding share it.
//
// The file is JSON with one entry per line, so reviews show one line per
// accepted finding and unused entries can be reported at their line.
package baseline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/atomicfile"
	"github.com/meshlint/meshlint/internal/confine"
	"github.com/meshlint/meshlint/internal/finding"
)

// Version is the format version written to and required of baseline files.
const Version = 1

// Justification is the suppression justification of baselined findings.
const Justification = "baseline"

// Entry is one accepted finding. Only Fingerprint is used for matching; the
// other fields are there for people reading the file.
type Entry struct {
	Fingerprint string            `json:"fingerprint"`
	Rule        string            `json:"rule"`
	Resource    *finding.Resource `json:"resource,omitempty"`
	Path        string            `json:"path,omitempty"`
	File        string            `json:"file,omitempty"`
	Message     string            `json:"message,omitempty"`
	// Line and Column are where the entry starts in the baseline file (1-based).
	Line   int `json:"-"`
	Column int `json:"-"`
}

// Describe names the finding an entry accepts, for messages.
func (e *Entry) Describe() string {
	var b strings.Builder
	b.WriteString(e.Rule)
	if r := e.Resource; r != nil {
		b.WriteString(" on " + r.Kind + " ")
		if r.Namespace != "" {
			b.WriteString(r.Namespace + "/")
		}
		b.WriteString(r.Name)
	} else if e.File != "" {
		b.WriteString(" in " + e.File)
	}
	if e.Path != "" {
		b.WriteString(" at " + e.Path)
	}
	return b.String()
}

// Baseline is a read baseline file.
type Baseline struct {
	File    string // display path
	Entries []Entry
}

type fileFormat struct {
	Version  int     `json:"version"`
	Findings []Entry `json:"findings"`
}

// Write writes findings as a baseline, sorted so that the file does not
// change when nothing but lines moved.
func Write(w io.Writer, findings []finding.Finding) error {
	entries := make([]Entry, 0, len(findings))
	for _, f := range findings {
		entries = append(entries, Entry{Fingerprint: finding.Fingerprint(f), Rule: f.Rule, Resource: f.Resource, Path: f.Path,
			File: f.File, Message: f.Message})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entryKey(entries[i]) < entryKey(entries[j]) })
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n  \"version\": %d,\n  \"findings\": [", Version)
	for i, e := range entries {
		var line bytes.Buffer
		enc := json.NewEncoder(&line)
		enc.SetEscapeHTML(false) // messages say "port 8080 -> 9090"
		if err := enc.Encode(e); err != nil {
			return fmt.Errorf("encode baseline entry: %w", err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		b.Write(bytes.TrimSuffix(line.Bytes(), []byte("\n")))
	}
	if len(entries) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	_, err := w.Write(b.Bytes())
	return err
}

func entryKey(e Entry) string {
	var r finding.Resource
	if e.Resource != nil {
		r = *e.Resource
	}
	return strings.Join([]string{e.Rule, r.Kind, r.Namespace, r.Name, e.Path, e.File, e.Fingerprint}, "\x00")
}

// WriteFile writes a baseline file atomically (internal/atomicfile): a
// failed write leaves the previous baseline as it was, so writing a baseline
// over the one being read (--baseline b --write-baseline b) is safe.
func WriteFile(path string, findings []finding.Finding) error {
	var b bytes.Buffer
	if err := Write(&b, findings); err != nil {
		return fmt.Errorf("write baseline %s: %w", path, err)
	}
	err := atomicfile.WriteFile(path, atomicfile.DefaultPerm, func(w io.Writer) error {
		_, err := w.Write(b.Bytes())
		return err
	})
	if err != nil {
		return fmt.Errorf("write baseline %s: %w", path, err)
	}
	return nil
}

// ReadFile reads a baseline file through root (nil: read anywhere), at most
// max bytes (--max-file-size); display is how messages name it. A file that
// is not regular, leaves the root or is too large is refused before a byte
// is read.
func ReadFile(root *confine.Root, path, display string, max int64) (*Baseline, error) {
	if root == nil {
		root = confine.Unconfined()
	}
	data, err := root.ReadFile(path, max, "--max-file-size")
	if err != nil {
		return nil, fmt.Errorf("read baseline %s: %w", display, err)
	}
	return Parse(data, display)
}

// Parse reads a baseline's bytes.
func Parse(data []byte, display string) (*Baseline, error) {
	var ff fileFormat
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ff); err != nil {
		return nil, fmt.Errorf("read baseline %s:%d: %w (write one with --write-baseline)", display, errorLine(data, err, dec), err)
	}
	if ff.Version != Version {
		return nil, fmt.Errorf("read baseline %s: version %d, want %d (write it again with --write-baseline)", display, ff.Version, Version)
	}
	starts := entryStarts(data)
	for i := range ff.Findings {
		e := &ff.Findings[i]
		if e.Fingerprint == "" || e.Rule == "" {
			return nil, fmt.Errorf("read baseline %s: entry %d lacks fingerprint or rule", display, i)
		}
		e.Line, e.Column = 1, 1
		if i < len(starts) {
			e.Line, e.Column = starts[i][0], starts[i][1]
		}
	}
	return &Baseline{File: display, Entries: ff.Findings}, nil
}

// entryStarts finds the line and column where each element of the
// "findings" array starts, by walking the JSON tokens once. Offsets only
// grow, so lines are counted from the previous entry on: linear in the
// file, where counting from its start for each entry would be quadratic.
func entryStarts(data []byte) [][2]int {
	dec := json.NewDecoder(bytes.NewReader(data))
	pos := newPositions(data)
	lineAt := func(off int64) [2]int {
		// Skip the separator and spaces before the value.
		for off < int64(len(data)) && strings.ContainsRune(" \t\r\n,[", rune(data[off])) {
			off++
		}
		return pos.at(off)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil
		}
		if key != "findings" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil
		}
		var lines [][2]int
		for dec.More() {
			lines = append(lines, lineAt(dec.InputOffset()))
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return lines
			}
		}
		return lines
	}
	return nil
}

// positions turns growing byte offsets into lines and columns, scanning each
// byte once over all calls.
type positions struct {
	data      []byte
	off       int64 // bytes scanned
	line      int   // line of off, 1-based
	lineStart int64 // offset where that line starts
}

func newPositions(data []byte) *positions { return &positions{data: data, line: 1} }

// at returns the line and column (1-based, in bytes) of off; an offset
// before the last one asked is counted from the start again.
func (p *positions) at(off int64) [2]int {
	off = min(max(off, 0), int64(len(p.data)))
	if off < p.off {
		*p = positions{data: p.data, line: 1}
	}
	for p.off < off {
		i := bytes.IndexByte(p.data[p.off:off], '\n')
		if i < 0 {
			p.off = off
			break
		}
		p.off += int64(i) + 1
		p.line++
		p.lineStart = p.off
	}
	return [2]int{p.line, int(off-p.lineStart) + 1}
}

func errorLine(data []byte, err error, dec *json.Decoder) int {
	off := dec.InputOffset()
	if se, ok := err.(*json.SyntaxError); ok {
		off = se.Offset
	}
	return newPositions(data).at(off)[0]
}

// Matcher accepts each baseline entry at most once: two identical findings
// need two entries, so a second copy of an accepted mistake is new.
type Matcher struct {
	b         *Baseline
	remaining map[string][]int // fingerprint -> indexes of unmatched entries
}

// Matcher starts matching findings against the baseline.
func (b *Baseline) Matcher() *Matcher {
	m := &Matcher{b: b, remaining: map[string][]int{}}
	for i, e := range b.Entries {
		m.remaining[e.Fingerprint] = append(m.remaining[e.Fingerprint], i)
	}
	return m
}

// Match reports whether f is accepted by an entry not used yet, and uses it.
func (m *Matcher) Match(f finding.Finding) bool {
	fp := finding.Fingerprint(f)
	idx := m.remaining[fp]
	if len(idx) == 0 {
		return false
	}
	m.remaining[fp] = idx[1:]
	return true
}

// Unused returns the entries no finding matched, in file order.
func (m *Matcher) Unused() []Entry {
	var idx []int
	for _, l := range m.remaining {
		idx = append(idx, l...)
	}
	sort.Ints(idx)
	out := make([]Entry, 0, len(idx))
	for _, i := range idx {
		out = append(out, m.b.Entries[i])
	}
	return out
}
