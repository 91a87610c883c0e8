package confine

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// noOpenat2 is set once the kernel (or a seccomp filter) turned openat2
// down: every open then takes the path of Resolve.
var noOpenat2 atomic.Bool

// openDir opens a directory of the root as the anchor of openBeneathFD; the
// descriptor is f's, valid while f is. dir must still be its own real path
// (no link on the way to it), and the directory opened the one that path
// names, or the anchor could lie elsewhere than the root says.
func openDir(dir string) (f *os.File, fd int, err error) {
	if real, err := realPath(dir); err != nil || real != dir {
		return nil, -1, errors.New("no longer its own real path")
	}
	fd, err = unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, -1, err
	}
	f = os.NewFile(uintptr(fd), dir)
	held, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, -1, err
	}
	if named, err := os.Lstat(dir); err != nil || !os.SameFile(held, named) {
		f.Close()
		return nil, -1, errors.New("changed while opened")
	}
	return f, fd, nil
}

// openBeneathFD opens rel, a clean relative path, below the directory dirfd
// is, when the kernel finds no symbolic link on the way and every
// component below dir (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, see
// openat2(2)). The kernel checks that in the same call that opens the file,
// so a component swapped for a link at any time before is refused, with no
// window between a check and the open. Any error means: take the path of
// Resolve, which decides (and words) every refusal.
func openBeneathFD(dirfd int, rel string) (int, bool) {
	if noOpenat2.Load() {
		return -1, false
	}
	how := unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err := openat2(dirfd, rel, &how)
		switch {
		case err == nil:
			return fd, true
		case errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN):
			continue
		case errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM):
			noOpenat2.Store(true)
		}
		return -1, false
	}
}

// openat2 is unix.Openat2 with the path copied into a buffer on the stack
// when it fits (a repository's paths, nearly all), not into one allocated
// for each file opened.
func openat2(dirfd int, rel string, how *unix.OpenHow) (int, error) {
	var path [256]byte
	if len(rel) >= len(path) || strings.IndexByte(rel, 0) >= 0 {
		return unix.Openat2(dirfd, rel, how)
	}
	copy(path[:], rel) // NUL-terminated: the rest of path is zero
	fd, _, errno := syscall.Syscall6(unix.SYS_OPENAT2, uintptr(dirfd), uintptr(unsafe.Pointer(&path[0])),
		uintptr(unsafe.Pointer(how)), unsafe.Sizeof(*how), 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// readRegular reads the file fd is open on, at most max bytes, and closes
// fd. Used straight from the descriptor rather than through an *os.File,
// a read costs three system calls (fstat, one read, close: see readAll) where os.NewFile
// adds two more (fcntl, and an epoll registration a regular file always
// fails) and the file's cleanup: a tenth of the CPU of loading 40,000
// small files. info is nil when fd is not on a regular file (or fstat
// failed): Open then decides, and words, the refusal.
func readRegular(fd int, name string, max int64, flag string) (data []byte, info fs.FileInfo, err error) {
	defer unix.Close(fd)
	var st syscall.Stat_t
	for {
		err = syscall.Fstat(fd, &st)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return nil, nil, nil
	}
	info = &statInfo{name: filepath.Base(name), size: st.Size, mtim: st.Mtim, dev: uint64(st.Dev), ino: uint64(st.Ino), mode: st.Mode}
	if st.Size > max {
		return nil, info, &TooLargeError{Limit: max, Flag: flag}
	}
	data, err = readAll(fdReader(fd), st.Size, max, flag)
	return data, info, err
}

// fdReader reads a descriptor; a read of nothing is its end.
type fdReader int

func (r fdReader) Read(b []byte) (int, error) {
	for {
		n, err := syscall.Read(int(r), b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(b) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// statInfo is the fs.FileInfo of a file readRegular read. The Root keeps
// one for every file it gave out, for the life of the run (Opened): it keeps
// only what FileInfo and SameFile read of the stat, 64 bytes where the whole
// syscall.Stat_t took 160 (6 MB at 40,000 files).
type statInfo struct {
	name     string
	size     int64
	mtim     syscall.Timespec
	dev, ino uint64
	mode     uint32
}

func (i *statInfo) Name() string       { return i.name }
func (i *statInfo) Size() int64        { return i.size }
func (i *statInfo) Mode() fs.FileMode  { return fs.FileMode(i.mode & 0o777) }
func (i *statInfo) ModTime() time.Time { return time.Unix(i.mtim.Unix()) }
func (i *statInfo) IsDir() bool        { return false }

// Sys is nil: a Stat_t made of the fields kept would claim an owner (uid 0)
// and a link count it does not know. SameFile reads the device and inode
// from the statInfo itself.
func (i *statInfo) Sys() any { return nil }

// SameFile reports whether a and b describe the same file: os.SameFile,
// which knows only os.Stat's own results, and the device and inode of any
// other FileInfo that carries them (statInfo, or a *syscall.Stat_t in Sys).
func SameFile(a, b fs.FileInfo) bool {
	if os.SameFile(a, b) {
		return true
	}
	devA, inoA, okA := fileID(a)
	devB, inoB, okB := fileID(b)
	return okA && okB && devA == devB && inoA == inoB
}

// fileID is the device and inode of a FileInfo that carries them.
func fileID(fi fs.FileInfo) (dev, ino uint64, ok bool) {
	if i, isStat := fi.(*statInfo); isStat {
		return i.dev, i.ino, true
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return st.Dev, st.Ino, true
}
