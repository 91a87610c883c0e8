// Package confine decides which files meshlint may read. In CI everything in
// the linted tree comes from a pull request, possibly a stranger's: a
// symbolic link to /proc/self/environ, a chart file named ../../secret, a
// FIFO or /dev/zero named as a config file. One rule covers every read:
//
//   - a file is read only when its real path (every symbolic link resolved)
//     lies below a directory of the Root: the repository, or a path the user
//     typed on the command line;
//   - only regular files are read, never a device, FIFO or socket (a FIFO is
//     opened without blocking, so it cannot hang the run);
//   - every read is bounded, and an input over its bound is refused with the
//     bound named, before it is read.
package confine

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// Root is the set of places meshlint may read.
type Root struct {
	dirs  []string        // real, absolute directories; everything below them may be read
	files map[string]bool // real, absolute files the user named one by one

	mu      sync.Mutex
	opened  map[string]fs.FileInfo // real paths of the files Open gave out (Opened)
	anchors map[string]*anchor     // by directory of dirs: where openBeneathFD starts

	linkFree atomic.Int64 // opens openLinkFree made, for tests: the fast path is taken
}

// anchor is a directory of the root held open, so that a file below it is
// opened by one call that refuses every symbolic link on the way
// (openBeneathFD) instead of resolving each component of its path first.
type anchor struct {
	f  *os.File // keeps fd open (nil: the directory could not be opened)
	fd int
}

// Error is a read that confinement refused. Its message never carries the
// target of a link, which may itself be what an attacker wants printed.
type Error struct {
	Path   string // the path as asked for
	Reason string
}

func (e *Error) Error() string { return e.Reason }

// ErrRefused matches every *Error with errors.Is.
var ErrRefused = errors.New("refused by confinement")

func (e *Error) Is(target error) bool { return target == ErrRefused }

// TooLargeError is an input over its size limit.
type TooLargeError struct {
	Limit int64
	Flag  string // the flag that raises the limit, "" when none does
}

func (e *TooLargeError) Error() string {
	msg := fmt.Sprintf("larger than the limit of %d bytes", e.Limit)
	if e.Flag != "" {
		msg += " (raise it with " + e.Flag + ")"
	}
	return msg
}

// New makes a Root of the given directories and files. Paths that do not
// exist are left out: there is nothing to read there.
func New(dirs, files []string) *Root {
	r := &Root{files: map[string]bool{}}
	for _, d := range dirs {
		r.AllowDir(d)
	}
	for _, f := range files {
		r.AllowFile(f)
	}
	return r
}

// Unconfined is a Root that allows every path; it still reads only regular
// files, within their limits. It is for tests and for callers that have no
// repository (a library user), never for the CLI.
func Unconfined() *Root {
	return &Root{dirs: []string{string(filepath.Separator)}, files: map[string]bool{}}
}

// AllowDir adds a directory and everything below it.
func (r *Root) AllowDir(dir string) {
	real, err := realPath(dir)
	if err != nil {
		return
	}
	for _, d := range r.dirs {
		if d == real {
			return
		}
	}
	r.dirs = append(r.dirs, real)
	sort.Strings(r.dirs)
}

// AllowFile adds one file, as the user named it: a file typed on the command
// line may be anywhere, the user chose it.
func (r *Root) AllowFile(file string) {
	if real, err := realPath(file); err == nil {
		r.files[real] = true
	}
}

// AllowTyped adds a path the user typed: a directory with everything below
// it, or a single file. A typed name that lies inside the root already adds
// nothing: the user chose the name, but a symbolic link there belongs to the
// linted tree, which may be a pull request's (`--baseline b.json` must not
// read /proc/self/environ because the pull request made b.json a link to
// it). Call it after the repository directories are allowed.
func (r *Root) AllowTyped(p string) {
	if r.holdsName(p) {
		return
	}
	info, err := os.Stat(p)
	if err != nil {
		return
	}
	if info.IsDir() {
		r.AllowDir(p)
	} else {
		r.AllowFile(p)
	}
}

// holdsName reports whether the name p (its parent directory resolved, its
// last element not) lies inside one of the root's directories.
func (r *Root) holdsName(p string) bool {
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	names := []string{abs}
	if parent, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		names = append(names, filepath.Join(parent, filepath.Base(abs)))
	}
	for _, n := range names {
		for _, d := range r.dirs {
			if within(n, d) {
				return true
			}
		}
	}
	return false
}

// Dirs are the directories of the root, real and absolute, sorted.
func (r *Root) Dirs() []string { return append([]string(nil), r.dirs...) }

