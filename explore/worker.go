package explore

import (
	"context"
	"encoding/binary"
	"fmt"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/rqcheck/rqcheck/model"
)

// worker is one goroutine's scratch space in a BFS: the states it decodes
// and builds, and what it found in the current level.
type worker struct {
	e           *explorer
	cur, succ   model.State  // succ: DFS's successor (BFS uses succs)
	succs       []successor  // BFS: the successors of cur, in the order of its steps
	mid         model.State  // with Options.Chains: the state before a chain's last step
	tail        []model.Step // the steps from cur to succ (more than one in a chain)
	chain       chainBuf
	inChain     []chainViolation // what follow found inside the last chain
	eff         model.Effects
	fresh       int64 // new states not yet counted into the store
	buf, ample  []model.Step
	succCPUs    model.CPUSet         // chainStep's CPUs for succ (follow), 0 if not known
	rec         []byte               // a record being packed: recHead, then the encoding
	enc         []byte               // a key being built
	dec         []byte               // the level's state being unpacked (chunks decode in order)
	prev        []byte               // the last state packed into out (zeros at a chunk's start)
	canon       *model.Canonicaliser // nil without symmetry reduction
	own         bool                 // the last ident's fingerprint is its state's memo key
	nodes       []node               // parents of the worker's new states, in order
	out         []byte               // packed records of the worker's new states, in order
	marks       []int                // offsets in out of records 0, chunk, 2*chunk, ...
	nout        int                  // records in out
	found       []found
	transitions int64
	reached     model.PCSet // PCs of the steps the worker took (Stats.Reached)
	counted     int         // len(nodes) already added to e.found
}

// successor is one successor of the state BFS expands: the state, the
// step's effects, and the state's fingerprint and key (ident; the key is
// nil where ident gives none, else it lives in keyBuf).
type successor struct {
	s      model.State
	eff    model.Effects
	f      fp
	own    bool // f is also s's memo key (ident)
	key    []byte
	keyBuf []byte
}

func (e *explorer) newWorker() *worker {
	size := model.EncodedSize(e.m.Sc)
	w := &worker{e: e, enc: alignedBytes(size)[:0], rec: alignedBytes(recHead + size),
		dec: alignedBytes(recHead + size), prev: alignedBytes(recHead + size)}
	if e.opt.Symmetry {
		if c := e.m.NewCanonicaliser(); !c.Trivial() {
			w.canon = c
		}
	}
	if e.opt.Chains && e.reduce != nil && !e.keyed && !e.noChainMemo {
		w.chain.memo = newChainMemo(e.workers, e.opt.Memory)
	}
	return w
}

// reset readies the worker for a level.
func (w *worker) reset() { w.counted = 0 }

// ident returns the fingerprint the store identifies s by and, where the
// store compares keys (the exact store) or symmetry reduction is on, the
// key: s's encoding, or with symmetry the encoding of its orbit's
// representative, hashed with fingerprint. Otherwise the key is nil and
// s is hashed in place (fingerprintState), so a successor that is already
// visited, most of them, is never copied into an encoding; appendState
// encodes the new ones. A search takes one path or the other for all of
// its states.
//
// ident also sets w.own when the fingerprint is s's memo key (chainmemo.go):
// always without symmetry; with it, when s is its own representative.
func (w *worker) ident(s *model.State) (fp, []byte) {
	if w.canon != nil {
		w.enc, w.own = w.canon.Representative(w.enc[:0], s)
		return fingerprint(w.enc), w.enc
	}
	w.own = true
	f := fingerprintState(s, w.e.m.Sc)
	if w.e.keyed {
		w.enc = model.Encode(w.enc[:0], s, w.e.m.Sc)
		return f, w.enc
	}
	return f, nil
}

// recHead is the size of a level record's head, before the state's
// encoding: one word holding the set of CPUs whose enabled steps are the
// state's persistent set (chainStep), or 0 if it is not known. The head
// is packed with the state, so a level costs about one bit more per
// state; expanding the state then needs no second persistent set.
const recHead = 8

// appendState appends s, whose key is key (from ident) and whose
// persistent set is the enabled steps of cpus (0: not known), to the
// worker's output for the next level. The level keeps the state itself,
// not its representative, so that parent links and steps rebuild a
// schedule that really runs.
func (w *worker) appendState(key []byte, s *model.State, cpus model.CPUSet) {
	binary.NativeEndian.PutUint64(w.rec, uint64(cpus))
	if w.canon != nil || key == nil {
		w.rec = model.Encode(w.rec[:recHead], s, w.e.m.Sc) // fits: rec has room for one encoding
	} else {
		copy(w.rec[recHead:], key)
	}
	if w.nout%chunk == 0 {
		w.marks = append(w.marks, len(w.out))
		clear(w.prev)
	}
	w.out = pack(w.out, w.rec, w.prev)
	w.nout++
}

// takeOut returns the worker's output as a segment and restarts the
// output in buf (which may be nil).
func (w *worker) takeOut(buf []byte) segment {
	sg := segment{buf: w.out, marks: w.marks, n: w.nout}
	w.out, w.marks, w.nout = buf[:0], nil, 0
	return sg
}

// setupStateful builds the store and the reductions of BFS and DFS from
// the options, for a search on workers goroutines.
func (e *explorer) setupStateful(workers int) error {
	st, err := newStore(e.opt.Store, e.opt.FPBits, e.opt.Memory, e.opt.BitstateBytes)
	if err != nil {
		return err
	}
	e.store = st
	e.keyed = e.opt.Store == Exact
	e.res.Store = e.opt.Store
	if e.res.Store == "" {
		e.res.Store = Fingerprint
	}
	e.workers = workers
	e.res.Workers = e.workers
	e.res.Reductions = []string{}
	if e.opt.POR {
		vis := visibility(e.opt.Props)
		m := e.m
		e.reduce = func(s *model.State, enabled, out []model.Step) []model.Step {
			return persistent(m, s, enabled, vis, out)
		}
		e.res.Reductions = append(e.res.Reductions, "por")
	}
	if e.opt.Symmetry {
		e.res.Reductions = append(e.res.Reductions, "symmetry")
	}
	if e.opt.Chains {
		e.res.Reductions = append(e.res.Reductions, "chains")
	}
	return nil
}

