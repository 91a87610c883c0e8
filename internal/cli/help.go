package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/spf13/pflag"
)

// command is one of meshlint's subcommands, as help lists it.
type command struct {
	name    string
	args    string
	summary string
}

// commands are listed by `meshlint help` in this order; lint is the default
// command, run when the first argument is a flag or a path.
var commands = []command{
	{"lint", "[flags] [PATH ...]", "lint files, directories (recursive) or - for stdin (default .); the default command"},
	{"rules", "[--format text|markdown|json]", "list every rule"},
	{"explain", "RULE", "document one rule"},
	{"fix", "[--diff] [--rule RULE] [PATH ...]", "apply the default fix of every fixable finding in place, then lint again"},
	{"init", "[DIR]", "write a starter .meshlint.yaml from the values files and policies found in DIR (default .)"},
	{"graph", "[flags] [PATH ...]", "draw the scrape paths as Mermaid or DOT, coloured by verdict"},
	{"completion", "bash|zsh|fish", "print a shell completion script"},
	{"version", "", "print version information (also --version)"},
	{"help", "[COMMAND]", "print help for meshlint or one command"},
}

func commandNames() []string {
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	return names
}

func findCommand(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, "meshlint proves that Prometheus scraping works, and stays secure, under Istio mutual TLS.\n\nUsage:\n")
	for _, c := range commands {
		name := "meshlint " + c.name
		if c.name == "lint" {
			name = "meshlint [lint]"
		}
		fmt.Fprintf(w, "  %-48s %s\n", strings.TrimSpace(name+" "+c.args), c.summary)
	}
	fmt.Fprint(w, "\nRun 'meshlint help COMMAND' for a command's flags; 'meshlint --help' for the lint flags.\n")
}

// printLintHelp is `meshlint --help`: the usage, then every lint flag.
func printLintHelp(w io.Writer, fs *pflag.FlagSet) {
	printUsage(w)
	fmt.Fprintln(w, "\nLint flags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintln(w, `
Exit codes: 0 no finding at or above --fail-on; 1 at least one; 2 meshlint could not do its job.`)
}

// runHelp is `meshlint help [COMMAND]`; help goes to stdout, as asked for.
func runHelp(args []string, env Env) error {
	switch {
	case len(args) == 0:
		printUsage(env.Stdout)
		return nil
	case len(args) > 1:
		return usagef("help takes at most one command, got %d arguments", len(args))
	}
	c, ok := findCommand(args[0])
	if !ok {
		return unknownCommand(args[0])
	}
	switch c.name {
	case "lint":
		var f lintFlags
		printLintHelp(env.Stdout, newLintFlagSet(&f, env.Stdout))
		return nil
	case "graph":
		f := lintFlags{graph: &graphFlags{}}
		fs := newLintFlagSet(&f, env.Stdout)
		f.graph.register(fs, env.Stdout)
		printGraphHelp(env.Stdout, fs)
		return nil
	case "rules", "explain", "init", "fix":
		// Their flag sets print their own usage on --help.
		err := Run([]string{c.name, "--help"}, env)
		if err != ExitOK {
			return fmt.Errorf("help for %s failed", c.name)
		}
		return nil
	}
	fmt.Fprintf(env.Stdout, "Usage: %s\n\n%s.\n", strings.TrimSpace("meshlint "+c.name+" "+c.args), upperFirst(c.summary))
	return nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// commandLike matches arguments that read as a subcommand rather than a
// path: a lower-case word, no dot, slash or extension.
var commandLike = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// checkCommandLike decides whether the first argument of a lint is a
// mistyped command: a word that is no command and no existing path. Paths
// always win, so a directory named like a command still lints.
func checkCommandLike(arg string) error {
	if !commandLike.MatchString(arg) {
		return nil
	}
	if _, err := os.Lstat(arg); !errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return unknownCommand(arg)
}

// unknownCommand names the nearest command when one is close enough to be
// the one meant: within two edits, or the start of a command's name.
func unknownCommand(arg string) error {
	best, bestDist := "", 3
	for _, name := range commandNames() {
		d := levenshtein.ComputeDistance(arg, name)
		if len(arg) >= 3 && strings.HasPrefix(name, arg) {
			d = min(d, 1)
		}
		if d < bestDist {
			best, bestDist = name, d
		}
	}
	if best != "" {
		return usagef("unknown command %q; did you mean %q? (a path of that name does not exist either)", arg, best)
	}
	return usagef("unknown command %q, and no file or directory of that name (commands: %s)", arg, strings.Join(commandNames(), ", "))
}
