package cli

import (
	"bytes"
	"io"

	"github.com/meshlint/meshlint/internal/report"
)

// sanitizingWriter escapes each line it passes on with report.Sanitize.
// `rules` and `explain` print the titles and descriptions of custom
// policies, which come from the linted tree: a METADATA title must not
// move the cursor, hide text behind a bidi override or start a GitHub
// workflow command in a CI log. Call flush when done.
type sanitizingWriter struct {
	w       io.Writer
	pending []byte
}

func (s *sanitizingWriter) Write(p []byte) (int, error) {
	s.pending = append(s.pending, p...)
	for {
		i := bytes.IndexByte(s.pending, '\n')
		if i < 0 {
			return len(p), nil
		}
		if _, err := io.WriteString(s.w, report.Sanitize(string(s.pending[:i]))+"\n"); err != nil {
			return 0, err
		}
		s.pending = s.pending[i+1:]
	}
}

func (s *sanitizingWriter) flush() error {
	if len(s.pending) == 0 {
		return nil
	}
	_, err := io.WriteString(s.w, report.Sanitize(string(s.pending)))
	s.pending = nil
	return err
}

// sanitized runs print on a sanitizingWriter over w.
func sanitized(w io.Writer, print func(io.Writer) error) error {
	sw := &sanitizingWriter{w: w}
	if err := print(sw); err != nil {
		return err
	}
	return sw.flush()
}
