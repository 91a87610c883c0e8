package cli

import (
	"fmt"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"

	opaversion "github.com/open-policy-agent/opa/v1/version"
)

// version is stamped at release time with
// -ldflags "-X github.com/meshlint/meshlint/internal/cli.version=1.2.3".
var version = defaultVersion

// Version is meshlint's semantic version, without a leading v. A binary
// built by `go install github.com/meshlint/meshlint/cmd/meshlint@v1.2.3`
// (the GitHub Action, the pre-commit golang hook) has no ldflags, so it
// takes its version from the module version Go recorded.
func Version() string {
	if version != defaultVersion {
		return strings.TrimPrefix(version, "v")
	}
	if info, ok := debug.ReadBuildInfo(); ok {
		if v := moduleVersion(info.Main.Version); v != "" {
			return v
		}
	}
	return version
}

const defaultVersion = "0.1.0-dev"

// moduleVersion keeps a released module version (v1.2.3) and drops what Go
// records for a local build: "(devel)" or a pseudo-version of a commit.
func moduleVersion(v string) string {
	if v == "" || v == "(devel)" || pseudoVersion.MatchString(v) || strings.HasSuffix(v, "+dirty") {
		return ""
	}
	return strings.TrimPrefix(v, "v")
}

// pseudoVersion matches Go's pseudo-versions (v0.0.0-20240101120000-abcdef123456
// and their pre-release forms), which name a commit, not a release.
var pseudoVersion = regexp.MustCompile(`\d{14}-[0-9a-f]{12}(\+incompatible)?$`)

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
