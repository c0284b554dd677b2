package explore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// Strategy is a search order.
type Strategy string

const (
	// BFS explores level by level: the first violation found has a
	// shortest schedule among all violations of any selected property.
	BFS Strategy = "bfs"
	// DFS explores depth first with a visited set; it finds violations
	// with less memory but its schedules are not shortest.
	DFS Strategy = "dfs"
	// Random runs seeded random walks from the initial state.
	Random Strategy = "random"
)

// ParseStrategy checks a strategy name.
func ParseStrategy(s string) (Strategy, error) {
	switch Strategy(s) {
	case BFS, DFS, Random:
		return Strategy(s), nil
	}
	return "", fmt.Errorf("unknown strategy %q (known: bfs, dfs, random)", s)
}

// Options configure a search. The zero value (with Props set) is an
// exhaustive BFS without limits that stops at the first violation.
type Options struct {
	Strategy Strategy
	Props    []*properties.Property
	// MaxStates stops the search after this many distinct states (0: no limit).
	MaxStates int64
	// TimeLimit stops the search after this long (0: no limit).
	TimeLimit time.Duration
	// Seed drives the random strategy. Searches are deterministic for a seed.
	Seed uint64
	// MaxDepth bounds schedules: DFS does not go deeper, random walks stop
	// there (0: unbounded for DFS, 10000 for random walks).
	MaxDepth int
	// Walks is the number of random walks (0: until another limit).
	Walks int
	// All keeps searching after a violation, reporting the first violation
	// of each property.
	All bool
}

// Violation is a property that failed, with the schedule that shows it.
type Violation struct {
	Property string
	Message  string
	// Trace is the schedule from the initial state; its last step is the
	// one at which the property failed (for a state property: the step
	// that reached the state).
	Trace []model.Step
}

// Stats describe a search.
type Stats struct {
	States      int64 // distinct states reached
	Transitions int64 // steps applied
	MaxDepth    int   // longest schedule explored
	Elapsed     time.Duration
}

// StatesPerSecond is States/Elapsed.
func (s Stats) StatesPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.States) / s.Elapsed.Seconds()
}

// Result is the outcome of a search.
type Result struct {
	Violations []Violation
	Stats      Stats
	// Complete: every reachable state was explored (not for random walks,
	// nor when a limit or the first violation stopped the search).
	Complete bool
	// Stopped says why an incomplete search ended ("violation",
	// "max-states", "time-limit", "cancelled", "walks"), "" if complete.
	Stopped string
}

// Run searches m's state space. It is deterministic for a given model and
// options, except for where time limits cut it.
func Run(ctx context.Context, m *model.Model, opt Options) (*Result, error) {
	if len(opt.Props) == 0 {
		return nil, fmt.Errorf("explore: no properties selected")
	}
	if opt.Strategy == "" {
		opt.Strategy = BFS
	}
	if opt.Strategy == Random && opt.Walks == 0 && opt.TimeLimit == 0 {
		opt.Walks = 1000
	}
	if opt.TimeLimit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opt.TimeLimit)
		defer cancel()
	}
	e := &explorer{m: m, opt: opt, ctx: ctx, start: time.Now(), seen: map[string]bool{}}
	switch opt.Strategy {
	case BFS:
		e.bfs()
	case DFS:
		e.dfs()
	case Random:
		e.random()
	default:
		return nil, fmt.Errorf("explore: unknown strategy %q", opt.Strategy)
	}
	e.res.Stats.Elapsed = time.Since(e.start)
	return &e.res, nil
}

type explorer struct {
	m     *model.Model
	opt   Options
	ctx   context.Context
	start time.Time
	res   Result
	seen  map[string]bool // properties already reported
	buf   []model.Step
}

// stop reports whether a limit ends the search, and records why.
func (e *explorer) stop() bool {
	if e.res.Stopped != "" {
		return true
	}
	if e.opt.MaxStates > 0 && e.res.Stats.States >= e.opt.MaxStates {
		e.res.Stopped = "max-states"
		return true
	}
	if e.res.Stats.Transitions&1023 == 0 {
		if err := e.ctx.Err(); err != nil {
			if err == context.DeadlineExceeded {
				e.res.Stopped = "time-limit"
			} else {
				e.res.Stopped = "cancelled"
			}
			return true
		}
	}
	return false
}

// report records a violation; it returns true if the search must stop.
func (e *explorer) report(prop, msg string, trace func() []model.Step) bool {
	if e.seen[prop] {
		return false
	}
	e.seen[prop] = true
	e.res.Violations = append(e.res.Violations, Violation{Property: prop, Message: msg, Trace: trace()})
	if !e.opt.All || len(e.seen) == len(e.opt.Props) {
		e.res.Stopped = "violation"
		return true
	}
	return false
}

// checkStep judges a transition and, if next is new, the state next.
// It returns true if the search must stop.
func (e *explorer) checkStep(prev *model.State, st model.Step, eff *model.Effects, next *model.State, isNew bool, trace func() []model.Step) bool {
	for _, p := range e.opt.Props {
		if p.Step != nil && !e.seen[p.Name] {
			if msg := p.Step(e.m, prev, st, eff, next); msg != "" && e.report(p.Name, msg, trace) {
				return true
			}
		}
	}
	if isNew {
		return e.checkState(next, trace)
	}
	return false
}

func (e *explorer) checkState(s *model.State, trace func() []model.Step) bool {
	for _, p := range e.opt.Props {
		if p.State != nil && !e.seen[p.Name] {
			if msg := p.State(e.m, s); msg != "" && e.report(p.Name, msg, trace) {
				return true
			}
		}
	}
	return false
}

