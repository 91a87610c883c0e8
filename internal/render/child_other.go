//go:build !linux

package render

import (
	"os"
	"time"
)

// limitChild sets nothing: outside Linux the child has no rlimits, and only
// the parent's wall-clock kill (sandbox.go) bounds it.
func limitChild(childLimits) error { return nil }

func killedByCPULimit(*os.ProcessState, time.Duration) bool { return false }
