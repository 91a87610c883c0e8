package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/pflag"

	"github.com/meshlint/meshlint/internal/engine"
)

func runRules(args []string, env Env) error {
	fs := pflag.NewFlagSet("meshlint rules", pflag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	format := fs.String("format", "text", "text, markdown or json")
	policies := fs.StringArray("policy", nil, "directory of extra Rego rules; repeatable")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() > 0 {
		return usagef("rules takes no arguments, got %q", fs.Args())
	}
	eng, err := engine.New(context.Background(), *policies)
	if err != nil {
		return err
	}
	switch *format {
	case "text":
		return rulesText(env.Stdout, eng.Rules)
	case "markdown":
		return rulesMarkdown(env.Stdout, eng.Rules)
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(eng.Rules)
	}
	return usagef("unknown rules format %q (want text, markdown or json)", *format)
}

func rulesText(w io.Writer, rules []*engine.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tCATEGORY\tTIER\tTITLE")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Category, r.Tier, r.Title)
	}
	return tw.Flush()
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

// rulesMarkdown renders every rule with its fix.
func rulesMarkdown(w io.Writer, rules []*engine.Rule) error {
	var b strings.Builder
	b.WriteString("| id | severity | category | title | fix |\n|---|---|---|---|---|\n")
	for _, r := range rules {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.ID, r.Severity, r.Category, r.Title, oneLine(r.Fix))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", "\\|")
}

func runExplain(args []string, env Env) error {
	fs := pflag.NewFlagSet("meshlint explain", pflag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	policies := fs.StringArray("policy", nil, "directory of extra Rego rules; repeatable")
	if err := fs.Parse(args); err != nil {
		return usagef("%v", err)
	}
	if fs.NArg() != 1 {
		return usagef("explain takes one rule id, e.g. 'meshlint explain plaintext-scrape-of-strict-port'")
	}
	eng, err := engine.New(context.Background(), *policies)
	if err != nil {
		return err
	}
	r := eng.Rule(fs.Arg(0))
	if r == nil {
		return usagef("unknown rule %q (see 'meshlint rules')", fs.Arg(0))
	}
	fmt.Fprintf(env.Stdout, "%s: %s\n\nseverity: %s   category: %s   tier: %s\n\n%s\n\nFix: %s\n",
		r.ID, r.Title, r.Severity, r.Category, r.Tier, wrap(r.Description, 88), wrap(r.Fix, 88))
	if r.Semantics != "" {
		fmt.Fprintf(env.Stdout, "\nBased on: semantics %s\n", r.Semantics)
	}
	fmt.Fprintf(env.Stdout, "Suppress on a resource with the annotation ignore.meshlint.io/%s: \"<reason>\"\n", r.ID)
	return nil
}

func wrap(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(s) {
		if n > 0 && n+1+len(word) > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
