package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	opaversion "github.com/open-policy-agent/opa/v1/version"
)

// version is stamped at release time with
// -ldflags "-X github.com/meshlint/meshlint/internal/cli.version=1.2.3".
var version = "0.1.0-dev"

// Version is meshlint's semantic version, without a leading v.
func Version() string { return version }

func commit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	rev, dirty := "unknown", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if dirty {
		rev += "-dirty"
	}
	return rev
}

func runVersion(args []string, env Env) error {
	if len(args) > 0 {
		return usagef("version takes no arguments")
	}
	fmt.Fprintf(env.Stdout, "meshlint %s\ncommit: %s\ngo: %s\nopa: %s\n", Version(), commit(), runtime.Version(), opaversion.Version)
	return nil
}
