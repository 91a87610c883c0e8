//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package cli

import (
	"runtime"
	"syscall"
)

// peakRSS is the process's maximum resident set size so far.
func peakRSS() (uint64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return uint64(ru.Maxrss), true // bytes there
	}
	return uint64(ru.Maxrss) * 1024, true // KiB on Linux and the BSDs
}
