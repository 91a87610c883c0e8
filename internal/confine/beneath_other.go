//go:build !linux

package confine

import (
	"errors"
	"os"
)

// Elsewhere than Linux there is no openat2: every open takes the path of
// Resolve.

func openDir(string) (*os.File, int, error) { return nil, -1, errors.New("no openat2") }

func openBeneath(int, string, string) (*os.File, bool) { return nil, false }
