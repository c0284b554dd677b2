package explore

import (
	"fmt"
	"math"
	"math/bits"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// StoreKind names a visited-state store.
type StoreKind string

const (
	// Exact keeps every state's full encoding: no omission, most memory.
	Exact StoreKind = "exact"
	// Fingerprint keeps a 64-bit (or, with FPBits 128, a 127-bit)
	// fingerprint per state in a lock-free open-addressing table (hash
	// compaction). Two distinct states with one fingerprint make the
	// search omit the second: Result.Omission estimates the probability.
	Fingerprint StoreKind = "fingerprint"
	// Bitstate sets 5 bits per state in one word of a fixed bit array
	// (Holzmann's supertrace, as a register-blocked Bloom filter): a
	// state whose bits are all set already counts as visited, so some
	// states are omitted; Result.Coverage estimates the fraction
	// explored.
	Bitstate StoreKind = "bitstate"
)

// ParseStore checks a store name.
func ParseStore(s string) (StoreKind, error) {
	switch StoreKind(s) {
	case Exact, Fingerprint, Bitstate:
		return StoreKind(s), nil
	}
	return "", fmt.Errorf("unknown store %q (known: exact, fingerprint, bitstate)", s)
}

// A store is the visited set of a search. add is safe for concurrent use;
// grow and the estimates are not, and are called between rounds with no
// add in flight.
type store interface {
	// add inserts a state, given its encoding and fingerprint, and reports
	// whether it was new.
	add(f fp, enc []byte) bool
	// has reports whether a state is in the store, without adding it.
	has(f fp, enc []byte) bool
	// prefetch starts loading the memory that add and has will read for
	// the fingerprint f, without waiting for it: a search computes the
	// fingerprints of all of a state's successors first, so that their
	// cache misses overlap instead of following one another.
	prefetch(f fp)
	// count adds n states that add reported new: workers batch the
	// count, so that they do not contend on one counter.
	count(n int64)
	// bytes is the memory the store holds.
	bytes() int64
	// full reports whether the next round of up to n inserts needs the
	// store to grow first.
	full(n int64) bool
	// grow enlarges the store within the limit on its bytes (0: none); it
	// returns false when the limit forbids it.
	grow(limit int64) bool
	// estimate returns the probability that some reachable state was
	// omitted (fingerprint) or the expected fraction explored (bitstate,
	// as coverage); exact stores return 0, 1.
	estimate(states int64) (omission, coverage float64)
}

func newStore(kind StoreKind, fpBits int, memory, bitBytes int64) (store, error) {
	switch kind {
	case "", Fingerprint:
		switch fpBits {
		case 0, 64:
			return newTable64(1 << 12), nil
		case 128:
			return newTable128(1 << 12), nil
		}
		return nil, fmt.Errorf("explore: fingerprints of %d bits (known: 64, 128)", fpBits)
	case Exact:
		return newExactStore(), nil
	case Bitstate:
		// Run has already bounded the sizes by the machine's memory.
		return newBitstate(bitstateSize(memory, bitBytes, 0)), nil
	}
	return nil, fmt.Errorf("explore: unknown store %q", kind)
}

// maxLoad is the fill ratio at which fingerprint tables grow, by half.
// Between growths the load stays in [maxLoad/1.5, maxLoad], so a 64-bit
// table holds 8/load bytes per state: 10 to 15 bytes.
const maxLoad = 0.8

// table64 is a lock-free open-addressing set of 64-bit fingerprints with
// linear probing (SPIN's multi-core hash table, Holzmann & Bošnački 2007):
// a slot is claimed by compare-and-swap from 0, so concurrent inserts of
// one fingerprint agree on a single winner. The slot index is the
// fingerprint scaled to the table size (Lemire's fastrange), so sizes need
// not be powers of two.
type table64 struct {
	slots []uint64
	n     atomic.Int64
}

func newTable64(size int) *table64 { return &table64{slots: make([]uint64, size)} }

func (t *table64) count(n int64) { t.n.Add(n) }

func (t *table64) add(f fp, _ []byte) bool {
	return t.insert(f[0])
}

func (t *table64) insert(h uint64) bool {
	if h == 0 {
		h = 1 // 0 marks an empty slot
	}
	n := uint64(len(t.slots))
	i := t.home(h)
	for {
		v := atomic.LoadUint64(&t.slots[i])
		if v == h {
			return false
		}
		if v == 0 {
			if atomic.CompareAndSwapUint64(&t.slots[i], 0, h) {
				return true
			}
			continue // lost the race for this slot: look at it again
		}
		if i++; i == n {
			i = 0
		}
	}
}

func (t *table64) has(f fp, _ []byte) bool {
	h := max(f[0], 1)
	n := uint64(len(t.slots))
	i := t.home(h)
	for {
		switch atomic.LoadUint64(&t.slots[i]) {
		case h:
			return true
		case 0:
			return false
		}
		if i++; i == n {
			i = 0
		}
	}
}

// home is the slot where the probe for the (non-zero) fingerprint h
// starts: insert, has and prefetch all begin there.
func (t *table64) home(h uint64) uint64 {
	i, _ := bits.Mul64(h, uint64(len(t.slots)))
	return i
}

func (t *table64) prefetch(f fp) { prefetch(&t.slots[t.home(max(f[0], 1))]) }

func (t *table64) bytes() int64 { return int64(len(t.slots)) * 8 }
func (t *table64) full(n int64) bool {
	return float64(t.n.Load()+n) > maxLoad*float64(len(t.slots))
}

func (t *table64) grow(limit int64) bool {
	size := len(t.slots) + len(t.slots)/2
	if limit > 0 && int64(size)*8 > limit {
		return false
	}
	old := t.slots
	t.slots = make([]uint64, size)
	for _, h := range old {
		if h != 0 {
			t.place(h)
		}
	}
	released(len(old) * 8)
	return true
}

// place puts h, which is not in the table, in its slot with plain loads
// and stores: grow calls it with no add in flight, where insert's atomic
// compare-and-swap (a locked instruction per state) is not needed. The
// old table is read in slot order, which is nearly fingerprint order
// (home is monotone in h), so the new slots are written nearly in order
// too and the rehash streams through memory.
func (t *table64) place(h uint64) {
	n := uint64(len(t.slots))
	i := t.home(h)
	for t.slots[i] != 0 {
		if i++; i == n {
			i = 0
		}
	}
	t.slots[i] = h
}

// released hands a grown table's old slots back to the OS at once when
// they are large: otherwise they stay, as garbage, in the process's memory
// until the next collection, and the peak is old + new + old.
func released(bytes int) {
	if bytes >= 64<<20 {
		debug.FreeOSMemory()
	}
}

// estimate: with n states in a table of b-bit fingerprints, the chance
// that some new state's fingerprint equals one already stored is at most
// sum over i<n of i/2^b, about n^2/2^(b+1) (the union bound; TLC prints
// the same order of estimate).
func (t *table64) estimate(states int64) (float64, float64) {
	return collision(states, 64), 1
}

func collision(n int64, b int) float64 {
	return math.Min(1, float64(n)*float64(n)/math.Ldexp(1, b+1))
}

// table128 is table64 with 127-bit fingerprints in two words. A slot is
// claimed by CAS on its first word; the claimer then stores the second
// word, which is never 0 (its low bit is forced to 1), so a reader that
// finds a matching first word waits for the second before comparing.
type table128 struct {
	slots []uint64 // pairs
	n     atomic.Int64
}

func newTable128(size int) *table128 { return &table128{slots: make([]uint64, 2*size)} }

func (t *table128) count(n int64) { t.n.Add(n) }

func (t *table128) add(f fp, _ []byte) bool {
	return t.insert(f[0], f[1])
}

func (t *table128) insert(a, b uint64) bool {
	if a == 0 {
		a = 1
	}
	b |= 1
	n := uint64(len(t.slots) / 2)
	i := t.home(a)
	for {
		p := &t.slots[2*i]
		v := atomic.LoadUint64(p)
		if v == 0 {
			if atomic.CompareAndSwapUint64(p, 0, a) {
				atomic.StoreUint64(&t.slots[2*i+1], b)
				return true
			}
			v = atomic.LoadUint64(p)
		}
		if v == a {
			var w uint64
			for w = atomic.LoadUint64(&t.slots[2*i+1]); w == 0; w = atomic.LoadUint64(&t.slots[2*i+1]) {
			}
			if w == b {
				return false
			}
		}
		if i++; i == n {
			i = 0
		}
	}
}

// place is table64.place for a pair: grow's insert of a fingerprint
// that is not in the table, with no add in flight.
func (t *table128) place(a, b uint64) {
	n := uint64(len(t.slots) / 2)
	i := t.home(a)
	for t.slots[2*i] != 0 {
		if i++; i == n {
			i = 0
		}
	}
	t.slots[2*i], t.slots[2*i+1] = a, b
}

func (t *table128) has(f fp, _ []byte) bool {
	a, b := max(f[0], 1), f[1]|1
	n := uint64(len(t.slots) / 2)
	i := t.home(a)
	for {
		v := atomic.LoadUint64(&t.slots[2*i])
		if v == 0 {
			return false
		}
		if v == a {
			var w uint64
			for w = atomic.LoadUint64(&t.slots[2*i+1]); w == 0; w = atomic.LoadUint64(&t.slots[2*i+1]) {
			}
			if w == b {
				return true
			}
		}
		if i++; i == n {
			i = 0
		}
	}
}

// home is the pair of slots where the probe for the (non-zero) first
// word a starts.
func (t *table128) home(a uint64) uint64 {
	i, _ := bits.Mul64(a, uint64(len(t.slots)/2))
	return i
}

func (t *table128) prefetch(f fp) { prefetch(&t.slots[2*t.home(max(f[0], 1))]) }

func (t *table128) bytes() int64 { return int64(len(t.slots)) * 8 }
func (t *table128) full(n int64) bool {
	return float64(t.n.Load()+n) > maxLoad*float64(len(t.slots)/2)
}

func (t *table128) grow(limit int64) bool {
	size := len(t.slots) / 2 * 3 / 2
	if limit > 0 && int64(size)*16 > limit {
		return false
	}
	old := t.slots
	t.slots = make([]uint64, 2*size)
	for i := 0; i < len(old); i += 2 {
		if old[i] != 0 {
			t.place(old[i], old[i+1])
		}
	}
	released(len(old) * 8)
	return true
}

func (t *table128) estimate(states int64) (float64, float64) {
	return collision(states, 127), 1
}

// exactStore keeps full encodings in maps, sharded by fingerprint under
// one mutex per shard.
type exactStore struct {
	shards [256]struct {
		sync.Mutex
		m map[string]struct{}
		_ [40]byte // keep shards on separate cache lines
	}
	size atomic.Int64
}

func newExactStore() *exactStore {
	s := &exactStore{}
	for i := range s.shards {
		s.shards[i].m = map[string]struct{}{}
	}
	return s
}

func (s *exactStore) add(f fp, enc []byte) bool {
	sh := &s.shards[f[1]>>56]
	sh.Lock()
	defer sh.Unlock()
	if _, ok := sh.m[string(enc)]; ok {
		return false
	}
	sh.m[string(enc)] = struct{}{}
	// A map entry costs its key, the string header and about one more
	// word of bucket overhead.
	s.size.Add(int64(len(enc)) + 24)
	return true
}

func (s *exactStore) has(f fp, enc []byte) bool {
	sh := &s.shards[f[1]>>56]
	sh.Lock()
	defer sh.Unlock()
	_, ok := sh.m[string(enc)]
	return ok
}

func (s *exactStore) prefetch(fp)                       {} // a Go map: nothing to aim at
func (s *exactStore) count(int64)                       {}
func (s *exactStore) bytes() int64                      { return s.size.Load() }
func (s *exactStore) full(int64) bool                   { return false }
func (s *exactStore) grow(int64) bool                   { return true }
func (s *exactStore) estimate(int64) (float64, float64) { return 0, 1 }

// bitstate is a register-blocked Bloom filter (Putze, Sanders and
// Singler, "Cache-, hash- and space-efficient Bloom filters", WEA 2007):
// each state has bitK distinct bits in one 64-bit word of a fixed array,
// the word chosen by the fingerprint's first half and the bits by its
// second (mask). A state is new if one of its bits was clear.
//
// Invariant: add is linearizable. Its bits are set by one atomic OR, whose
// old value says whether they were all set already, so of several
// concurrent adds of one state exactly one reports it new, and any
// concurrent adds give the answers of some sequence of the same adds. A
// filter with its bits in different words (three ORs) is not: two workers
// adding one state can each find a bit clear and both call it new, which
// made a parallel BFS count a few states twice.
//
// One word per state also means one cache line and one locked instruction
// per add. With 5 bits the chance that a new state is taken for visited
// is lower than a classic 3-bit filter's from 16 bits of array per state
// up (at 64 bits per state 5.3e-5 against 9.6e-5) and higher below (at 4
// bits per state, an overfull filter, 0.21 against 0.15). The bit array
// never grows.
type bitstate struct {
	words []uint64
	// covered is the sum over words of C(c, bitK), c being the bits set in
	// the word: a new state's bitK bits, distinct and uniform in a uniform
	// word, are all set with probability covered / (len(words)·C(64, bitK)).
	covered atomic.Int64
	// lost accumulates (as float64 bits), per new state, that probability
	// at the time it was added.
	lost atomic.Uint64
}

// bitK is the bits a state sets in its word.
const bitK = 5

// choose64 is C(64, bitK), and chooseK[c] is C(c, bitK) for c <= 64.
var choose64, chooseK = func() (int64, [65]int64) {
	var t [65]int64
	for c := range t {
		t[c] = 1
		for i := range bitK {
			t[c] = t[c] * int64(c-i) / int64(i+1) // C(c, i+1), exactly; 0 from i = c on
		}
	}
	return t[64], t
}()

func newBitstate(size int64) *bitstate {
	return &bitstate{words: make([]uint64, max(size/8, 1024))}
}

// word is the index of f's word.
func (b *bitstate) word(f fp) uint64 {
	i, _ := bits.Mul64(f[0], uint64(len(b.words)))
	return i
}

// mask is f's bitK distinct bits: 6-bit draws from f's second word,
// repeated draws skipped, so every set of bitK bits is equally likely;
// should the word run out, from a remix of it.
func mask(f fp) uint64 {
	var m uint64
	x, left := f[1], 10
	for n := 0; n < bitK; {
		if left == 0 {
			x, left = splitmix64(x), 10
		}
		bit := uint64(1) << (x & 63)
		x >>= 6
		left--
		if m&bit == 0 {
			m |= bit
			n++
		}
	}
	return m
}

func (b *bitstate) add(f fp, _ []byte) bool {
	w, m := &b.words[b.word(f)], mask(f)
	if atomic.LoadUint64(w)&m == m {
		return false // visited: no locked instruction
	}
	old := atomic.OrUint64(w, m)
	if old&m == m {
		return false // another worker set them first
	}
	c0, c1 := bits.OnesCount64(old), bits.OnesCount64(old|m)
	covered := b.covered.Add(chooseK[c1] - chooseK[c0])
	p := float64(covered) / (float64(len(b.words)) * float64(choose64))
	for {
		old := b.lost.Load()
		if b.lost.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+p)) {
			return true
		}
	}
}

func (b *bitstate) prefetch(f fp) { prefetch(&b.words[b.word(f)]) }

func (b *bitstate) has(f fp, _ []byte) bool {
	m := mask(f)
	return atomic.LoadUint64(&b.words[b.word(f)])&m == m
}

func (b *bitstate) count(int64)     {}
func (b *bitstate) bytes() int64    { return int64(len(b.words)) * 8 }
func (b *bitstate) full(int64) bool { return false }
func (b *bitstate) grow(int64) bool { return false }

// estimate: each new state would have been taken for visited with the
// probability covered/(words·C(64, k)) of its time; the expected number
// omitted is the sum of those over the states found, and coverage is
// found/(found+lost);
// the chance that some state was omitted is 1-exp(-lost) (Poisson). The
// states reachable only through an omitted one are not counted, so the
// coverage is an upper bound, as SPIN's is.
func (b *bitstate) estimate(states int64) (float64, float64) {
	lost := math.Float64frombits(b.lost.Load())
	if states == 0 {
		return 0, 1
	}
	return -math.Expm1(-lost), float64(states) / (float64(states) + lost)
}
