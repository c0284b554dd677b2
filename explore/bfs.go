package explore

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rqcheck/rqcheck/model"
)

// bfs is breadth-first search, one level at a time, on e.workers
// goroutines sharing the visited store.
//
// A level is a list of byte slices of encoded states. Workers take
// chunks of it, expand each state and append the new successors to their
// own output; when the level is done the outputs, in worker order, are the
// next level's segments and the new states get ids in that order. Every state keeps its
// parent's id and the step that reached it, so a schedule is rebuilt by
// walking back to the root.
//
// Determinism: the set of states at each depth does not depend on the
// number of workers or on timing (a state is new to exactly one worker,
// whichever claims its store slot), so complete searches report the same
// state count and the same violated properties for any number of workers,
// unless a fingerprint collision or a bitstate false positive omits a
// state, which one depends on timing. Violations found while expanding
// depth d are collected over the whole level and reported in order of
// schedule length, then property order, so the verdict is the same too;
// with more than one worker, which of several schedules is kept may
// differ, and with chain compression so may its length (a stored state
// keeps the schedule of whichever parent's chain claimed it, and chains
// differ in length).
func (e *explorer) bfs() {
	m := e.m
	w0 := e.newWorker()
	init := m.Init()
	f, key := w0.ident(&init)
	e.store.add(f, key)
	e.store.count(1)
	e.res.Stats.States = 1
	e.base.Store(1) // for Progress
	if e.reportAll(e.verdicts(nil, &init, e.judges.state), func() []model.Step { return nil }) {
		return
	}
	e.nodes.append(node{})
	w0.appendState(key, &init, 0)
	level := newLevel([]segment{w0.takeOut(nil)})
	levelBase := uint32(0)
	var spare [][]byte // buffers of expanded levels, for the workers' next outputs
	workers := []*worker{w0}
	for len(workers) < e.workers {
		workers = append(workers, e.newWorker())
	}
	// reserve bounds the inserts of one round's chunks in flight: the store
	// grows before a round when they might not fit.
	reserve := int64(len(workers)) * chunk * int64(4*m.NumCPUs())
	for depth := 0; level.n > 0; depth++ {
		n := level.n
		e.frontier.Store(int64(n))
		e.depth.Store(int64(depth))
		e.done.Store(0)
		e.found.Store(0)
		var pos atomic.Int64
		for _, w := range workers {
			w.reset()
		}
		for {
			for e.store.full(reserve) {
				if !e.store.grow(e.storeLimit()) {
					e.res.Stopped = "memory"
					break
				}
			}
			if e.res.Stopped != "" {
				break
			}
			e.pause.Store(false)
			var wg sync.WaitGroup
			for _, w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					w.expandLevel(&level, depth, levelBase, &pos, reserve)
				}()
			}
			wg.Wait()
			if e.res.Stopped == "" {
				e.checkLimits()
			}
			if e.res.Stopped != "" || pos.Load() >= int64(len(level.chunks)) {
				break
			}
		}
		// Number the new states and gather what the level found.
		nextBase := uint32(e.nodes.len())
		var viols []found
		var next []segment
		for _, sg := range level.segs {
			spare = append(spare, sg.buf)
		}
		for _, w := range workers {
			base := uint32(e.nodes.len())
			for _, f := range w.found {
				if f.local >= 0 {
					f.id, f.local = base+uint32(f.local), -1
				}
				viols = append(viols, f)
			}
			e.nodes.append(w.nodes...)
			if w.nout > 0 {
				// The output becomes a segment of the next level as it
				// is; the worker writes on into a spent buffer.
				var buf []byte
				if k := len(spare) - 1; k >= 0 {
					buf, spare = spare[k], spare[:k]
				}
				next = append(next, w.takeOut(buf))
			}
			e.res.Stats.Transitions += w.transitions
			e.res.Stats.Reached.Union(&w.reached)
			w.transitions = 0
			w.nodes, w.found = w.nodes[:0], w.found[:0]
		}
		clear(spare) // the rest are garbage: let the collector have them
		spare = spare[:0]
		e.res.Stats.States += int64(e.nodes.len()) - int64(nextBase)
		e.base.Store(e.res.Stats.States)
		if e.nodes.len() > int(nextBase) {
			e.res.Stats.MaxDepth = depth + 1
		}
		slices.SortStableFunc(viols, func(a, b found) int {
			return cmp.Or(cmp.Compare(a.length, b.length), cmp.Compare(a.prop, b.prop))
		})
		for _, f := range viols {
			if !e.seen[f.prop] && e.report(f.prop, f.msg, e.traceTo(f.id, f.tail)) {
				return
			}
		}
		if e.res.Stopped != "" {
			return
		}
		level, levelBase = newLevel(next), nextBase
	}
	e.res.Complete = true
}

