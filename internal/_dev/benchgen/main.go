// Command benchgen writes a deterministic benchmark corpus of Kubernetes
// manifests (see package corpus):
//
//	go run ./internal/_dev/benchgen -n 10000 DIR
//	go run ./internal/_dev/benchgen -n 10000 -profile irrelevant DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/meshlint/meshlint/internal/benchgen/corpus"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchgen:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("benchgen", flag.ContinueOnError)
	n := fs.Int("n", 1000, "number of apps (about 7.5 resources and 4 files each)")
	var names []string
	for _, p := range append(corpus.Profiles, corpus.ProfileKustomize) {
		names = append(names, string(p))
	}
	profile := fs.String("profile", string(corpus.ProfileApps), "corpus profile: "+strings.Join(names, ", "))
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: benchgen [-n APPS] [-profile PROFILE] DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("want one directory, got %d arguments", fs.NArg())
	}
	st, err := corpus.Generate(fs.Arg(0), corpus.Options{Apps: *n, Profile: corpus.Profile(*profile)})
	if err != nil {
		return err
	}
	fmt.Printf("%d apps, %d files, %d resources, %.1f MB\n", *n, st.Files, st.Resources, float64(st.Bytes)/1e6)
	rules := make([]string, 0, len(st.Mistakes))
	for r := range st.Mistakes {
		rules = append(rules, r)
	}
	sort.Strings(rules)
	for _, r := range rules {
		fmt.Printf("  %5d apps with a mistake for %s\n", st.Mistakes[r], r)
	}
	return nil
}
