package input

import (
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Encoder builds OPA terms the way encoding/json followed by
// ast.InterfaceToValue would (nil slices and maps as null, invalid UTF-8
// replaced), without writing and re-parsing JSON: on a platform repository
// the facts are tens of MB of JSON, and a round trip through it costs more
// than evaluating the rules (docs/performance.md#history).
//
// Terms that repeat are shared, as OPA shares its own interned terms:
// booleans, small numbers, and short strings (modes, schemes, pointers,
// names). Most of the input repeats, so sharing keeps the memory the input
// takes while the rules run small. An Encoder is not safe for concurrent
// use; List gives each of its goroutines its own.
type Encoder struct {
	strings map[string]*ast.Term // short strings seen so far
	ints    map[int64]*ast.Term  // numbers beyond OPA's own interned ones: resource ids
	// parallel is how many goroutines convert a long list; the rules wait
	// for this conversion, and the other cores have nothing else to do.
	parallel int
}

// NewEncoder is an Encoder that converts long lists on one goroutine per
// core.
func NewEncoder() *Encoder {
	e := newEncoder()
	e.parallel = runtime.GOMAXPROCS(0)
	return e
}

func newEncoder() *Encoder {
	return &Encoder{strings: map[string]*ast.Term{}, ints: map[int64]*ast.Term{}}
}

// parallelList is the length from which a list is split over goroutines.
const parallelList = 2048

// maxSharedString bounds the strings worth sharing: longer ones, such as
// messages, rarely repeat.
const maxSharedString = 64

// Null is the term of a nil pointer, slice or map.
func Null() *ast.Term { return ast.InternedNullTerm }

// Bool is the term of a boolean.
func Bool(b bool) *ast.Term { return ast.InternedTerm(b) }

// Int is the term of a number, shared with its other uses.
func (e *Encoder) Int(i int) *ast.Term {
	n := int64(i)
	if ast.HasInternedValue(n) {
		return ast.InternedTerm(n)
	}
	t, ok := e.ints[n]
	if !ok {
		t = ast.InternedTerm(n) // a new term: OPA interns only small numbers
		e.ints[n] = t
	}
	return t
}

// String is the term of a string, shared with its other uses when short.
func (e *Encoder) String(s string) *ast.Term {
	if len(s) > maxSharedString {
		return ast.StringTerm(validString(s))
	}
	t, ok := e.strings[s]
	if !ok {
		t = ast.StringTerm(validString(s))
		e.strings[s] = t
	}
	return t
}

// validString replaces invalid UTF-8 as encoding/json does.
func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// Strings is the term of a list of strings.
func (e *Encoder) Strings(xs []string) *ast.Term {
	if xs == nil {
		return ast.InternedNullTerm
	}
	terms := make([]*ast.Term, len(xs))
	for i, s := range xs {
		terms[i] = e.String(s)
	}
	return ast.NewTerm(ast.NewArray(terms...))
}

// Object is the term of an object of these key and value pairs. It keeps
// no reference to pairs, so callers may build them on the stack.
func Object(pairs ...[2]*ast.Term) *ast.Term {
	return ast.NewTerm(ast.NewObject(pairs...))
}

// Key is the term of an object key, to build once and share.
func Key(name string) *ast.Term { return ast.StringTerm(validString(name)) }

// Ptr is the term of what x points to, made by term; null for nil.
func Ptr[T any](e *Encoder, x *T, term func(*T, *Encoder) *ast.Term) *ast.Term {
	if x == nil {
		return ast.InternedNullTerm
	}
	return term(x, e)
}

// List is the term of a list, each item made by term; null for nil. A long
// list is converted on several goroutines (listParallel).
func List[T any](e *Encoder, xs []T, term func(*T, *Encoder) *ast.Term) *ast.Term {
	if xs == nil {
		return ast.InternedNullTerm
	}
	terms := make([]*ast.Term, len(xs))
	if len(xs) >= parallelList && e.parallel > 1 {
		listParallel(e.parallel, xs, terms, term)
	} else {
		for i := range xs {
			terms[i] = term(&xs[i], e)
		}
	}
	return ast.NewTerm(ast.NewArray(terms...))
}

// listParallel converts xs into terms on n goroutines, each with its own
// Encoder, converting its part in order. It is apart from List so that a
// short list, the usual one, allocates nothing for the goroutines.
func listParallel[T any](n int, xs []T, terms []*ast.Term, term func(*T, *Encoder) *ast.Term) {
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e := newEncoder()
			for i := w * len(xs) / n; i < (w+1)*len(xs)/n; i++ {
				terms[i] = term(&xs[i], e)
			}
		}()
	}
	wg.Wait()
}
