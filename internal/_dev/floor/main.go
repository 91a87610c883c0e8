// Command floor is the "parse floor" of issue 6: it walks a directory, reads
// every .yaml/.yml/.json file, cuts it at "---" lines and parses every
// document into go.yaml.in/yaml/v3 Nodes on -j goroutines (2 by default),
// keeping them, and nothing else. A linter that must read the same
// documents is compared with this in the same measurement run:
//
//	go build -o /tmp/floor ./internal/_dev/floor
//	/usr/bin/time -v /tmp/floor DIR
//
// -discard drops each document after parsing it instead of keeping all of
// them, which shows how much of the floor is the retained heap.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	yaml "go.yaml.in/yaml/v3"
)

func main() {
	workers := flag.Int("j", 2, "parsing goroutines")
	discard := flag.Bool("discard", false, "drop each parsed document instead of keeping them all")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: floor [-j N] [-discard] DIR")
		os.Exit(2)
	}
	var files []string
	err := filepath.WalkDir(flag.Arg(0), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != flag.Arg(0) && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".yaml", ".yml", ".json":
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(2)
	}

	kept := make([][]*yaml.Node, len(files)) // per file, so workers never share a slice
	var docs, broken atomic.Int64
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				data, err := os.ReadFile(files[i])
				if err != nil {
					broken.Add(1)
					continue
				}
				for _, doc := range split(data) {
					var n yaml.Node
					if err := yaml.Unmarshal(doc, &n); err != nil {
						broken.Add(1)
						continue
					}
					docs.Add(1)
					if !*discard {
						kept[i] = append(kept[i], &n)
					}
				}
			}
		}()
	}
	for i := range files {
		work <- i
	}
	close(work)
	wg.Wait()
	fmt.Printf("%d files, %d documents parsed, %d failed\n", len(files), docs.Load(), broken.Load())
}

// split cuts a file at lines that start with "---".
func split(data []byte) [][]byte {
	var out [][]byte
	start := 0
	for i := 0; i <= len(data); {
		end := bytes.IndexByte(data[i:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += i
		}
		if bytes.HasPrefix(data[i:end], []byte("---")) {
			out = append(out, data[start:i])
			start = end + 1
		}
		i = end + 1
	}
	if start < len(data) {
		out = append(out, data[start:])
	}
	return out
}
