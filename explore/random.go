package explore

import (
	"math/rand/v2"

	"github.com/rqcheck/rqcheck/model"
)

// random runs seeded random walks. Each walk starts at the initial state
// and picks uniformly among the enabled steps until none is enabled or the
// depth bound is reached. States counts the distinct states seen.
func (e *explorer) random() {
	m := e.m
	e.res.Workers = 1
	e.totalRuns.Store(int64(e.opt.Walks))
	rng := rand.New(rand.NewPCG(e.opt.Seed, 0x9e3779b97f4a7c15))
	depth := e.opt.MaxDepth
	if depth <= 0 {
		depth = 10000
	}
	w := e.newWalk()
	init := w.init
	if w.judged(e.verdicts(nil, &init, e.judges.state)) {
		return
	}
	var cur, next model.State
	for walk := 0; e.opt.Walks == 0 || walk < e.opt.Walks; walk++ {
		cur = init
		w.path = w.path[:0]
		for len(w.path) < depth {
			e.buf = m.Enabled(&cur, e.buf)
			if len(e.buf) == 0 {
				if w.judged(e.verdicts(nil, &cur, e.judges.terminal)) {
					return
				}
				break
			}
			st := e.buf[rng.IntN(len(e.buf))]
			model.CopyState(&next, &cur, m.Sc)
			eff := m.Apply(&next, st)
			e.res.Stats.Transitions++
			e.res.Stats.Reached.Add(m.StepPC(&cur, st))
			w.path = append(w.path, st)
			e.res.Stats.MaxDepth = max(e.res.Stats.MaxDepth, len(w.path))
			isNew := w.visit(&next)
			if w.judged(e.stepVerdicts(nil, &cur, st, &eff, &next, isNew)) || e.stop() {
				return
			}
			model.CopyState(&cur, &next, m.Sc)
		}
		e.runs.Add(1)
	}
	e.res.Stopped = "walks"
}

// walk is what random walks and PCT runs share: the visited set that
// counts distinct states (kept within the memory cap: explorer.room),
// the current run's path, and the initial state.
type walk struct {
	e       *explorer
	visited *fpSet
	enc     []byte
	path    []model.Step
	init    model.State
}

// newWalk builds the shared part of a walk strategy and counts the
// initial state.
func (e *explorer) newWalk() *walk {
	w := &walk{e: e, visited: e.newFPSet(), enc: make([]byte, 0, model.EncodedSize(e.m.Sc)), init: e.m.Init()}
	w.visit(&w.init)
	return w
}

// visit records s and reports whether it is new; States counts it.
func (w *walk) visit(s *model.State) bool {
	w.enc = model.Encode(w.enc[:0], s, w.e.m.Sc)
	if !w.visited.add(fingerprint(w.enc)) {
		return false
	}
	w.e.res.Stats.States++
	return true
}

// judged reports the failing properties vs with the current path as their
// schedule; it returns true if the search must stop.
func (w *walk) judged(vs []verdict) bool {
	return len(vs) > 0 && w.e.reportAll(vs, func() []model.Step { return append([]model.Step(nil), w.path...) })
}
