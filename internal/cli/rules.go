package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/docs"
	"github.com/meshlint/meshlint/internal/engine"
)

func runRules(args []string, env Env) error {
	fs := pflag.NewFlagSet("meshlint rules", pflag.ContinueOnError)
	fs.SetOutput(env.Stdout) // only --help prints through it
	format := fs.String("format", "text", "text, markdown or json")
	eng, err := parseRuleCommand(fs, args, 0, "rules takes no arguments")
	if err != nil {
		return err
	}
	switch *format {
	case "text":
		return sanitized(env.Stdout, func(w io.Writer) error { return docs.RulesText(w, eng.Rules) })
	case "markdown":
		return sanitized(env.Stdout, func(w io.Writer) error { return docs.RulesMarkdown(w, eng.Rules) })
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(eng.Rules)
	}
	return usagef("unknown rules format %q (want text, markdown or json)", *format)
}

// parseRuleCommand parses the flags rules and explain share and compiles
// the rules, custom ones included: --policy and the config file's policies.
func parseRuleCommand(fs *pflag.FlagSet, args []string, nargs int, usage string) (*engine.Engine, error) {
	policies := fs.StringArray("policy", nil, "directory of extra Rego rules; repeatable")
	configPath := fs.StringP("config", "c", "", "config file whose policies to include (default: .meshlint.yaml in the current directory or a parent)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("%v", err)
	}
	if fs.NArg() != nargs {
		return nil, usagef("%s", usage)
	}
	dirs, root, err := configPolicies(*configPath, *policies)
	if err != nil {
		return nil, err
	}
	return engine.Compile(context.Background(), engine.Options{PolicyDirs: dirs, Root: root})
}

// rulesReadmeTable renders the short rule table in README.md.
func rulesReadmeTable(w io.Writer, rules []*engine.Rule) error {
	var b strings.Builder
	b.WriteString("| id | severity | category | title |\n|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", r.ID, r.Severity, r.Category, r.Title)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func runExplain(args []string, env Env) error {
	fs := pflag.NewFlagSet("meshlint explain", pflag.ContinueOnError)
	fs.SetOutput(env.Stdout) // only --help prints through it
	eng, err := parseRuleCommand(fs, args, 1, "explain takes one rule id, e.g. 'meshlint explain plaintext-scrape-of-strict-port'")
	if err != nil {
		return err
	}
	r := eng.Rule(fs.Arg(0))
	if r == nil {
		return usagef("unknown rule %q (see 'meshlint rules')", fs.Arg(0))
	}
	catalog, err := docs.Embedded()
	if err != nil {
		return err
	}
	var ex *docs.Examples
	if r.Builtin {
		ex = catalog[r.ID]
	}
	return sanitized(env.Stdout, func(w io.Writer) error { return docs.Explain(w, r, ex) })
}
