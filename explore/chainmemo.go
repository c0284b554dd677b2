package explore

import (
	"sync/atomic"

	"github.com/rqcheck/rqcheck/model"
)

// chainMemo remembers chainStep's answers for the states a worker asked
// about, keyed by a fingerprint of the state itself, not of its orbit.
// chainStep computes a persistent set, the costliest part of a reduced
// search, and with chain compression a chain state is never stored, so
// each path into it asks again. chainStep consults the memo only for
// states with more than one enabled step (the others need no persistent
// set), and keeps only chain states' answers: a state with a choice is
// stored next, and the store answers for it from then on. On mainline
// 3 CPUs / 4 tasks that is 1,240,362 questions, of which the memo
// answers 372,462 (of about 394,000 repeats); on 4 CPUs / 4 tasks
// 7,797,051, of which it answers 1,645,678 (16 MiB would answer
// 2,042,750). The answer is a function of the state alone
// (explore/doc.go), so a remembered answer is the answer.
//
// The key is fingerprintState(s) without symmetry reduction, and
// fingerprint(Encode(s)) with it: then the fingerprint of most states'
// canonical encoding is their key already (model.Canonicaliser's
// Representative), and only the others are hashed again.
//
// The memo is a direct-mapped cache: a slot holds the last state whose
// key maps there, and a miss only costs the computation. A slot keeps
// the key's first word and memoCheck bits of the second, so a wrong
// answer needs two states to agree in 94 bits of fingerprint. Searches
// with the exact store, which promise no hash-based omission, do not use
// it. Each worker has its own memo: no locks, and the search is the same
// with or without it (TestChainMemoChangesNothing).
type chainMemo struct {
	slots []memoSlot
	mask  uint64
}

type memoSlot struct{ key, val uint64 }

// memoRehashes counts the states chainStep hashed again for their memo
// key (with symmetry, those not their own representative), so that tests
// know that path ran.
var memoRehashes atomic.Int64

// memoSlots is the number of slots of a worker's memo (16 bytes each:
// 4 MiB, half of this machine's L2 cache per core).
const memoSlots = 1 << 18

// Layout of memoSlot.val: the step's CPU and kind, the CPU set, whether
// the state is a chain state, a mark that the slot is in use, and the
// check bits.
const (
	memoOK    = 1 << 32
	memoUsed  = 1 << 33
	memoCheck = 30 // bits of the fingerprint's second word kept
)

// newChainMemo is a memo of memoSlots slots, or fewer (down to 1024) so
// that the memos of workers workers take at most a sixteenth of the
// memory cap, or with no cap (0) 1 GiB.
func newChainMemo(workers int, memCap int64) *chainMemo {
	limit := memCap / 16
	if memCap <= 0 {
		limit = 1 << 30
	}
	n := memoSlots
	for n > 1<<10 && int64(workers)*int64(n)*16 > limit {
		n /= 2
	}
	return &chainMemo{slots: make([]memoSlot, n), mask: uint64(n - 1)}
}

func memoTag(f fp) uint64 { return f[1] >> (64 - memoCheck) << (64 - memoCheck) }

// get returns the answer remembered for the state whose fingerprint is f.
func (c *chainMemo) get(f fp) (next model.Step, ok bool, cpus model.CPUSet, hit bool) {
	sl := &c.slots[f[0]&c.mask]
	v := sl.val
	if v&memoUsed == 0 || sl.key != f[0] || v&^(1<<(64-memoCheck)-1) != memoTag(f) {
		return model.Step{}, false, 0, false
	}
	next = model.Step{CPU: int8(v), Kind: model.StepKind(v >> 8)}
	return next, v&memoOK != 0, model.CPUSet(v >> 16), true
}

// prefetch starts loading the slot of the state whose key is f.
func (c *chainMemo) prefetch(f fp) { prefetch(&c.slots[f[0]&c.mask].key) }

// put remembers chainStep's answer for the state whose fingerprint is f.
func (c *chainMemo) put(f fp, next model.Step, ok bool, cpus model.CPUSet) {
	v := uint64(uint8(next.CPU)) | uint64(next.Kind)<<8 | uint64(cpus)<<16 | memoUsed | memoTag(f)
	if ok {
		v |= memoOK
	}
	c.slots[f[0]&c.mask] = memoSlot{f[0], v}
}