// chunk is how many states a worker takes from a level at a time.
const chunk = 64

// node is a visited state's parent and the step that reached it.
type node struct {
	parent uint32
	via    model.Step
}

// nodeLog is the visited states' nodes, numbered from 0, in blocks of
// fixed size: it grows without the copy (and the transient double memory)
// of a slice that doubles, which matters at 10^8 states and more.
type nodeLog struct {
	blocks [][]node
	n      int
}

const nodeBlock = 1 << 20

func (l *nodeLog) len() int { return l.n }

func (l *nodeLog) at(id uint32) node { return l.blocks[id/nodeBlock][id%nodeBlock] }

func (l *nodeLog) append(ns ...node) {
	for len(ns) > 0 {
		if len(l.blocks) == 0 || len(l.blocks[len(l.blocks)-1]) == nodeBlock {
			var b []node
			if len(l.blocks) > 0 {
				b = make([]node, 0, nodeBlock) // the first grows as a slice: small searches stay small
			}
			l.blocks = append(l.blocks, b)
		}
		b := &l.blocks[len(l.blocks)-1]
		k := min(len(ns), nodeBlock-len(*b))
		*b = append(*b, ns[:k]...)
		l.n += k
		ns = ns[k:]
	}
}

// found is a violation seen while expanding a level. It refers to the
// state it was judged on by id, or (local >= 0) by its index among the
// worker's new states, numbered when the level is done; tail is the
// steps after that state for a violation on a transition to a known state
// or inside a chain (Options.Chains).
type found struct {
	prop, length int
	msg          string
	id           uint32
	local        int
	tail         []model.Step
}

// traceTo rebuilds the schedule to state id, followed by tail. With
// chain compression a node's step is the first of its chain: the schedule
// is replayed from the initial state to redo the chains.
func (e *explorer) traceTo(id uint32, tail []model.Step) []model.Step {
	var via []model.Step
	for ; id != 0; id = e.nodes.at(id).parent {
		via = append(via, e.nodes.at(id).via)
	}
	slices.Reverse(via)
	if !e.opt.Chains {
		return append(via, tail...)
	}
	var out []model.Step
	var buf chainBuf
	s := e.m.Init()
	for _, st := range via {
		e.m.Apply(&s, st)
		out = append(out, st)
		for {
			next, ok, _ := e.chainStep(&s, &buf, fp{}, false)
			if !ok {
				break
			}
			e.m.Apply(&s, next)
			out = append(out, next)
		}
	}
	return append(out, tail...)
}

// level is one depth's states: the packed records (pack.go) the workers
// wrote, one segment per worker, never concatenated (a copy would cost a
// third of the time and memory of a level). The i-th state of the level is
// the i-th over the segments in order, which is the order the states were
// numbered in.
type level struct {
	segs   []segment
	chunks []span // the level cut into pieces of at most chunk states
	n      int    // states
}

// segment is one worker's output for a level: n packed records in buf;
// marks[c] is the offset of record c*chunk, where a chunk starts.
type segment struct {
	buf   []byte
	marks []int
	n     int
}

// span is a chunk of a level: records [from, from+len) of segment seg,
// starting at byte off, the first of which is the level's state number
// first.
type span struct {
	seg, off, len, first int
}

func newLevel(segs []segment) level {
	l := level{segs: segs}
	for i, sg := range segs {
		for c, off := range sg.marks {
			from := c * chunk
			l.chunks = append(l.chunks, span{i, off, min(chunk, sg.n-from), l.n + from})
		}
		l.n += sg.n
	}
	return l
}

