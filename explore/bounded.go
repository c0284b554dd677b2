package explore

import (
	"slices"

	"github.com/rqcheck/rqcheck/model"
)

// bounded is preemption-bounded search (Musuvathi and Qadeer, "Iterative
// context bounding for systematic testing of multithreaded programs",
// PLDI 2007).
//
// A preemption is a step on another CPU than the step before while that
// step's CPU still has an enabled step; switching away from a CPU that
// cannot go on is free, and so is the first step. The bound B is
// Options.Preemptions (0: 2; negative: 0).
//
// The search is depth first over nodes (state, last CPU, preemptions used),
// the last CPU recorded as none when it has no enabled step (the next step
// is free whatever it is). Bound b = 0, 1, ..., B is one pass: a step that
// would use b+1 preemptions is deferred to the next pass, which starts from
// the deferred steps in the order they were deferred. Invariants:
//   - a node is expanded at most once: expanding (s, c, p) marks (s, c, q)
//     visited for every q in p..B, so a node reached with as many or more
//     preemptions than an expanded one is not explored again;
//   - when pass b ends, every node reachable with at most b preemptions
//     (within MaxDepth) has been expanded, so the first violation reported
//     is one of the smallest bound, and its trace has at most b preemptions.
//
// States counts distinct states (without the last CPU and the preemptions);
// each state is judged once, each transition taken is judged. Complete is
// set only if no pass deferred a step past B and MaxDepth cut nothing;
// otherwise Stopped is "preemption-bound" (or "max-depth"), so a pass
// without violation is never taken for an exhaustive search.
//
// Memory: the visited sets hold one fingerprint per state and one per
// node, the node keyed by its state's fingerprint, its last CPU and its
// preemptions (a node (s, c, p) is visited if (s, c, q) was stored for
// some q <= p, so an expansion stores one entry, not one per bound above
// p); the stack holds one frame per step of the current schedule; and each
// deferred step holds its schedule as an index into paths, a tree of steps
// that deferred steps share, to which a frame adds its step only when a
// step is deferred below it. Deferred steps are most of a search's memory
// (on 4 CPUs / 5 tasks about as many as its transitions): each kept its
// own copy of its whole schedule before, about 180 bytes against 16 to 32
// now. All of it grows with the search, within Options.Memory: the search
// stops at the cap with Stopped "memory".
func (e *explorer) bounded() {
	m := e.m
	bound := e.opt.Preemptions
	if bound == 0 {
		bound = 2
	} else if bound < 0 {
		bound = 0
	}
	e.res.Workers = 1
	e.totalRuns.Store(int64(bound + 1))
	states := e.newFPSet() // state fingerprints
	nodes := e.newFPSet()  // nodeKey(state, last CPU, preemptions)
	enc := make([]byte, 0, model.EncodedSize(m.Sc))
	// paths is a tree of schedules: paths[i] is the schedule paths[i].up
	// followed by one step; -1 is the empty schedule.
	type pathStep struct {
		up   int
		step model.Step
	}
	var paths []pathStep
	const unknown = -2
	type frame struct {
		state model.State
		depth int // path[:depth] reaches state
		last  int // CPU of the step before, -1 if it has no enabled step
		pre   int // preemptions used
		steps []model.Step
		next  int
		node  int // path[:depth] in paths, or unknown until a step is deferred
	}
	// A deferred step is taken from the state that the schedule node (in
	// paths) reaches, where pre preemptions were used; taking it uses one
	// more.
	type deferred struct {
		node int
		step model.Step
		pre  int32
	}
	var (
		stack     []frame
		path      []model.Step
		later     []deferred
		truncated bool
		next      model.State
		// rootNode is the schedule, in paths, before the bottom frame's
		// last step: the deferred step the pass took to push it.
		rootNode   = -1
		trace      = func() []model.Step { return append([]model.Step(nil), path...) }
		judged     = func(vs []verdict) bool { return len(vs) > 0 && e.reportAll(vs, trace) }
		hasStepsOf = func(steps []model.Step, cpu int) bool {
			for _, st := range steps {
				if int(st.CPU) == cpu {
					return true
				}
			}
			return false
		}
	)
	// nodeOf is the schedule of stack[k] in paths, adding it and those of
	// the frames below it as needed: frame k+1 is reached from frame k by
	// the step path[stack[k].depth].
	nodeOf := func(k int) int {
		j := k
		for j >= 0 && stack[j].node == unknown {
			j--
		}
		up := rootNode
		if j >= 0 {
			up = stack[j].node
		}
		for j++; j <= k; j++ {
			paths = append(paths, pathStep{up, path[stack[j].depth-1]})
			up = len(paths) - 1
			stack[j].node = up
		}
		return stack[k].node
	}
	// push records the node of s, whose fingerprint is f, reached by
	// path[:depth] after a step on CPU last with pre preemptions, and
	// stacks it if it is new.
	push := func(s *model.State, f fp, depth, last, pre int, isNew bool) bool {
		e.buf = m.Enabled(s, e.buf)
		if isNew && len(e.buf) == 0 && judged(e.verdicts(nil, s, e.judges.terminal)) {
			return true
		}
		if !hasStepsOf(e.buf, last) {
			last = -1
		}
		for q := range pre {
			if nodes.has(nodeKey(f, last, q)) {
				return false
			}
		}
		if !nodes.add(nodeKey(f, last, pre)) {
			return false
		}
		if len(e.buf) > 0 {
			node := unknown
			if depth == 0 {
				node = -1
			}
			stack = append(stack, frame{state: *s, depth: depth, last: last, pre: pre,
				steps: append([]model.Step(nil), e.buf...), node: node})
		}
		return false
	}
	// take applies st to pre, reached by path[:depth], and pushes the node
	// it reaches; it reports whether the search must stop.
	take := func(pre *model.State, depth, preempts int, st model.Step) bool {
		model.CopyState(&next, pre, m.Sc)
		eff := m.Apply(&next, st)
		e.res.Stats.Transitions++
		e.res.Stats.Reached.Add(m.StepPC(pre, st))
		path = append(path[:depth], st)
		e.res.Stats.MaxDepth = max(e.res.Stats.MaxDepth, len(path))
		f := fingerprint(model.Encode(enc[:0], &next, m.Sc))
		isNew := states.add(f)
		if isNew {
			e.res.Stats.States++
		}
		return judged(e.stepVerdicts(nil, pre, st, &eff, &next, isNew)) ||
			push(&next, f, depth+1, int(st.CPU), preempts, isNew) || e.stop()
	}
	// dfs expands the stack with bound b, deferring steps that exceed it.
	dfs := func(b int) bool {
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			if top.next >= len(top.steps) || (e.opt.MaxDepth > 0 && top.depth >= e.opt.MaxDepth) {
				truncated = truncated || top.next < len(top.steps)
				stack = stack[:len(stack)-1]
				continue
			}
			st := top.steps[top.next]
			top.next++
			cost := top.pre
			if top.last >= 0 && int(st.CPU) != top.last {
				cost++
			}
			if cost > b {
				later = append(later, deferred{nodeOf(len(stack) - 1), st, int32(top.pre)})
				continue
			}
			if take(&top.state, top.depth, cost, st) {
				return true
			}
		}
		return false
	}

	init := m.Init()
	f0 := fingerprint(model.Encode(enc[:0], &init, m.Sc))
	states.add(f0)
	e.res.Stats.States = 1
	if judged(e.verdicts(nil, &init, e.judges.state)) || push(&init, f0, 0, -1, 0, true) || dfs(0) {
		return
	}
	e.runs.Add(1)
	var cur model.State
	for b := 1; b <= bound && len(later) > 0; b++ {
		roots := later
		later = nil
		for _, d := range roots {
			path = path[:0]
			for n := d.node; n >= 0; n = paths[n].up {
				path = append(path, paths[n].step)
			}
			slices.Reverse(path)
			cur = init
			for _, st := range path {
				model.CopyState(&next, &cur, m.Sc)
				m.Apply(&next, st)
				model.CopyState(&cur, &next, m.Sc)
			}
			rootNode = d.node
			if take(&cur, len(path), int(d.pre)+1, d.step) || dfs(b) {
				return
			}
		}
		e.runs.Add(1)
	}
	switch {
	case len(later) > 0:
		e.res.Stopped = "preemption-bound"
	case truncated:
		e.res.Stopped = "max-depth"
	default:
		e.res.Complete = true
	}
}

// nodeKey is the key of bounded search's node (state, last CPU,
// preemptions) for the state whose fingerprint is f: f with its first word
// mixed with the other two, so that the node needs no second hash of the
// state's encoding.
func nodeKey(f fp, last, pre int) fp {
	return fp{f[0] ^ splitmix64(uint64(last+1)<<32|uint64(pre)), f[1]}
}