// Resolve returns the real path of p (every symbolic link resolved) when it
// lies inside the root, and an *Error otherwise. p need not exist; then the
// nearest existing parent decides, so that a missing file inside the root is
// reported as missing, not as refused.
func (r *Root) Resolve(p string) (string, error) {
	real, err := realPath(p)
	if err != nil {
		var pe *fs.PathError
		if !errors.As(err, &pe) || !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		// Resolve the existing parent, and keep the missing tail as typed.
		abs, aerr := filepath.Abs(p)
		if aerr != nil {
			return "", aerr
		}
		parent, tail := filepath.Dir(abs), filepath.Base(abs)
		if parent == abs {
			return "", err
		}
		rp, perr := r.Resolve(parent)
		if perr != nil {
			return "", perr
		}
		return filepath.Join(rp, tail), nil
	}
	if r.Contains(real) {
		return real, nil
	}
	return "", &Error{Path: p, Reason: "leaves the repository: its real path, once symbolic links are resolved, is outside the linted tree (--root widens it)"}
}

// Contains reports whether a real, absolute path lies inside the root.
func (r *Root) Contains(real string) bool {
	if r.files[real] {
		return true
	}
	for _, d := range r.dirs {
		if within(real, d) {
			return true
		}
	}
	return false
}

// within reports whether p is dir or below it.
func within(p, dir string) bool {
	if p == dir {
		return true
	}
	if !strings.HasPrefix(p, dir) {
		return false
	}
	// Checked in place rather than against dir plus a separator, which
	// would allocate once per file read.
	return strings.HasSuffix(dir, string(filepath.Separator)) || p[len(dir)] == filepath.Separator
}

// Open opens a regular file inside the root for reading. The file is opened
// without blocking and checked before a byte is read: a FIFO, a device or a
// socket is refused, never waited on.
func (r *Root) Open(p string) (*os.File, fs.FileInfo, error) {
	f, real, ok := r.openLinkFree(p)
	if !ok {
		var err error
		if real, err = r.Resolve(p); err != nil {
			return nil, nil, err
		}
		if f, err = os.OpenFile(real, os.O_RDONLY|syscall.O_NONBLOCK, 0); err != nil {
			return nil, nil, UnwrapPath(err)
		}
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, UnwrapPath(err)
	}
	if !info.Mode().IsRegular() {
		f.Close()
		what := "not a regular file"
		switch {
		case info.IsDir():
			what = "a directory, not a file"
		case info.Mode()&fs.ModeNamedPipe != 0:
			what = "a named pipe (FIFO), not a regular file"
		case info.Mode()&fs.ModeDevice != 0:
			what = "a device, not a regular file"
		case info.Mode()&fs.ModeSocket != 0:
			what = "a socket, not a regular file"
		}
		return nil, nil, &Error{Path: p, Reason: what}
	}
	r.record(real, info)
	return f, info, nil
}

// record notes a file given out, for Opened.
func (r *Root) record(real string, info fs.FileInfo) {
	r.mu.Lock()
	if r.opened == nil {
		r.opened = map[string]fs.FileInfo{}
	}
	r.opened[real] = info
	r.mu.Unlock()
}

// openLinkFree opens p in one call when its absolute path lies below a
// directory of the root and no component below that directory is a
// symbolic link: that path is then its own real path, inside the root,
// which is what Resolve would have found, one Lstat per component later.
// It is the common case (a repository's files, read once when linted and
// again when findings are placed and fixed), and the kernel checks it in the
// open itself, so a file or directory swapped for a link since cannot lead
// the open out of the root. ok is false for everything else (a link on the
// way, a missing file, a typed file outside the directories, a system
// without openat2): Resolve then decides, as for every path before.
func (r *Root) openLinkFree(p string) (f *os.File, real string, ok bool) {
	fd, real, ok := r.openLinkFreeFD(p)
	if !ok {
		return nil, "", false
	}
	return os.NewFile(uintptr(fd), real), real, true
}

// openLinkFreeFD is openLinkFree's descriptor, for ReadFile.
func (r *Root) openLinkFreeFD(p string) (fd int, real string, ok bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return -1, "", false
	}
	for _, d := range r.dirs {
		if abs == d || !within(abs, d) {
			continue
		}
		a := r.anchor(d)
		if a.f == nil {
			return -1, "", false
		}
		rel := strings.TrimPrefix(abs[len(d):], string(filepath.Separator))
		if fd, ok := openBeneathFD(a.fd, rel); ok {
			r.linkFree.Add(1)
			return fd, abs, true
		}
		return -1, "", false
	}
	return -1, "", false
}