func (e *explorer) checkTerminal(s *model.State, trace func() []model.Step) bool {
	for _, p := range e.opt.Props {
		if p.Terminal != nil && !e.seen[p.Name] {
			if msg := p.Terminal(e.m, s); msg != "" && e.report(p.Name, msg, trace) {
				return true
			}
		}
	}
	return false
}

// bfs is breadth-first search over encoded states, one level at a time.
// Every visited state keeps its parent and the step that reached it, so a
// schedule is rebuilt by walking back to the root.
func (e *explorer) bfs() {
	m := e.m
	size := model.EncodedSize(m.Sc)
	visited := newFPSet()
	var parent []uint32
	var via []model.Step
	traceTo := func(id uint32, last *model.Step) func() []model.Step {
		return func() []model.Step {
			var rev []model.Step
			if last != nil {
				rev = append(rev, *last)
			}
			for id != 0 {
				rev = append(rev, via[id])
				id = parent[id]
			}
			for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
				rev[i], rev[j] = rev[j], rev[i]
			}
			return rev
		}
	}

	init := m.Init()
	enc := model.Encode(make([]byte, 0, size), &init, m.Sc)
	visited.add(fingerprint(enc))
	parent, via = append(parent, 0), append(via, model.Step{})
	e.res.Stats.States = 1
	if e.checkState(&init, traceTo(0, nil)) {
		return
	}
	level := enc
	levelBase := uint32(0)
	depth := 0
	var cur, next model.State
	for len(level) > 0 {
		var nextLevel []byte
		nextBase := uint32(len(parent))
		for off := 0; off < len(level); off += size {
			id := levelBase + uint32(off/size)
			model.Decode(level[off:off+size], &cur, m.Sc)
			e.buf = m.Enabled(&cur, e.buf)
			if len(e.buf) == 0 {
				if e.checkTerminal(&cur, traceTo(id, nil)) {
					return
				}
				continue
			}
			steps := append([]model.Step(nil), e.buf...)
			for _, st := range steps {
				next = cur
				eff := m.Apply(&next, st)
				e.res.Stats.Transitions++
				enc = model.Encode(enc[:0], &next, m.Sc)
				isNew := visited.add(fingerprint(enc))
				var newID uint32
				if isNew {
					newID = uint32(len(parent))
					parent, via = append(parent, id), append(via, st)
					nextLevel = append(nextLevel, enc...)
					e.res.Stats.States++
					e.res.Stats.MaxDepth = depth + 1
				}
				var tr func() []model.Step
				if isNew {
					tr = traceTo(newID, nil)
				} else {
					stc := st
					tr = traceTo(id, &stc)
				}
				if e.checkStep(&cur, st, &eff, &next, isNew, tr) || e.stop() {
					return
				}
			}
		}
		level, levelBase = nextLevel, nextBase
		depth++
	}
	e.res.Complete = true
}

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
	trace := func(last *model.Step) func() []model.Step {
		return func() []model.Step {
			t := append([]model.Step(nil), path...)
			if last != nil {
				t = append(t, *last)
			}
			return t
		}
	}
	enc := make([]byte, 0, size)
	push := func(s *model.State) bool {
		steps := append([]model.Step(nil), m.Enabled(s, e.buf)...)
		stack = append(stack, frame{state: *s, steps: steps})
		e.res.Stats.MaxDepth = max(e.res.Stats.MaxDepth, len(path))
		if len(steps) == 0 {
			return e.checkTerminal(s, trace(nil))
		}
		return false
	}
	init := m.Init()
	visited.add(fingerprint(model.Encode(enc[:0], &init, m.Sc)))
	e.res.Stats.States = 1
	if e.checkState(&init, trace(nil)) || push(&init) {
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
		next = top.state
		eff := m.Apply(&next, st)
		e.res.Stats.Transitions++
		enc = model.Encode(enc[:0], &next, m.Sc)
		isNew := visited.add(fingerprint(enc))
		stc := st
		if isNew {
			e.res.Stats.States++
			path = append(path, st)
			if e.checkStep(&top.state, st, &eff, &next, true, trace(nil)) || e.stop() || push(&next) {
				return
			}
			continue
		}
		if e.checkStep(&top.state, st, &eff, &next, false, trace(&stc)) || e.stop() {
			return
		}
	}
	if truncated {
		e.res.Stopped = "max-depth"
		return
	}
	e.res.Complete = true
}

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
	init := m.Init()
	visited.add(fingerprint(model.Encode(enc[:0], &init, m.Sc)))
	e.res.Stats.States = 1
	if e.checkState(&init, trace) {
		return
	}
	var cur, next model.State
	for walk := 0; e.opt.Walks == 0 || walk < e.opt.Walks; walk++ {
		cur = init
		path = path[:0]
		for len(path) < depth {
			e.buf = m.Enabled(&cur, e.buf)
			if len(e.buf) == 0 {
				if e.checkTerminal(&cur, trace) {
					return
				}
				break
			}
			st := e.buf[rng.IntN(len(e.buf))]
			next = cur
			eff := m.Apply(&next, st)
			e.res.Stats.Transitions++
			path = append(path, st)
			e.res.Stats.MaxDepth = max(e.res.Stats.MaxDepth, len(path))
			isNew := visited.add(fingerprint(model.Encode(enc[:0], &next, m.Sc)))
			if isNew {
				e.res.Stats.States++
			}
			if e.checkStep(&cur, st, &eff, &next, isNew, trace) || e.stop() {
				return
			}
			cur = next
		}
	}
	e.res.Stopped = "walks"
}
