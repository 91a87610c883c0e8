//go:build unix

package loader

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/meshlint/meshlint/internal/confine"
)

// TestWalkedFilesChangedBeforeTheyAreReadStayConfined: the walk names a
// file, a worker reads it later. A hostile tree changed in between (a
// listed directory swapped for a link out of the repository, a listed file
// swapped for a FIFO or for a link to a secret) must not lead the read out
// of the repository or hang it: each read is refused with a problem on the
// file as the walk showed it.
func TestWalkedFilesChangedBeforeTheyAreReadStayConfined(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo, outside := filepath.Join(base, "repo"), filepath.Join(base, "outside")
	manifest := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
	secret := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: CANARY-SECRET\n"
	for p, text := range map[string]string{
		filepath.Join(repo, "app", "cm.yaml"):    manifest,
		filepath.Join(repo, "fifo", "cm.yaml"):   manifest,
		filepath.Join(repo, "link", "cm.yaml"):   manifest,
		filepath.Join(repo, "kept", "cm.yaml"):   manifest,
		filepath.Join(outside, "cm.yaml"):        secret,
		filepath.Join(outside, "app", "cm.yaml"): secret,
	} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var inputs []input
	if _, err := walk(repo, repo, nil, nil, func(in input) { inputs = append(inputs, in) }); err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 4 {
		t.Fatalf("walked %d files, want 4", len(inputs))
	}

	swap := func(p string, with func() error) {
		t.Helper()
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		if err := with(); err != nil {
			t.Fatal(err)
		}
	}
	swap(filepath.Join(repo, "app"), func() error { return os.Symlink(filepath.Join(outside, "app"), filepath.Join(repo, "app")) })
	swap(filepath.Join(repo, "fifo", "cm.yaml"), func() error { return syscall.Mkfifo(filepath.Join(repo, "fifo", "cm.yaml"), 0o644) })
	swap(filepath.Join(repo, "link", "cm.yaml"), func() error {
		return os.Symlink(filepath.Join(outside, "cm.yaml"), filepath.Join(repo, "link", "cm.yaml"))
	})

	opts := Options{Root: confine.New([]string{repo}, nil), WorkDir: repo, Limits: DefaultLimits, Kinds: testKinds}
	var stdinErr error
	for _, in := range inputs {
		pf := readAndParse(in, opts, &stdinErr)
		for _, d := range pf.docs {
			if strings.Contains(d.Text(), "CANARY") {
				t.Errorf("%s: read from outside the repository", in.display)
			}
		}
		if in.display == "kept/cm.yaml" {
			if len(pf.docs) != 1 || len(pf.problems) != 0 {
				t.Errorf("%s: %d documents, problems %+v; want it read", in.display, len(pf.docs), pf.problems)
			}
			continue
		}
		if len(pf.problems) != 1 || pf.problems[0].File != in.display || !strings.HasPrefix(pf.problems[0].Message, "cannot read file: ") {
			t.Errorf("%s: problems %+v, want one refusal on the file", in.display, pf.problems)
		}
	}
}
