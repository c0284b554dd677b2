package explore

import "github.com/rqcheck/rqcheck/model"

// dfs is depth-first search with an explicit stack and BFS's visited store
// (Options.Store, set up by setupStateful): it holds the store and the stack,
// nothing else, so its memory is the fingerprint table's 10 to 15 bytes per
// state plus one frame (a state and its steps) per step of the current
// schedule (SPIN's default mode), where BFS also holds a whole level and a
// parent link per state.
//
// A frame keeps the real state, not its orbit's representative, and the
// steps still to take from it; the path of steps from the initial state is
// the schedule of the top frame, so a violation's trace is the path and
// replays as it is. With Options.Symmetry the store holds the canonical
// key (worker.key) of each state, as in BFS.
//
// With Options.POR a frame's steps are a persistent set of the state's
// enabled steps (e.reduce). Stateful search with persistent sets needs a
// cycle proviso only where an ample successor can close a cycle through
// the stack; the model's state graph is acyclic (every event has a
// budget, and model tests check it), so no successor is ever on the stack
// and no proviso is needed. The persistent set depends on the state alone,
// so without symmetry DFS and BFS explore the same reduced graph and find
// the same states.
//
// Options.MaxDepth bounds the stack: a frame at that depth is not
// expanded, and the search then ends with Stopped "max-depth".
func (e *explorer) dfs() {
	m := e.m
	w := e.newWorker() // its key gives the store's bytes for a state
	type frame struct {
		state model.State
		steps []model.Step
		next  int
		in    int // steps of path that lead from the frame below to this one (more than one after a chain)
	}
	var stack []frame
	var path []model.Step
	var ample []model.Step
	trace := func(tail []model.Step) []model.Step {
		return append(append([]model.Step(nil), path...), tail...)
	}
	// room makes room in the store for one more state; false: the memory
	// cap forbids it. DFS is single-threaded, so it may grow the store
	// whenever it is full.
	room := func() bool {
		for e.store.full(1) {
			if !e.store.grow(e.storeLimit()) {
				e.memHigh.Store(true)
				e.res.Stopped = "memory"
				return false
			}
		}
		return true
	}
	add := func(f fp, key []byte) bool {
		if e.store.add(f, key) {
			e.store.count(1)
			e.res.Stats.States++
			return true
		}
		return false
	}
	// push puts s on the stack with the steps to take from it (reusing a
	// popped frame's buffers; cpus: chainStep's set for s, or 0) and
	// judges it if it is terminal; it returns true if the search must
	// stop.
	push := func(s *model.State, in int, cpus model.CPUSet) bool {
		if len(stack) < cap(stack) {
			stack = stack[:len(stack)+1]
		} else {
			stack = append(stack, frame{})
		}
		f := &stack[len(stack)-1]
		model.CopyState(&f.state, s, m.Sc)
		e.buf = m.Enabled(s, e.buf)
		ample = e.stepsTo(s, e.buf, cpus, ample)
		f.steps, f.next, f.in = append(f.steps[:0], ample...), 0, in
		e.res.Stats.MaxDepth = max(e.res.Stats.MaxDepth, len(path))
		if len(e.buf) == 0 {
			if vs := e.verdicts(nil, s, e.judges.terminal); len(vs) > 0 {
				return e.reportAll(vs, func() []model.Step { return trace(nil) })
			}
		}
		return false
	}
	// limits records, after the first step out of a stack state and then
	// every 1024th (stop's cadence), the counters the watch goroutine reports as Progress,
	// and checks the memory cap here too (a search shorter than the
	// watcher's tick still stops at the cap); it returns true if the
	// search must stop.
	calls := 0
	limits := func() bool {
		if calls++; calls&1023 == 1 {
			e.base.Store(e.res.Stats.States)
			e.depth.Store(int64(len(path)))
			if e.opt.Memory > 0 && processBytes() > e.opt.Memory-e.opt.Memory/8 {
				e.memHigh.Store(true)
			}
		}
		if e.memHigh.Load() {
			e.res.Stopped = "memory"
			return true
		}
		return e.stop()
	}

	init := m.Init()
	if !room() {
		return
	}
	add(w.ident(&init))
	e.base.Store(1) // for Progress
	if e.reportAll(e.verdicts(nil, &init, e.judges.state), func() []model.Step { return nil }) {
		return
	}
	if push(&init, 0, 0) {
		return
	}
	truncated := false
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next >= len(top.steps) || (e.opt.MaxDepth > 0 && len(path) >= e.opt.MaxDepth) {
			if top.next < len(top.steps) {
				truncated = true
			}
			path = path[:len(path)-top.in]
			stack = stack[:len(stack)-1]
			continue
		}
		if !room() {
			return
		}
		st := top.steps[top.next]
		top.next++
		model.CopyState(&w.succ, &top.state, m.Sc)
		w.reached.Add(m.StepPC(&top.state, st))
		w.eff = m.Apply(&w.succ, st)
		w.tail = append(w.tail[:0], st)
		w.transitions = 1
		// With chain compression, follow takes the chain from here (bfs.go).
		f, key := w.ident(&w.succ)
		prev, f, key := w.follow(&top.state, &w.succ, &w.eff, f, w.own, key)
		e.res.Stats.Transitions += w.transitions
		e.res.Stats.Reached.Union(&w.reached)
		for _, v := range w.inChain {
			// A chain may violate one property at several of its states.
			if !e.seen[v.prop] && e.report(v.prop, v.msg, trace(v.tail)) {
				return
			}
		}
		isNew := add(f, key)
		last := w.tail[len(w.tail)-1]
		if vs := e.stepVerdicts(nil, prev, last, &w.eff, &w.succ, isNew); len(vs) > 0 &&
			e.reportAll(vs, func() []model.Step { return trace(w.tail) }) {
			return
		}
		if isNew {
			path = append(path, w.tail...)
		}
		if limits() || (isNew && push(&w.succ, len(w.tail), w.succCPUs)) {
			return
		}
	}
	if truncated {
		e.res.Stopped = "max-depth"
		return
	}
	e.res.Complete = true
}