// expandLevel expands chunks of level until none is left or the search
// pauses (the store must grow, or a limit is reached).
func (w *worker) expandLevel(l *level, depth int, base uint32, pos *atomic.Int64, reserve int64) {
	e, m := w.e, w.e.m
	for !e.pause.Load() {
		c := int(pos.Add(1)) - 1
		if c >= len(l.chunks) {
			return
		}
		sp := l.chunks[c]
		buf := l.segs[sp.seg].buf[sp.off:]
		clear(w.dec) // records of a chunk are packed against the one before
		for k := 0; k < sp.len; k++ {
			id := base + uint32(sp.first+k)
			used, err := unpack(w.dec, buf)
			if err != nil {
				panic(fmt.Sprintf("explore: BFS level corrupt: %v", err)) // the explorer wrote it: a bug
			}
			buf = buf[used:]
			cpus := model.CPUSet(binary.NativeEndian.Uint64(w.dec))
			model.Decode(w.dec[recHead:], &w.cur, m.Sc)
			w.expand(id, depth, cpus)
			if max := e.opt.MaxStates; max > 0 && e.res.Stats.States+e.found.Load()+int64(len(w.nodes)-w.counted) >= max {
				e.pause.Store(true)
				break
			}
		}
		e.done.Add(int64(sp.len))
		e.found.Add(int64(len(w.nodes) - w.counted))
		w.counted = len(w.nodes)
		e.store.count(w.fresh)
		w.fresh = 0
		if e.store.full(reserve) || e.limitHit() {
			e.pause.Store(true)
		}
	}
}

// expand judges and expands the state w.cur, whose id is id and whose
// schedule has length steps; cpus is the set of CPUs chainStep found for
// it when it was discovered, or 0.
func (w *worker) expand(id uint32, length int, cpus model.CPUSet) {
	e, m := w.e, w.e.m
	w.buf = m.Enabled(&w.cur, w.buf)
	if len(w.buf) == 0 {
		for _, v := range e.verdicts(nil, &w.cur, e.judges.terminal) {
			w.found = append(w.found, found{prop: v.prop, length: length, msg: v.msg, id: id, local: -1})
		}
		return
	}
	w.ample = e.stepsTo(&w.cur, w.buf, cpus, w.ample)
	// First every successor and its fingerprint, asking the store to load
	// the fingerprint's slot; the lookups below then find most slots in
	// the cache, where one at a time each would wait for memory.
	if len(w.succs) < len(w.ample) {
		w.succs = make([]successor, len(w.ample))
	}
	for i, st := range w.ample {
		x := &w.succs[i]
		w.reached.Add(m.StepPC(&w.cur, st))
		model.CopyState(&x.s, &w.cur, m.Sc)
		x.eff = m.Apply(&x.s, st)
		f, key := w.ident(&x.s)
		x.f, x.own, x.key = f, w.own, nil
		if key != nil {
			x.keyBuf = append(x.keyBuf[:0], key...)
			x.key = x.keyBuf
		}
		e.store.prefetch(f)
	}
	for i, st := range w.ample {
		x := &w.succs[i]
		w.transitions++
		w.tail = append(w.tail[:0], st)
		prev, f, key := w.follow(&w.cur, &x.s, &x.eff, x.f, x.own, x.key)
		for _, v := range w.inChain {
			w.found = append(w.found, found{prop: v.prop, length: length + len(v.tail), msg: v.msg, id: id, local: -1, tail: v.tail})
		}
		isNew := e.store.add(f, key)
		if isNew {
			w.fresh++
			w.nodes = append(w.nodes, node{id, st})
			w.appendState(key, &x.s, w.succCPUs)
		}
		last := w.tail[len(w.tail)-1]
		for _, v := range e.stepVerdicts(nil, prev, last, &x.eff, &x.s, isNew) {
			f := found{prop: v.prop, length: length + len(w.tail), msg: v.msg, id: id, local: -1}
			if isNew {
				f.local = len(w.nodes) - 1
			} else {
				f.tail = slices.Clone(w.tail)
			}
			w.found = append(w.found, f)
		}
	}
}

// follow returns the fingerprint and store key of s, reached from the
// state from by the steps of w.tail (one so far, with effects *eff; f and
// key are ident's for s, and own its w.own), and the state the last of
// them left; s and *eff are then those of the last step, and w.succCPUs
// is chainStep's set of CPUs for s, or 0 if it was not computed. With chain compression
// (Options.Chains), while s is a chain state (chainStep) not already
// in the store, follow judges the step into it and the state itself,
// which is not stored, and takes its one step; violations in the chain go
// to w.inChain, each with the steps from from. A state in the store is no
// chain state (or, with symmetry, one of its orbit is stored and
// expanded), so the check, and the persistent set it needs, is skipped
// for the successors already visited: most of them. BFS and DFS both
// follow chains here, so they store the same states.
func (w *worker) follow(from, s *model.State, eff *model.Effects, f fp, own bool, key []byte) (*model.State, fp, []byte) {
	e, m := w.e, w.e.m
	w.inChain = w.inChain[:0]
	w.succCPUs = 0
	prev := from
	for {
		if !e.opt.Chains || e.store.has(f, key) {
			return prev, f, key
		}
		next, ok, ample := e.chainStep(s, &w.chain, f, own)
		if !ok {
			w.succCPUs = ample
			return prev, f, key
		}
		last := w.tail[len(w.tail)-1]
		for _, v := range e.stepVerdicts(nil, prev, last, eff, s, true) {
			w.inChain = append(w.inChain, chainViolation{v.prop, v.msg, slices.Clone(w.tail)})
		}
		model.CopyState(&w.mid, s, m.Sc)
		prev = &w.mid
		w.reached.Add(m.StepPC(s, next))
		*eff = m.Apply(s, next)
		w.transitions++
		w.tail = append(w.tail, next)
		f, key = w.ident(s)
		own = w.own
	}
}

