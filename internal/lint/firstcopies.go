package lint

import (
	"hash/maphash"

	"github.com/meshlint/meshlint/internal/loader"
)

// firstCopies finds the first document of each identity (dedupe,
// collidingFolders). Every document of a run is looked up, and most
// objects have one copy: keyed by the identity itself, the map took 72
// bytes an entry (four strings and a pointer), 12 MB at 10,000 apps, for a
// question a 64-bit hash answers; documents whose identity's hash an
// earlier, different identity has are found by identity instead.
type firstCopies struct {
	seed     maphash.Seed
	byHash   map[uint64]*loader.Document
	collided map[identity]*loader.Document
}

func newFirstCopies(n int) *firstCopies {
	return &firstCopies{seed: maphash.MakeSeed(), byHash: make(map[uint64]*loader.Document, n)}
}

// first is the first document seen of id, and whether there was one; when
// there was none, d is now it.
func (x *firstCopies) first(id identity, d *loader.Document) (*loader.Document, bool) {
	h := x.hash(id)
	kept, ok := x.byHash[h]
	if !ok {
		x.byHash[h] = d
		return d, false
	}
	if keptID, _ := identityOf(kept); keptID == id {
		return kept, true
	}
	if kept, ok := x.collided[id]; ok {
		return kept, true
	}
	if x.collided == nil {
		x.collided = map[identity]*loader.Document{}
	}
	x.collided[id] = d
	return d, false
}

func (x *firstCopies) hash(id identity) uint64 { return maphash.Comparable(x.seed, id) }
