package render

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/meshlint/meshlint/internal/confine"
)

// confinedFS is the filesystem every Kustomize build runs on: the real
// disk, seen through the run's confine.Root. A path whose real path (links
// resolved) is outside the Root does not exist for Kustomize (Exists and
// IsDir are false, reads fail saying it leaves the repository, listings
// leave it out), only regular files are read, each within --max-file-size,
// and nothing is ever written or removed. It is what keeps a symbolic link
// to /etc, a ../../../../etc base or a file that Kustomize reads on its
// own (patchesStrategicMerge existence checks, crds, generator sources)
// inside the repository, whatever the kustomization says.
type confinedFS struct {
	root *confine.Root
	max  int64 // --max-file-size
	// virtual are files served in place of the real ones, or beside them,
	// by real path: the kustomization a Flux Kustomization makes of its
	// path (fluxbuild.go), held in memory and never written.
	virtual map[string][]byte
	// stats, when set, keeps what stat found for each path asked about,
	// for the run: roots that share bases ask about the same paths again
	// and again (Exists, IsDir, CleanedAbs), and each answer resolves
	// every component of the path. Only those answers come from it;
	// reading a file or a directory checks its path again.
	stats *sync.Map // path -> statResult
}

type statResult struct {
	real string
	info fs.FileInfo
	err  error
}

// cachedStat is stat, answered from stats when the path was asked about.
func (c confinedFS) cachedStat(p string) (string, fs.FileInfo, error) {
	if c.stats == nil {
		return c.stat(p)
	}
	if v, ok := c.stats.Load(p); ok {
		r := v.(statResult)
		return r.real, r.info, r.err
	}
	real, info, err := c.stat(p)
	c.stats.Store(p, statResult{real, info, err})
	return real, info, err
}

