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
	rng := rand.New(rand.NewPCG(e.opt.Seed, 0x9e3779b97f4a7c15))
	depth := e.opt.MaxDepth
	if depth <= 0 {
		depth = 10000
	}
	visited := newFPSet()
	enc := make([]byte, 0, model.EncodedSize(m.Sc))
	var path []model.Step
	trace := func() []model.Step { return append([]model.Step(nil), path...) }
	judged := func(prop int, msg string) bool { return prop >= 0 && e.report(prop, msg, trace()) }
	init := m.Init()
	visited.add(fingerprint(model.Encode(enc[:0], &init, m.Sc)))
	e.res.Stats.States = 1
	if judged(e.judgeState(&init)) {
		return
	}
	var cur, next model.State
	for walk := 0; e.opt.Walks == 0 || walk < e.opt.Walks; walk++ {
		cur = init
		path = path[:0]
		for len(path) < depth {
			e.buf = m.Enabled(&cur, e.buf)
			if len(e.buf) == 0 {
				if judged(e.judgeTerminal(&cur)) {
					return
				}
				break
			}
			st := e.buf[rng.IntN(len(e.buf))]
			model.CopyState(&next, &cur, m.Sc)
			eff := m.Apply(&next, st)
			e.res.Stats.Transitions++
			path = append(path, st)
			e.res.Stats.MaxDepth = max(e.res.Stats.MaxDepth, len(path))
			isNew := visited.add(fingerprint(model.Encode(enc[:0], &next, m.Sc)))
			if isNew {
				e.res.Stats.States++
			}
			if judged(e.judgeStep(&cur, st, &eff, &next, isNew)) || e.stop() {
				return
			}
			model.CopyState(&cur, &next, m.Sc)
		}
	}
	e.res.Stopped = "walks"
}
