package explore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
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
	e := &explorer{m: m, opt: opt, ctx: ctx, start: time.Now(), seen: make([]bool, len(opt.Props))}
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
	seen  []bool // seen[i]: opt.Props[i] already reported
	nseen int
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
func (e *explorer) report(prop int, msg string, trace []model.Step) bool {
	e.seen[prop] = true
	e.nseen++
	e.res.Violations = append(e.res.Violations, Violation{Property: e.opt.Props[prop].Name, Message: msg, Trace: trace})
	if !e.opt.All || e.nseen == len(e.opt.Props) {
		e.res.Stopped = "violation"
		return true
	}
	return false
}

// judgeStep judges a transition and, if next is new, the state next. It
// returns the index of the first failing property not yet reported, or -1.
func (e *explorer) judgeStep(prev *model.State, st model.Step, eff *model.Effects, next *model.State, isNew bool) (int, string) {
	for i, p := range e.opt.Props {
		if p.Step != nil && !e.seen[i] {
			if msg := p.Step(e.m, prev, st, eff, next); msg != "" {
				return i, msg
			}
		}
	}
	if isNew {
		return e.judgeState(next)
	}
	return -1, ""
}

func (e *explorer) judgeState(s *model.State) (int, string) {
	return e.judge(s, func(p *properties.Property) func(*model.Model, *model.State) string { return p.State })
}

func (e *explorer) judgeTerminal(s *model.State) (int, string) {
	return e.judge(s, func(p *properties.Property) func(*model.Model, *model.State) string { return p.Terminal })
}

// judge runs one kind of state judge (chosen by which) of every property not
// yet reported, and returns the first that fails, or -1.
func (e *explorer) judge(s *model.State, which func(*properties.Property) func(*model.Model, *model.State) string) (int, string) {
	for i, p := range e.opt.Props {
		if f := which(p); f != nil && !e.seen[i] {
			if msg := f(e.m, s); msg != "" {
				return i, msg
			}
		}
	}
	return -1, ""
}

// bfs is breadth-first search over encoded states, one level at a time.
// Every visited state keeps its parent and the step that reached it, so a
// schedule is rebuilt by walking back to the root.
func (e *explorer) bfs() {
	m := e.m
	size := model.EncodedSize(m.Sc)
	visited := newFPSet()
	// nodes[id] is the parent of state id and the step that reached it.
	type node struct {
		parent uint32
		via    model.Step
	}
	nodes := []node{{}}
	traceTo := func(id uint32, last *model.Step) []model.Step {
		var rev []model.Step
		if last != nil {
			rev = append(rev, *last)
		}
		for ; id != 0; id = nodes[id].parent {
			rev = append(rev, nodes[id].via)
		}
		slices.Reverse(rev)
		return rev
	}

	init := m.Init()
	enc := model.Encode(make([]byte, 0, size), &init, m.Sc)
	visited.add(fingerprint(enc))
	e.res.Stats.States = 1
	if prop, msg := e.judgeState(&init); prop >= 0 && e.report(prop, msg, nil) {
		return
	}
	level := append([]byte(nil), enc...)
	levelBase := uint32(0)
	depth := 0
	var cur, next model.State
	var eff model.Effects
	var nextLevel []byte
	// A violation on a step out of level d has d+1 steps, while a terminal
	// state later in level d has d: such violations wait in pending until
	// the level is done, so the first violation reported is a shortest.
	type found struct {
		prop  int
		msg   string
		trace []model.Step
	}
	var pending []found
	pend := make([]bool, len(e.opt.Props))
	flush := func() bool {
		for _, f := range pending {
			if !e.seen[f.prop] && e.report(f.prop, f.msg, f.trace) {
				return true
			}
		}
		pending = pending[:0]
		return false
	}
	for len(level) > 0 {
		nextLevel = nextLevel[:0]
		nextBase := uint32(len(nodes))
		for off := 0; off < len(level); off += size {
			id := levelBase + uint32(off/size)
			model.Decode(level[off:off+size], &cur, m.Sc)
			e.buf = m.Enabled(&cur, e.buf)
			if len(e.buf) == 0 {
				if prop, msg := e.judgeTerminal(&cur); prop >= 0 && e.report(prop, msg, traceTo(id, nil)) {
					return
				}
				continue
			}
			if len(pending) > 0 && !e.opt.All {
				continue // only terminal states of this level can still be shorter
			}
			for _, st := range e.buf {
				model.CopyState(&next, &cur, m.Sc)
				eff = m.Apply(&next, st)
				e.res.Stats.Transitions++
				enc = model.Encode(enc[:0], &next, m.Sc)
				isNew := visited.add(fingerprint(enc))
				newID := id
				if isNew {
					newID = uint32(len(nodes))
					nodes = append(nodes, node{id, st})
					nextLevel = append(nextLevel, enc...)
					e.res.Stats.States++
					e.res.Stats.MaxDepth = depth + 1
				}
				if prop, msg := e.judgeStep(&cur, st, &eff, &next, isNew); prop >= 0 && !pend[prop] {
					var tr []model.Step
					if isNew {
						tr = traceTo(newID, nil)
					} else {
						last := st
						tr = traceTo(id, &last)
					}
					pend[prop] = true
					pending = append(pending, found{prop, msg, tr})
				}
				if e.stop() {
					flush()
					return
				}
			}
		}
		if flush() {
			return
		}
		// The level just expanded is dead: reuse its buffer for the next.
		level, nextLevel, levelBase = nextLevel, level, nextBase
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
