package input

import (
	"runtime"
	"strings"
	"sync"
	"unicode/utf8"
	"unsafe"

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
// names), and then the objects and lists made of the same terms (Object,
// List). Most of the input repeats, so sharing keeps the memory the input
// takes while the rules run small, and building it cheap: an OPA object
// is a hash map of its own. An Encoder is not safe for concurrent use;
// List gives each of its goroutines its own.
type Encoder struct {
	strings map[string]*ast.Term // short strings seen so far
	ints    map[int64]*ast.Term  // numbers beyond OPA's own interned ones: resource ids
	// composites are the objects and lists built so far, by the identity
	// of their parts (partsHash).
	composites map[uint64]*ast.Term
	// parallel is how many goroutines convert a long list; the rules wait
	// for this conversion, and the other cores have nothing else to do.
	parallel int
	workers  []*Encoder // the encoders of those goroutines, kept for the next long list
}

// NewEncoder is an Encoder that converts long lists on one goroutine per
// core.
func NewEncoder() *Encoder {
	e := newEncoder()
	e.parallel = runtime.GOMAXPROCS(0)
	return e
}

func newEncoder() *Encoder {
	return &Encoder{strings: map[string]*ast.Term{}, ints: map[int64]*ast.Term{}, composites: map[uint64]*ast.Term{}}
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
	return e.array(terms)
}

// Object is the term of an object of these key and value pairs, shared
// with an object built before of the same terms. It keeps no reference to
// pairs, so callers may build them on the stack.
//
// Sharing is by the identity of the terms, which the Encoder shares when
// they are equal (strings, numbers, and bottom up the objects and lists),
// so equal objects are found without comparing their contents. The rules
// only read their input, so which of two equal values they see is not
// theirs to tell.
func (e *Encoder) Object(pairs ...[2]*ast.Term) *ast.Term {
	h := uint64(len(pairs))
	for _, p := range pairs {
		h = mix(mix(h, p[0]), p[1])
	}
	if t, ok := e.composites[h]; ok && objectOf(t, pairs) {
		return t
	}
	t := ast.NewTerm(ast.NewObject(pairs...))
	e.composites[h] = t
	return t
}

// array is the term of a list of these terms, shared with a list built
// before of the same terms; it keeps terms when it builds one.
func (e *Encoder) array(terms []*ast.Term) *ast.Term {
	h := ^uint64(len(terms))
	for _, x := range terms {
		h = mix(h, x)
	}
	if t, ok := e.composites[h]; ok && arrayOf(t, terms) {
		return t
	}
	t := ast.NewTerm(ast.NewArray(terms...))
	e.composites[h] = t
	return t
}

// mix adds the identity of t to the hash h. The collector does not move
// objects, so an address names a term for as long as it is reachable,
// which the Encoder's maps make it.
func mix(h uint64, t *ast.Term) uint64 {
	h ^= uint64(uintptr(unsafe.Pointer(t)))
	h *= 0x9e3779b97f4a7c15
	return h ^ h>>29
}

// objectOf says whether t is an object of exactly these pairs, the same
// terms: two different sets of parts can share a hash.
func objectOf(t *ast.Term, pairs [][2]*ast.Term) bool {
	o, ok := t.Value.(ast.Object)
	if !ok || o.Len() != len(pairs) {
		return false
	}
	for _, p := range pairs {
		if o.Get(p[0]) != p[1] {
			return false
		}
	}
	return true
}

// arrayOf says whether t is a list of exactly these terms.
func arrayOf(t *ast.Term, terms []*ast.Term) bool {
	a, ok := t.Value.(*ast.Array)
	if !ok || a.Len() != len(terms) {
		return false
	}
	for i, x := range terms {
		if a.Elem(i) != x {
			return false
		}
	}
	return true
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
		listParallel(e, xs, terms, term)
	} else {
		for i := range xs {
			terms[i] = term(&xs[i], e)
		}
	}
	return e.array(terms)
}

// listParallel converts xs into terms on e.parallel goroutines, each with
// its own Encoder, converting its part in order. It is apart from List so
// that a short list, the usual one, allocates nothing for the goroutines.
// The goroutines' encoders are kept in e for its next long list, whose
// terms they share with this one's.
func listParallel[T any](e *Encoder, xs []T, terms []*ast.Term, term func(*T, *Encoder) *ast.Term) {
	n := e.parallel
	for len(e.workers) < n {
		e.workers = append(e.workers, newEncoder())
	}
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			we := e.workers[w]
			for i := w * len(xs) / n; i < (w+1)*len(xs)/n; i++ {
				terms[i] = term(&xs[i], we)
			}
		}()
	}
	wg.Wait()
}
