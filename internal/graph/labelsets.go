package graph

import (
	"hash/maphash"
	"sync"
)

// labelSets share the label maps of equal content that one Builder reads: a
// Service's labels and its selector, the ServiceMonitor that selects it and
// the pod template it selects mostly name the same app, and every monitor
// of a Prometheus carries the same release label. Each map of a few labels
// takes about 340 bytes; shared, the maps of 10,000 apps took 25 MB less
// of the heap every collection marks while the model was built. No one
// writes to a label map once read (Service.Selector, Workload.Labels...),
// so sharing one is safe. A nil *labelSets shares nothing.
//
// A Builder keeps two: the label maps (labels, selectors) and the
// annotation maps, which are read within other bounds.
type labelSets struct {
	seed   maphash.Seed
	shards [labelShards]labelShard // the loader's workers read at once
}

type labelShard struct {
	sync.Mutex
	m map[uint64]map[string]string // by labelsHash
}

const labelShards = 16

func newLabelSets() *labelSets {
	x := &labelSets{seed: maphash.MakeSeed()}
	for i := range x.shards {
		x.shards[i].m = map[uint64]map[string]string{}
	}
	return x
}

// read is read(v, pointer) (labelMap, or annotationMap), shared with an
// equal map read before. A map shared was read by the same function, within
// the bounds it checks: a table holds the maps of one function only.
func (x *labelSets) read(v any, pointer string, read func(any, string) (map[string]string, *fieldError)) (map[string]string, *fieldError) {
	shared, h, ok := x.lookup(v)
	if ok {
		return shared, nil
	}
	m, err := read(v, pointer)
	if err == nil && h != 0 {
		x.store(h, m)
	}
	return m, err
}

// lookup finds the map read before with v's keys and values. h is v's
// hash when v can be shared (a non-empty mapping of strings), 0 when it
// cannot; ok says a map equal to v was found. An equal map was read
// within the bounds read checked, which it would check the same of v.
func (x *labelSets) lookup(v any) (shared map[string]string, h uint64, ok bool) {
	m, isMap := v.(map[string]any)
	if x == nil || !isMap || len(m) == 0 {
		return nil, 0, false
	}
	for k, val := range m {
		s, isString := val.(string)
		if !isString {
			return nil, 0, false // numbers, booleans, nested values: as read
		}
		h += pairHash(x.seed, k, s)
	}
	if h == 0 {
		h = 1
	}
	sh := &x.shards[h%labelShards]
	sh.Lock()
	c, found := sh.m[h]
	sh.Unlock()
	if found && sameLabels(c, m) {
		return c, h, true
	}
	return nil, h, false
}

// store keeps m, read from a mapping whose hash is h, for the next equal
// one; a map already kept for h (another content of the same hash, or an
// equal map another worker stored meanwhile) stays.
func (x *labelSets) store(h uint64, m map[string]string) {
	sh := &x.shards[h%labelShards]
	sh.Lock()
	if _, found := sh.m[h]; !found {
		sh.m[h] = m
	}
	sh.Unlock()
}

// pairHash is the hash of one label; a map's hash is the sum of its
// labels', whatever their order.
func pairHash(seed maphash.Seed, k, v string) uint64 {
	return maphash.Comparable(seed, [2]string{k, v})
}

// sameLabels reports whether c holds exactly m's keys and string values.
func sameLabels(c map[string]string, m map[string]any) bool {
	if len(c) != len(m) {
		return false
	}
	for k, val := range m {
		s, _ := val.(string)
		if got, ok := c[k]; !ok || got != s {
			return false
		}
	}
	return true
}