// anchor is the directory d of the root held open, opened on first use.
func (r *Root) anchor(d string) *anchor {
	r.mu.Lock()
	defer r.mu.Unlock()
	if a, ok := r.anchors[d]; ok {
		return a
	}
	if r.anchors == nil {
		r.anchors = map[string]*anchor{}
	}
	a := &anchor{fd: -1}
	if f, fd, err := openDir(d); err == nil {
		a.f, a.fd = f, fd
	}
	r.anchors[d] = a
	return a
}

// OpenedFile is a file that was opened through a Root.
type OpenedFile struct {
	Path string      // real, absolute
	Info fs.FileInfo // as it was when opened, for SameFile
}

// Opened lists the files opened through r so far, sorted by path, each
// as it was when last opened: the inputs of the run, which the CLI must
// never overwrite with a report.
func (r *Root) Opened() []OpenedFile {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]OpenedFile, 0, len(r.opened))
	for p, info := range r.opened {
		out = append(out, OpenedFile{Path: p, Info: info})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// ReadFile reads a regular file inside the root, at most max bytes; a larger
// file is a *TooLargeError naming flag, refused before it is read.
func (r *Root) ReadFile(p string, max int64, flag string) ([]byte, error) {
	if fd, real, ok := r.openLinkFreeFD(p); ok {
		data, info, err := readRegular(fd, real, max, flag)
		if info != nil {
			r.record(real, info)
			return data, err
		}
		// Not a regular file: Open refuses it, in its words.
	}
	f, info, err := r.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info.Size() > max {
		return nil, &TooLargeError{Limit: max, Flag: flag}
	}
	return readAll(f, info.Size(), max, flag)
}

// readAll reads r to its end, at most max bytes (a file may grow while it is
// read); size is the size the file had when opened (fstat), for one
// allocation and, most often, one read. It takes any reader type, so that a
// descriptor is read without boxing it in an interface, and no
// io.LimitedReader: the bound is kept on the slice each read is given.
//
// The buffer has room for one byte more than size. A read that fills
// exactly size bytes and no more (asked for at least one more) found the
// file ending where fstat said it did: a regular file's read returns less
// than asked only at its end (read(2)), so the read of nothing that would
// confirm it is left out, one system call of the four a small file costs.
// A file that grew since fstat fills the extra byte, and is read on to its
// end, at most max bytes; one that shrank, or any other short read, is read
// on to a read of nothing, as before.
func readAll[R io.Reader](r R, size, max int64, flag string) ([]byte, error) {
	// max+1 bytes are asked for, to tell a file of max bytes from a larger one.
	max = min(max, math.MaxInt64-1)
	if size < 0 || size > max {
		size = 0
	}
	data := make([]byte, 0, size+1)
	for {
		room := min(int64(cap(data)-len(data)), max+1-int64(len(data)))
		n, err := r.Read(data[len(data) : len(data)+int(room)])
		data = data[:len(data)+n]
		if int64(len(data)) > max {
			return nil, &TooLargeError{Limit: max, Flag: flag}
		}
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, UnwrapPath(err)
		}
		if size > 0 && int64(len(data)) == size && int64(n) < room {
			return data, nil
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

// IsDir reports whether p is a directory inside the root.
func (r *Root) IsDir(p string) bool {
	real, err := r.Resolve(p)
	if err != nil {
		return false
	}
	info, err := os.Stat(real)
	return err == nil && info.IsDir()
}

// IsFile reports whether p is a regular file inside the root.
func (r *Root) IsFile(p string) bool {
	real, err := r.Resolve(p)
	if err != nil {
		return false
	}
	info, err := os.Stat(real)
	return err == nil && info.Mode().IsRegular()
}

func realPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// UnwrapPath drops the path an fs error repeats, so that a message can
// name the file as the user knows it (its display path) instead.
func UnwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// RepositoryRoot is the directory a linted path belongs to: the nearest
// directory at or above it that holds .git (a Git work tree, a worktree or a
// submodule), else the path itself when it is a directory, else the
// directory holding it. meshlint never runs git: it only looks for .git.
//
// The walk goes up the path as named, not as its links resolve: a linted
// directory that a pull request turned into a link to / still belongs to
// the repository that holds the link, and what it leads to stays outside.
func RepositoryRoot(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	start := abs
	if !info.IsDir() {
		start = filepath.Dir(abs)
	}
	for dir := start; ; {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return realPath(dir)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return realPath(start)
		}
		dir = parent
	}
}
