package conventions

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// maxFuncLines is the longest a function body may be. A longer function
// mixes decisions that deserve their own names; a table (a composite
// literal that is most of the body) is exempt, since splitting data helps
// no reader.
const maxFuncLines = 100

// pending are the long functions in files other changes are rewriting at
// the time of writing; each is split there. The test fails once one of them
// is short, so that the entry is deleted and the list only shrinks.
var pending = map[string]bool{}

// TestNoLongFunctions fails on every function of the module's non-test Go
// files whose body runs over maxFuncLines lines, unless the body is a table.
func TestNoLongFunctions(t *testing.T) {
	fset := token.NewFileSet()
	root := moduleRoot(t)
	stillLong := map[string]bool{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); p != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		for _, decl := range file.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			lines := bodyLines(fset, fn.Body)
			if lines > maxFuncLines && !isTable(fset, fn.Body) {
				rel, _ := filepath.Rel(root, p)
				if key := filepath.ToSlash(rel) + " " + fn.Name.Name; pending[key] {
					stillLong[key] = true
					continue
				}
				t.Errorf("%s: %s is %d lines long (at most %d): split it where its decisions part", fset.Position(fn.Pos()), fn.Name.Name, lines, maxFuncLines)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range pending {
		if !stillLong[key] {
			t.Errorf("%s is no longer over %d lines: delete it from pending", key, maxFuncLines)
		}
	}
}

// bodyLines counts the lines between a body's braces.
func bodyLines(fset *token.FileSet, body *ast.BlockStmt) int {
	return fset.Position(body.Rbrace).Line - fset.Position(body.Lbrace).Line - 1
}

// isTable reports whether a body is mostly one composite literal: a
// function that returns or assigns a table of data.
func isTable(fset *token.FileSet, body *ast.BlockStmt) bool {
	largest := 0
	ast.Inspect(body, func(n ast.Node) bool {
		if lit, ok := n.(*ast.CompositeLit); ok {
			if l := fset.Position(lit.Rbrace).Line - fset.Position(lit.Lbrace).Line; l > largest {
				largest = l
			}
			return false
		}
		return true
	})
	return largest*10 >= bodyLines(fset, body)*8
}

// moduleRoot is the directory holding go.mod, two levels up from this
// package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// TestFunctionLengthCheck keeps the check able to fail: a long function is
// reported, a long table is not.
func TestFunctionLengthCheck(t *testing.T) {
	long := "package p\nfunc f() {\n" + strings.Repeat("\tprintln()\n", maxFuncLines+1) + "}\n"
	table := "package p\nfunc g() []int {\n\treturn []int{\n" + strings.Repeat("\t\t1,\n", maxFuncLines+1) + "\t}\n}\n"
	short := "package p\nfunc h() {\n" + strings.Repeat("\tprintln()\n", maxFuncLines) + "}\n"
	for src, want := range map[string]bool{long: true, table: false, short: false} {
		fset := token.NewFileSet()
		file, err := parser.ParseFile(fset, "p.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		fn := file.Decls[0].(*ast.FuncDecl)
		if got := bodyLines(fset, fn.Body) > maxFuncLines && !isTable(fset, fn.Body); got != want {
			t.Errorf("%s: flagged = %v, want %v", fn.Name.Name, got, want)
		}
	}
}
