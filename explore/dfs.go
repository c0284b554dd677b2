package explore

import "github.com/rqcheck/rqcheck/model"

// dfs is depth-first search with a visited set and an explicit stack.
func (e *explorer) dfs() {
	m := e.m
	size := model.EncodedSize(m.Sc)
	visited := newFPSet()
	type frame struct {
		state model.State
		steps []model.Step
		next  int
	}
	var stack []frame
	var path []model.Step
	trace := func(last *model.Step) []model.Step {
		t := append([]model.Step(nil), path...)
		if last != nil {
			t = append(t, *last)
		}
		return t
	}
	enc := make([]byte, 0, size)
	push := func(s *model.State) bool {
		steps := append([]model.Step(nil), m.Enabled(s, e.buf)...)
		stack = append(stack, frame{state: *s, steps: steps})
		e.res.Stats.MaxDepth = max(e.res.Stats.MaxDepth, len(path))
		if len(steps) == 0 {
			if prop, msg := e.judgeTerminal(s); prop >= 0 {
				return e.report(prop, msg, trace(nil))
			}
		}
		return false
	}
	init := m.Init()
	visited.add(fingerprint(model.Encode(enc[:0], &init, m.Sc)))
	e.res.Stats.States = 1
	if prop, msg := e.judgeState(&init); prop >= 0 && e.report(prop, msg, nil) {
		return
	}
	if push(&init) {
		return
	}
	var next model.State
	truncated := false
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next >= len(top.steps) || (e.opt.MaxDepth > 0 && len(path) >= e.opt.MaxDepth) {
			if top.next < len(top.steps) {
				truncated = true
			}
			stack = stack[:len(stack)-1]
			if len(path) > 0 {
				path = path[:len(path)-1]
			}
			continue
		}
		st := top.steps[top.next]
		top.next++
		model.CopyState(&next, &top.state, m.Sc)
		eff := m.Apply(&next, st)
		e.res.Stats.Transitions++
		enc = model.Encode(enc[:0], &next, m.Sc)
		isNew := visited.add(fingerprint(enc))
		if isNew {
			e.res.Stats.States++
			path = append(path, st)
		}
		if prop, msg := e.judgeStep(&top.state, st, &eff, &next, isNew); prop >= 0 {
			var tr []model.Step
			if isNew {
				tr = trace(nil)
			} else {
				tr = trace(&st)
			}
			if e.report(prop, msg, tr) {
				return
			}
		}
		if e.stop() || (isNew && push(&next)) {
			return
		}
	}
	if truncated {
		e.res.Stopped = "max-depth"
		return
	}
	e.res.Complete = true
}
