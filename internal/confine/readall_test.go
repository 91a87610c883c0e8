package confine

import (
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// countingReader counts the reads made of the reader it wraps.
type countingReader struct {
	r     io.Reader
	reads int
}

func (c *countingReader) Read(b []byte) (int, error) {
	c.reads++
	return c.r.Read(b)
}

// openText writes text to a file and opens it, as ReadFile would read it.
func openText(t *testing.T, text string) *os.File {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f.yaml")
	write(t, p, text)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestReadAllAtTheLargestBound: a bound of the largest int64 reads the
// file whole (asking for one byte more than the bound overflowed).
func TestReadAllAtTheLargestBound(t *testing.T) {
	text := "kind: ConfigMap\n"
	data, err := readAll(openText(t, text), int64(len(text)), math.MaxInt64, "")
	if err != nil || string(data) != text {
		t.Fatalf("read %q, %v", data, err)
	}
}

// TestReadAllReadsAFileOfItsSizeInOneRead: a file that ends where fstat
// said is read in one read, not two (the read of nothing at its end is
// left out).
func TestReadAllReadsAFileOfItsSizeInOneRead(t *testing.T) {
	text := "kind: ConfigMap\n"
	c := &countingReader{r: openText(t, text)}
	data, err := readAll(c, int64(len(text)), 1<<20, "")
	if err != nil || string(data) != text {
		t.Fatalf("read %q, %v", data, err)
	}
	if c.reads != 1 {
		t.Errorf("%d reads, want 1", c.reads)
	}
}

// TestReadAllReadsAFileThatChangedSinceFstat: the size ReadAll is given
// is what fstat said when the file was opened; the file may have grown or
// shrunk since. Either way readAll reads what the file holds when read, to
// its end, and never more than the bound.
func TestReadAllReadsAFileThatChangedSinceFstat(t *testing.T) {
	text := strings.Repeat("kind: ConfigMap\n", 100)
	for _, c := range []struct {
		name string
		size int64 // what fstat said
		max  int64
		want string
		err  bool
	}{
		{"grew by a byte", int64(len(text)) - 1, 1 << 20, text, false},
		{"grew much", 16, 1 << 20, text, false},
		{"was empty", 0, 1 << 20, text, false},
		{"shrank", int64(len(text)) + 100, 1 << 20, text, false},
		{"grew past the bound", 16, int64(len(text)) - 1, "", true},
		{"grew to the bound", 16, int64(len(text)), text, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			data, err := readAll(openText(t, text), c.size, c.max, "--max-file-size")
			var tl *TooLargeError
			if c.err {
				if !errors.As(err, &tl) || tl.Limit != c.max || data != nil {
					t.Errorf("read %d bytes, %v; want refused at %d", len(data), err, c.max)
				}
				return
			}
			if err != nil || string(data) != c.want {
				t.Errorf("read %d bytes, %v; want %d", len(data), err, len(c.want))
			}
		})
	}
}

// TestReadAllReadsOnAfterShortReads: a read that returns less than asked
// before the expected size is reached is not taken for the end.
func TestReadAllReadsOnAfterShortReads(t *testing.T) {
	text := strings.Repeat("kind: ConfigMap\n", 10)
	for name, r := range map[string]func(io.Reader) io.Reader{
		"one byte": iotest.OneByteReader, "half": iotest.HalfReader, "data with EOF": iotest.DataErrReader,
	} {
		data, err := readAll(r(strings.NewReader(text)), int64(len(text)), 1<<20, "")
		if err != nil || string(data) != text {
			t.Errorf("%s: read %q, %v", name, data, err)
		}
	}
	_, err := readAll(iotest.ErrReader(errors.New("broken")), 10, 1<<20, "")
	if err == nil || err.Error() != "broken" {
		t.Errorf("a failing read: %v", err)
	}
}
