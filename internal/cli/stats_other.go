//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package cli

// peakRSS is not measured where getrusage does not exist.
func peakRSS() (uint64, bool) { return 0, false }
