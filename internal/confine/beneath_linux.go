package confine

import (
	"errors"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// noOpenat2 is set once the kernel (or a seccomp filter) turned openat2
// down: every open then takes the path of Resolve.
var noOpenat2 atomic.Bool

// openDir opens a directory of the root as the anchor of openBeneath; the
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

// openBeneath opens rel, a clean relative path, below the directory dirfd
// is, when the kernel finds no symbolic link on the way and every
// component below dir (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, see
// openat2(2)). The kernel checks that in the same call that opens the file,
// so a component swapped for a link at any time before is refused, with no
// window between a check and the open. Any error means: take the path of
// Resolve, which decides (and words) every refusal.
func openBeneath(dirfd int, rel, name string) (*os.File, bool) {
	if noOpenat2.Load() {
		return nil, false
	}
	how := unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_NONBLOCK | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	for {
		fd, err := unix.Openat2(dirfd, rel, &how)
		switch {
		case err == nil:
			return os.NewFile(uintptr(fd), name), true
		case errors.Is(err, unix.EINTR) || errors.Is(err, unix.EAGAIN):
			continue
		case errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM):
			noOpenat2.Store(true)
		}
		return nil, false
	}
}
