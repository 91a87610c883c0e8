package render

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// limitChild sets the child's rlimits. The address-space limit is the
// budget on top of what the process has mapped already (the Go runtime
// reserves address space at start that a plain RLIMIT_AS would count).
// Past the CPU limit the kernel kills the child (Go ignores SIGXCPU).
func limitChild(l childLimits) error {
	if l.MemoryMiB > 0 {
		base, err := mappedBytes()
		if err != nil {
			return err
		}
		as := uint64(base) + uint64(l.MemoryMiB)<<20
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: as, Max: as}); err != nil {
			return fmt.Errorf("RLIMIT_AS: %w", err)
		}
	}
	if l.CPUSeconds > 0 {
		cpu := uint64(l.CPUSeconds)
		if err := syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: cpu, Max: cpu}); err != nil {
			return fmt.Errorf("RLIMIT_CPU: %w", err)
		}
	}
	return nil
}

// mappedBytes is the process's virtual size, from /proc/self/statm.
func mappedBytes() (int64, error) {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, err
	}
	pages, err := strconv.ParseInt(strings.Fields(string(data) + " 0")[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read /proc/self/statm: %w", err)
	}
	return pages * int64(os.Getpagesize()), nil
}

// killedByCPULimit reports whether the kernel stopped the child for its
// CPU time: SIGKILL at the hard limit (or SIGXCPU, where it is not
// ignored), after using the CPU time it was allowed. A SIGKILL before that
// (the kernel's OOM killer) is not the CPU budget.
func killedByCPULimit(state *os.ProcessState, limit time.Duration) bool {
	ws, ok := state.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || (ws.Signal() != syscall.SIGKILL && ws.Signal() != syscall.SIGXCPU) {
		return false
	}
	return state.UserTime()+state.SystemTime() >= limit-time.Second
}