func (e *explorer) finishStateful() {
	e.res.StoreBytes = e.store.bytes()
	e.res.Omission, e.res.Coverage = e.store.estimate(e.res.Stats.States)
}

// limitHit reports, from a worker, whether the search must pause to stop.
func (e *explorer) limitHit() bool {
	if e.memHigh.Load() || e.ctx.Err() != nil {
		return true
	}
	return e.opt.MaxStates > 0 && e.res.Stats.States+e.found.Load() >= e.opt.MaxStates
}

// checkLimits records, between rounds, which limit stops the search.
func (e *explorer) checkLimits() {
	if e.opt.Memory > 0 && processBytes() > e.opt.Memory-e.opt.Memory/8 {
		e.memHigh.Store(true)
	}
	switch {
	case e.memHigh.Load():
		e.res.Stopped = "memory"
	case e.ctx.Err() == context.DeadlineExceeded:
		e.res.Stopped = "time-limit"
	case e.ctx.Err() != nil:
		e.res.Stopped = "cancelled"
	case e.opt.MaxStates > 0 && e.res.Stats.States+e.found.Load() >= e.opt.MaxStates:
		e.res.Stopped = "max-states"
	}
}

// storeLimit is the most bytes a grown store may take: what the memory cap
// leaves once everything else, the old store included, is counted.
func (e *explorer) storeLimit() int64 {
	if e.opt.Memory <= 0 {
		return 0
	}
	return max(1, e.opt.Memory-processBytes())
}

// processBytes is the memory the Go runtime holds from the OS and has not
// given back: heap, stacks and runtime structures.
func processBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64())
}

// progressEvery is how often watch calls Options.Progress (tests shorten
// it; watch looks every 50 ms).
var progressEvery = 500 * time.Millisecond

// watch starts the goroutine that enforces the memory cap and reports
// progress, for every strategy; the returned function stops it. With a
// cap it also sets the runtime's soft memory limit, so the collector
// works harder near it.
func (e *explorer) watch() (stop func()) {
	if e.opt.Memory <= 0 && e.opt.Progress == nil {
		return func() {}
	}
	old := int64(-1)
	if e.opt.Memory > 0 {
		old = debug.SetMemoryLimit(e.opt.Memory)
	}
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		last := time.Now()
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			bytes := processBytes()
			// Stop before the cap: the level being built and the
			// next round's successors still need room.
			if e.opt.Memory > 0 && bytes > e.opt.Memory-e.opt.Memory/8 {
				e.memHigh.Store(true)
				e.pause.Store(true)
			}
			// No report before the search has counted its initial
			// state: setting up a large store, or a slow start under
			// the race detector, can outlast the first tick.
			if e.opt.Progress != nil && time.Since(last) >= progressEvery {
				if p := e.progress(bytes); p.States > 0 {
					last = time.Now()
					e.opt.Progress(p)
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-done
		if old >= 0 {
			debug.SetMemoryLimit(old)
		}
	}
}

// ParseSize reads a memory size: a decimal number (digits with an optional
// fraction: 4, 1.5, .5; no sign, exponent, NaN or Inf) with an optional
// unit K, M, G or T, powers of 1024, in any case, optionally followed by
// "iB" or "B" ("4g", "4G", "4GB", "4GiB" and "4 G" are all 4 GiB); a bare
// number or the unit "B" is bytes. A size of 0 (any unit) is 0; a size
// below 1 MiB otherwise is an error, as is one that does not fit in an
// int64. Fractional bytes are dropped.
func ParseSize(s string) (int64, error) {
	const minSize = 1 << 20
	syntax := fmt.Errorf("size %q: want a number with an optional unit K, M, G or T (e.g. 512M, 4G, 1.5GiB)", s)
	t := strings.TrimSpace(s)
	end := 0 // the number is t[:end]
	digits, dots := 0, 0
	for ; end < len(t); end++ {
		if c := t[end]; c >= '0' && c <= '9' {
			digits++
		} else if c == '.' {
			dots++
		} else {
			break
		}
	}
	if digits == 0 || dots > 1 {
		return 0, syntax
	}
	n, err := strconv.ParseFloat(t[:end], 64)
	if err != nil {
		return 0, syntax
	}
	unit := strings.ToUpper(strings.TrimSpace(t[end:]))
	var mult float64
	switch strings.TrimSuffix(strings.TrimSuffix(unit, "B"), "I") {
	case "":
		if unit == "" || unit == "B" {
			mult = 1
		}
	case "K":
		mult = 1 << 10
	case "M":
		mult = 1 << 20
	case "G":
		mult = 1 << 30
	case "T":
		mult = 1 << 40
	}
	if mult == 0 || strings.HasSuffix(unit, "I") {
		return 0, syntax
	}
	b := n * mult
	switch {
	case b == 0:
		return 0, nil
	case b >= 1<<63:
		return 0, fmt.Errorf("size %q: too large (the most is 8 EiB)", s)
	case b < minSize:
		return 0, fmt.Errorf("size %q is %s bytes, below the minimum of 1 MiB (a number without a unit is bytes: 512M is 512 MiB)", s, strconv.FormatFloat(b, 'f', -1, 64))
	}
	return int64(b), nil
}
