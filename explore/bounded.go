package explore

import "github.com/rqcheck/rqcheck/model"

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
func (e *explorer) bounded() {
	m := e.m
	bound := e.opt.Preemptions
	if bound == 0 {
		bound = 2
	} else if bound < 0 {
		bound = 0
	}
	size := model.EncodedSize(m.Sc)
	states := newFPSet() // encoded states
	nodes := newFPSet()  // (encoded state, last CPU+1, preemptions)
	enc := make([]byte, 0, size+2)
	type frame struct {
		state model.State
		depth int // path[:depth] reaches state
		last  int // CPU of the step before, -1 if it has no enabled step
		pre   int // preemptions used
		steps []model.Step
		next  int
	}
	// A deferred step is taken from the state path reaches, where pre
	// preemptions were used; taking it uses one more.
	type deferred struct {
		path []model.Step
		step model.Step
		pre  int
	}
	var (
		stack      []frame
		path       []model.Step
		later      []deferred
		truncated  bool
		next       model.State
		trace      = func() []model.Step { return append([]model.Step(nil), path...) }
		judged     = func(prop int, msg string) bool { return prop >= 0 && e.report(prop, msg, trace()) }
		hasStepsOf = func(steps []model.Step, cpu int) bool {
			for _, st := range steps {
				if int(st.CPU) == cpu {
					return true
				}
			}
			return false
		}
	)
	// push records the node of s, reached by path[:depth] after a step on
	// CPU last with pre preemptions, and stacks it if it is new.
	push := func(s *model.State, depth, last, pre int, isNew bool) bool {
		e.buf = m.Enabled(s, e.buf)
		steps := append([]model.Step(nil), e.buf...)
		if isNew && len(steps) == 0 && judged(e.judgeTerminal(s)) {
			return true
		}
		if !hasStepsOf(steps, last) {
			last = -1
		}
		enc = model.Encode(enc[:0], s, m.Sc)
		if !nodes.add(fingerprint(append(enc, byte(last+1), byte(pre)))) {
			return false
		}
		for q := pre + 1; q <= bound; q++ {
			nodes.add(fingerprint(append(enc[:size], byte(last+1), byte(q))))
		}
		if len(steps) > 0 {
			stack = append(stack, frame{state: *s, depth: depth, last: last, pre: pre, steps: steps})
		}
		return false
	}
	// take applies st to pre, reached by path[:depth], and pushes the node
	// it reaches; it reports whether the search must stop.
	take := func(pre *model.State, depth, preempts int, st model.Step) bool {
		model.CopyState(&next, pre, m.Sc)
		eff := m.Apply(&next, st)
		e.res.Stats.Transitions++
		path = append(path[:depth], st)
		e.res.Stats.MaxDepth = max(e.res.Stats.MaxDepth, len(path))
		isNew := states.add(fingerprint(model.Encode(enc[:0], &next, m.Sc)))
		if isNew {
			e.res.Stats.States++
		}
		return judged(e.judgeStep(pre, st, &eff, &next, isNew)) ||
			push(&next, depth+1, int(st.CPU), preempts, isNew) || e.stop()
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
				later = append(later, deferred{append([]model.Step(nil), path[:top.depth]...), st, top.pre})
				continue
			}
			if take(&top.state, top.depth, cost, st) {
				return true
			}
		}
		return false
	}

	init := m.Init()
	states.add(fingerprint(model.Encode(enc[:0], &init, m.Sc)))
	e.res.Stats.States = 1
	if judged(e.judgeState(&init)) || push(&init, 0, -1, 0, true) || dfs(0) {
		return
	}
	var cur model.State
	for b := 1; b <= bound && len(later) > 0; b++ {
		roots := later
		later = nil
		for _, d := range roots {
			cur = init
			for _, st := range d.path {
				model.CopyState(&next, &cur, m.Sc)
				m.Apply(&next, st)
				model.CopyState(&cur, &next, m.Sc)
			}
			path = append(path[:0], d.path...)
			if take(&cur, len(d.path), d.pre+1, d.step) || dfs(b) {
				return
			}
		}
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