// chainViolation is a violation follow saw inside a chain, at the state
// the steps tail lead to from the state it started from.
type chainViolation struct {
	prop int
	msg  string
	tail []model.Step
}

// chainStep reports whether s is a chain state, one with exactly one step
// to take (the one enabled step, or with POR a persistent set of one),
// and that step. buf is scratch. A chain state is judged like any other
// but not stored: the search follows its step at once (chain compression,
// as DIVINE's tau-reduction and SPIN's statement merging, with POR's
// choice as the local rule). Whether a state is one depends on the state
// alone, so a chain state is never stored by any path, and traceTo can
// redo the chains of a schedule.
//
// For a state that is not a chain state, chainStep also returns the CPUs
// whose enabled steps are the state's steps to take (its persistent set
// is the enabled steps of those CPUs: explore/por.go), or 0 if there is
// none or no POR. The search keeps the set with the state if it stores
// it, and expand then filters the enabled steps by it instead of
// computing the persistent set a second time.
//
// With a memo in buf (chainmemo.go), chainStep answers from it where it
// can; f is s's memo key if own is true (worker.ident), else chainStep
// hashes s for it.
func (e *explorer) chainStep(s *model.State, buf *chainBuf, f fp, own bool) (model.Step, bool, model.CPUSet) {
	memo := buf.memo
	if memo != nil && own { // a memo means POR (newWorker)
		memo.prefetch(f) // Enabled runs while the slot loads
	}
	buf.enabled = e.m.Enabled(s, buf.enabled)
	if len(buf.enabled) <= 1 || e.reduce == nil {
		return e.chainRule(buf.enabled)
	}
	if memo == nil {
		buf.ample = e.reduce(s, buf.enabled, buf.ample)
		return e.chainRule(buf.ample)
	}
	if !own { // symmetry: s is not its own representative
		buf.enc = model.Encode(buf.enc[:0], s, e.m.Sc)
		f = fingerprint(buf.enc)
		memoRehashes.Add(1)
	}
	if next, ok, cpus, hit := memo.get(f); hit {
		return next, ok, cpus
	}
	buf.ample = e.reduce(s, buf.enabled, buf.ample)
	next, ok, cpus := e.chainRule(buf.ample)
	if ok {
		// Only chain states: a state with a choice is stored next, and
		// the store answers for it from then on.
		memo.put(f, next, ok, cpus)
	}
	return next, ok, cpus
}

// chainRule is chainStep's answer for a state whose steps to take are
// steps.
func (e *explorer) chainRule(steps []model.Step) (model.Step, bool, model.CPUSet) {
	if len(steps) != 1 {
		if e.reduce == nil || e.noAmpleCache {
			return model.Step{}, false, 0
		}
		return model.Step{}, false, cpusOf(steps)
	}
	return steps[0], true, 0
}

// cpusOf is the set of CPUs of steps.
func cpusOf(steps []model.Step) model.CPUSet {
	var c model.CPUSet
	for _, st := range steps {
		c |= 1 << st.CPU
	}
	return c
}

// stepsTo returns the steps to take from s, whose enabled steps are
// enabled: the persistent set, or with the set of CPUs a chainStep found
// for s (ample, not 0), the enabled steps of those CPUs, which is the
// same set. out is scratch.
func (e *explorer) stepsTo(s *model.State, enabled []model.Step, ample model.CPUSet, out []model.Step) []model.Step {
	if e.reduce == nil {
		return enabled
	}
	if ample == 0 {
		return e.reduce(s, enabled, out)
	}
	out = out[:0]
	for _, st := range enabled {
		if ample.Has(int(st.CPU)) {
			out = append(out, st)
		}
	}
	return out
}

// chainBuf is chainStep's scratch, and a worker's memo of its answers
// (nil: none).
type chainBuf struct {
	enabled, ample []model.Step
	enc            []byte // a state's encoding, for its memo key
	memo           *chainMemo
}
