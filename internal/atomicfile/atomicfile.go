// Package atomicfile replaces files so that a reader, or a crash, sees the
// old content or the new, never a truncated file: reports and baselines are
// read by the next CI step, and a baseline truncated by a full disk would
// silently accept nothing.
//
// The new content goes to a temporary file in the target's directory (so
// the rename cannot cross file systems), is synced to disk, and is renamed
// over the target; on any failure the temporary file is removed and the
// target is untouched. A symbolic link at the target is replaced, never
// written through: a link planted in a pull request cannot turn a report
// into a write to a file elsewhere.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DefaultPerm is the permission of a new file (reports and baselines are
// read by other CI steps and checked in).
const DefaultPerm fs.FileMode = 0o644

// Pending is a new version of a file, complete and synced, waiting to
// replace it.
type Pending struct {
	tmp    string
	target string
}

// Stage writes the new content of target to a temporary file beside it.
// An existing regular file keeps its permission bits; a new one gets perm.
func Stage(target string, perm fs.FileMode, write func(io.Writer) error) (_ *Pending, err error) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil && systemDir(real) {
		// Replacing /dev/stdout (a link) with a file would break every
		// later process that writes to it; callers write devices directly.
		return nil, fmt.Errorf("will not replace a file in %s", real)
	}
	if info, err := os.Lstat(target); err == nil && info.Mode().IsRegular() {
		perm = info.Mode().Perm()
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create a temporary file beside it: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriterSize(f, 64<<10)
	if err := write(w); err != nil {
		return nil, err
	}
	if err := w.Flush(); err != nil {
		return nil, err
	}
	if err := f.Chmod(perm); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return &Pending{tmp: f.Name(), target: target}, nil
}

// Commit renames the new version over the target and syncs the directory,
// so the rename itself survives a crash.
func (p *Pending) Commit() error {
	if err := os.Rename(p.tmp, p.target); err != nil {
		os.Remove(p.tmp)
		return unwrap(err)
	}
	if d, err := os.Open(filepath.Dir(p.target)); err == nil {
		d.Sync() // best effort: some file systems cannot sync a directory
		d.Close()
	}
	return nil
}

// Abort removes the new version; the target is untouched.
func (p *Pending) Abort() {
	os.Remove(p.tmp)
}

// WriteFile replaces target with what write writes, atomically.
func WriteFile(target string, perm fs.FileMode, write func(io.Writer) error) error {
	p, err := Stage(target, perm, write)
	if err != nil {
		return err
	}
	return p.Commit()
}

func systemDir(dir string) bool {
	for _, sys := range []string{"/dev", "/proc", "/sys"} {
		if dir == sys || strings.HasPrefix(dir, sys+"/") {
			return true
		}
	}
	return false
}

// unwrap drops the *LinkError's repetition of both paths: the caller names
// the target, and the temporary file's name means nothing to a user.
func unwrap(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
