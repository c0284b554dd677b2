package explore

import (
	"math"
	"math/rand/v2"

	"github.com/rqcheck/rqcheck/model"
)

// pct runs PCT schedules (Burckhardt, Kothari, Musuvathi, Nagarakatte,
// "A randomized scheduler with probabilistic guarantees of finding bugs",
// ASPLOS 2010), the CPUs being the threads.
//
// Run r draws from its own generator, seeded by (Options.Seed, r), so a
// search is deterministic for a seed. Each run, with n CPUs and depth d
// (Options.PCTDepth, 0: 3):
//   - the CPUs get the priorities d..d+n-1 in a random order;
//   - change points k_1..k_{d-1} are drawn uniformly from the steps 1..k,
//     k being the longest run seen so far (before any run has ended: the
//     MaxDepth bound, or 200);
//   - every step is one of the enabled steps of the highest-priority CPU
//     that has one, chosen uniformly among that CPU's steps (run, tick,
//     syscall, IPI);
//   - after the k_i-th step the CPU that took it drops to priority i, below
//     every initial priority.
//
// A run ends when no step is enabled, at a violation, or at the depth bound
// (MaxDepth, 0: 10000). It runs Options.Walks runs (0: 1000, or until the
// time limit if one is set). Properties are judged as random walks judge
// them; States counts the distinct states seen over all runs and
// Stats.MaxDepth is the longest run, the k the last run used.
func (e *explorer) pct() {
	m := e.m
	n := m.NumCPUs()
	d := e.opt.PCTDepth
	if d <= 0 {
		d = 3
	}
	runs := e.opt.Walks
	if runs == 0 && e.opt.TimeLimit == 0 {
		runs = 1000
	}
	e.res.Workers = 1
	e.totalRuns.Store(int64(runs))
	bound := e.opt.MaxDepth
	if bound <= 0 {
		bound = 10000
	}
	k := e.opt.MaxDepth
	if k <= 0 {
		k = 200
	}
	w := e.newWalk()
	init := w.init
	if w.judged(e.verdicts(nil, &init, e.judges.state)) {
		return
	}
	pri := make([]int, n)
	points := make([]int, d-1) // points[i-1] = k_i
	var cur, next model.State
	e.res.PCTDepth = d
	for run := 0; runs == 0 || run < runs; run++ {
		e.res.Runs = run + 1
		rng := rand.New(rand.NewPCG(e.opt.Seed, pctStream(run)))
		for c, p := range rng.Perm(n) {
			pri[c] = d + p
		}
		for i := range points {
			points[i] = 1 + rng.IntN(k)
		}
		cur = init
		w.path = w.path[:0]
		for len(w.path) < bound {
			e.buf = m.Enabled(&cur, e.buf)
			if len(e.buf) == 0 {
				if w.judged(e.verdicts(nil, &cur, e.judges.terminal)) {
					return
				}
				break
			}
			st := pctPick(e.buf, pri, rng)
			model.CopyState(&next, &cur, m.Sc)
			eff := m.Apply(&next, st)
			e.res.Stats.Transitions++
			e.res.Stats.Reached.Add(m.StepPC(&cur, st))
			w.path = append(w.path, st)
			e.res.Stats.MaxDepth = max(e.res.Stats.MaxDepth, len(w.path))
			for i, p := range points {
				if p == len(w.path) {
					pri[st.CPU] = i + 1
				}
			}
			isNew := w.visit(&next)
			if w.judged(e.stepVerdicts(nil, &cur, st, &eff, &next, isNew)) || e.stop() {
				return
			}
			model.CopyState(&cur, &next, m.Sc)
		}
		if e.res.Stats.MaxDepth > 0 {
			k = e.res.Stats.MaxDepth
		}
		e.runs.Add(1)
	}
	e.res.Stopped = "walks"
}

// pctStream is the PCG stream of PCT run r: distinct runs get distinct
// streams.
func pctStream(r int) uint64 { return 0x5851f42d4c957f2d ^ uint64(r)*0x9e3779b97f4a7c15 }

// pctPick returns a step of the highest-priority CPU among enabled (which
// must not be empty), chosen uniformly among that CPU's steps.
func pctPick(enabled []model.Step, pri []int, rng *rand.Rand) model.Step {
	best, count := -1, 0
	for _, st := range enabled {
		switch c := int(st.CPU); {
		case best < 0 || pri[c] > pri[best]:
			best, count = c, 1
		case c == best:
			count++
		}
	}
	i := rng.IntN(count)
	for _, st := range enabled {
		if int(st.CPU) == best {
			if i == 0 {
				return st
			}
			i--
		}
	}
	panic("unreachable")
}

// PCTGuarantee is the probability that runs independent PCT runs find a
// given bug of depth depth (the number of ordering constraints that expose
// it) in a model of cpus CPUs whose runs take at most steps steps. One run
// finds it with probability at least p = 1/(n·k^(d-1)) (Burckhardt et al.,
// Theorem 1, n = cpus, k = steps, d = depth), so runs runs find it with
// probability at least 1-(1-p)^runs. It is 0 if an argument is below 1.
// Use Stats.MaxDepth of a PCT search for steps; the bound holds when every
// run is at most that long.
func PCTGuarantee(cpus, steps, depth, runs int) float64 {
	if cpus < 1 || steps < 1 || depth < 1 || runs < 1 {
		return 0
	}
	p := 1 / (float64(cpus) * math.Pow(float64(steps), float64(depth-1)))
	if p >= 1 {
		return 1
	}
	return -math.Expm1(float64(runs) * math.Log1p(-p))
}