// virtualPath is the real path of p when it is a virtual file.
func (c confinedFS) virtualPath(p string) (string, bool) {
	if len(c.virtual) == 0 {
		return "", false
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	dir, err := c.root.Resolve(filepath.Dir(abs))
	if err != nil {
		return "", false
	}
	key := filepath.Join(dir, filepath.Base(abs))
	_, ok := c.virtual[key]
	return key, ok
}

// virtualInfo describes a virtual file.
type virtualInfo struct {
	name string
	size int64
}

func (v virtualInfo) Name() string       { return v.name }
func (v virtualInfo) Size() int64        { return v.size }
func (v virtualInfo) Mode() fs.FileMode  { return 0o444 }
func (v virtualInfo) ModTime() time.Time { return time.Time{} }
func (v virtualInfo) IsDir() bool        { return false }
func (v virtualInfo) Sys() any           { return nil }

var _ filesys.FileSystem = confinedFS{}

// errReadOnly is the answer to every write: a build only reads.
var errReadOnly = errors.New("meshlint builds kustomizations read-only and writes nothing")

func (c confinedFS) Create(path string) (filesys.File, error) {
	return nil, &fs.PathError{Op: "create", Path: path, Err: errReadOnly}
}

func (c confinedFS) Mkdir(path string) error {
	return &fs.PathError{Op: "mkdir", Path: path, Err: errReadOnly}
}

func (c confinedFS) MkdirAll(path string) error {
	return &fs.PathError{Op: "mkdir", Path: path, Err: errReadOnly}
}

func (c confinedFS) RemoveAll(path string) error {
	return &fs.PathError{Op: "remove", Path: path, Err: errReadOnly}
}

func (c confinedFS) WriteFile(path string, _ []byte) error {
	return &fs.PathError{Op: "write", Path: path, Err: errReadOnly}
}

// Open opens a regular file inside the root; reading it stops at the size
// limit, and writing to it fails.
func (c confinedFS) Open(path string) (filesys.File, error) {
	if _, ok := c.virtualPath(path); ok {
		return nil, &fs.PathError{Op: "open", Path: path, Err: errors.New("a kustomization made in memory is read whole")}
	}
	f, info, err := c.root.Open(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	if info.Size() > c.max {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: path, Err: &confine.TooLargeError{Limit: c.max, Flag: "--max-file-size"}}
	}
	return &boundedFile{f: f, r: io.LimitReader(f, c.max)}, nil
}

func (c confinedFS) ReadFile(path string) ([]byte, error) {
	if key, ok := c.virtualPath(path); ok {
		return append([]byte(nil), c.virtual[key]...), nil
	}
	data, err := c.root.ReadFile(path, c.max, "--max-file-size")
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return data, nil
}

// stat is os.Stat of the real path of p, when it lies inside the root.
func (c confinedFS) stat(p string) (string, fs.FileInfo, error) {
	if key, ok := c.virtualPath(p); ok {
		return key, virtualInfo{name: filepath.Base(key), size: int64(len(c.virtual[key]))}, nil
	}
	real, err := c.root.Resolve(p)
	if err != nil {
		return "", nil, &fs.PathError{Op: "stat", Path: p, Err: err}
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", nil, &fs.PathError{Op: "stat", Path: p, Err: osErr(err)}
	}
	return real, info, nil
}

func (c confinedFS) Exists(path string) bool {
	_, _, err := c.cachedStat(path)
	return err == nil
}

func (c confinedFS) IsDir(path string) bool {
	_, info, err := c.cachedStat(path)
	return err == nil && info.IsDir()
}

// CleanedAbs is fsOnDisk's (the real path, split into a directory and a
// file name), confined, and without its log.Fatalf on surprises.
func (c confinedFS) CleanedAbs(path string) (filesys.ConfirmedDir, string, error) {
	real, info, err := c.cachedStat(path)
	if err != nil {
		return "", "", err
	}
	if info.IsDir() {
		return filesys.ConfirmedDir(real), "", nil
	}
	d := filepath.Dir(real)
	if d == real {
		return "", "", fmt.Errorf("%s: neither a file in a directory nor a directory", path)
	}
	return filesys.ConfirmedDir(d), filepath.Base(real), nil
}

// ReadDir lists a directory inside the root, without the entries that are
// links leading out of it.
func (c confinedFS) ReadDir(path string) ([]string, error) {
	real, info, err := c.stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: path, Err: errors.New("not a directory")}
	}
	entries, err := os.ReadDir(real)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: path, Err: osErr(err)}
	}
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		if e.Type()&fs.ModeSymlink != 0 {
			if _, err := c.root.Resolve(filepath.Join(real, e.Name())); err != nil {
				continue
			}
		}
		out = append(out, e.Name())
	}
	return out, nil
}

// Glob is fsOnDisk's, without the matches outside the root.
func (c confinedFS) Glob(pattern string) ([]string, error) {
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		if _, err := c.root.Resolve(m); err == nil {
			out = append(out, m)
		}
	}
	if filesys.IsHiddenFilePath(pattern) {
		return out, nil
	}
	return filesys.RemoveHiddenFiles(out), nil
}

// Walk walks a directory inside the root; links leading out of it are
// left out (filepath.Walk never follows links, so nothing below them is
// listed either).
func (c confinedFS) Walk(path string, walkFn filepath.WalkFunc) error {
	if _, err := c.root.Resolve(path); err != nil {
		return walkFn(path, nil, &fs.PathError{Op: "walk", Path: path, Err: err})
	}
	return filepath.Walk(path, func(p string, info fs.FileInfo, err error) error {
		if info != nil && info.Mode()&fs.ModeSymlink != 0 {
			if _, rerr := c.root.Resolve(p); rerr != nil {
				return nil
			}
		}
		return walkFn(p, info, err)
	})
}

// boundedFile is a file opened by confinedFS.Open: reads stop at the size
// limit (a file may grow after it was checked), writes fail.
type boundedFile struct {
	f *os.File
	r io.Reader
}

func (b *boundedFile) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *boundedFile) Write([]byte) (int, error)  { return 0, errReadOnly }
func (b *boundedFile) Close() error               { return b.f.Close() }
func (b *boundedFile) Stat() (os.FileInfo, error) { return b.f.Stat() }

// osErr is the cause of an os error, without the path it carries (the
// caller names the path as Kustomize asked for it).
func osErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
