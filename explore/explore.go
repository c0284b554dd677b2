package explore

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
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
	// DFS explores depth first with an explicit stack and BFS's visited
	// store and reductions; it holds only the store and the stack, so it
	// needs less memory, but its schedules are not shortest.
	DFS Strategy = "dfs"
	// Random runs seeded random walks from the initial state.
	Random Strategy = "random"
	// PCT runs randomised priority-based schedules with PCTDepth-1
	// priority change points (Burckhardt et al., ASPLOS 2010).
	PCT Strategy = "pct"
	// Bounded is preemption-bounded search: every schedule with at most
	// Preemptions preemptions, bounds raised one at a time (CHESS's
	// iterative context bounding).
	Bounded Strategy = "bounded"
	// Swarm runs many independent randomised searches (random walks and PCT
	// with diversified seeds and settings) on all workers; Shard splits
	// them across machines.
	Swarm Strategy = "swarm"
)

// Strategies lists the strategy names.
var Strategies = []Strategy{BFS, DFS, Random, PCT, Bounded, Swarm}

// ParseStrategy checks a strategy name.
func ParseStrategy(s string) (Strategy, error) {
	if slices.Contains(Strategies, Strategy(s)) {
		return Strategy(s), nil
	}
	return "", fmt.Errorf("unknown strategy %q (known: bfs, dfs, random, pct, bounded, swarm)", s)
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
	// of each property: every property that fails at a transition or
	// state is reported there, by every strategy (doc.go).
	All bool
	// PCTDepth is PCT's bug depth d: d-1 priority change points per run
	// (0: 3).
	PCTDepth int
	// Preemptions is the preemption bound of Bounded search (0: 2;
	// negative: 0).
	Preemptions int
	// Workers is the number of goroutines that search (BFS: 0 or 1 is
	// one; Swarm: 0 is runtime.GOMAXPROCS).
	Workers int
	// Shard restricts a swarm to its share of runs: shard Shard.I of
	// Shard.N (the zero value: the whole swarm).
	Shard Shard
	// Store is the visited set of BFS and DFS (default Fingerprint);
	// FPBits is 64 (default) or 128 for Fingerprint.
	Store  StoreKind
	FPBits int
	// Memory caps the bytes the process may hold while the search runs,
	// for every strategy (0: no cap). Near the cap (at 7/8 of it, or
	// where a store would grow past it) the search stops cleanly with
	// Stopped "memory" and its partial result; Bitstate sizes its bit
	// array to half of it. A cap above 7/8
	// of the memory the machine has available when the search starts
	// (on Linux: MemAvailable, and a memory cgroup's limit) is lowered to
	// that: Result.MemoryCap is the cap kept to.
	Memory int64
	// POR makes BFS and DFS expand a persistent set of each state's
	// enabled steps instead of all of them (partial-order reduction,
	// por.go).
	POR bool
	// Symmetry makes BFS and DFS store one state per orbit of
	// model.Symmetries (states equal up to renaming interchangeable tasks
	// or CPUs).
	Symmetry bool
	// Chains makes BFS and DFS follow the one step of a chain state (one
	// enabled step, or with POR a persistent set of one) at once: the
	// state is judged but not stored, so the store holds only branching
	// and terminal states (chain compression). Schedules are unchanged and
	// replay as they are; BFS's levels then count stored states, not
	// steps, so its first violation need not be the shortest.
	Chains bool
	// BitstateBytes sizes Bitstate's bit array (0: half of Memory, or
	// 256 MiB without a cap). The array is allocated in full at the start,
	// so it is never made larger than half of the memory the machine has
	// available; Result.StoreBytes is its size.
	BitstateBytes int64
	// Progress, if set, is called about twice a second from another
	// goroutine while the search runs, whatever its strategy, from the
	// time the search has counted its initial state: every report has
	// States > 0 (a search that ends sooner reports nothing).
	Progress func(Progress)
}

// Progress is a snapshot of a running search. Fields that do not apply to
// the strategy are 0.
type Progress struct {
	Strategy Strategy // the search running
	// States is the distinct states so far, counted as Stats.States
	// counts them (swarm: summed over its configurations, those it will
	// drop included). The walk strategies and DFS update it after their
	// first step and then every 1024 steps; BFS after the initial state
	// and then after every level.
	States int64
	// Transitions is the steps applied so far by random walks, PCT,
	// bounded and swarm (0 for BFS and DFS, which count them per level).
	Transitions int64
	Depth       int   // BFS level being expanded; DFS: the stack's depth
	Frontier    int64 // states of that level (BFS)
	Done        int64 // of which expanded (BFS)
	// Runs is the runs finished: random walks, PCT runs, swarm
	// configurations, bounded's passes (one per preemption bound, from
	// 0); TotalRuns is how many the search runs if nothing stops it
	// first (0: not known, as with a time limit and no Walks).
	Runs, TotalRuns int64
	Bytes           int64 // memory held by the process
	Elapsed         time.Duration
	// ETA is an estimate of the time left, 0 if there is none: the
	// smaller of the time left before Options.TimeLimit and, for random
	// walks, PCT and swarm, whose runs are alike, Elapsed·(TotalRuns-Runs)
	// /Runs. Bounded's passes are not alike (each can take longer than
	// all before it), nor are BFS's levels, so they get only the first.
	ETA time.Duration
}

// Shard is the i-th of n parts of a swarm (0 <= I < N).
type Shard struct{ I, N int }

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
	// Reached is the set of program counters the search took a step
	// from (model.Model.StepPC); the model's StepPCs less Reached is the
	// code it never ran. A complete BFS or DFS reaches the same set with
	// or without POR, symmetry and chains (doc.go).
	Reached model.PCSet
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
	// "max-states", "time-limit", "cancelled", "memory", "walks"), "" if
	// complete.
	Stopped string
	// Store and StoreBytes describe the visited set of BFS and DFS: its
	// kind and its size in bytes at the end. Workers is the goroutines
	// that searched: BFS's Options.Workers, swarm's workers, 1 for the
	// other strategies.
	Store      StoreKind
	StoreBytes int64
	Workers    int
	// MemoryCap is the memory cap the search kept to: Options.Memory,
	// lowered to 7/8 of the memory available at the start where that was
	// less (0: no cap).
	MemoryCap int64
	// Strategy is the search that ran; Runs counts PCT's runs and
	// PCTDepth is the depth d they used.
	Strategy       Strategy
	Runs, PCTDepth int
	// Reductions lists the state-space reductions the search used:
	// "por" (partial-order reduction), "symmetry".
	Reductions []string
	// Omission is the estimated probability that a fingerprint or bitstate
	// store made the search miss a reachable state (0 for exact stores);
	// Coverage is the expected fraction of reachable states explored (1
	// but for bitstate).
	Omission, Coverage float64
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
	if opt.Shard != (Shard{}) && (opt.Shard.N <= 0 || opt.Shard.I < 0 || opt.Shard.I >= opt.Shard.N) {
		return nil, fmt.Errorf("explore: shard %d/%d: want 0 <= i < n", opt.Shard.I, opt.Shard.N)
	}
	if opt.Strategy == Random && opt.Walks == 0 && opt.TimeLimit == 0 {
		opt.Walks = 1000
	}
	// Nothing may be allocated up front, or capped, beyond what the
	// machine can give: an allocation that fails kills the process.
	avail := availableMemory()
	opt.Memory = machineCap(opt.Memory, avail)
	if opt.Store == Bitstate {
		opt.BitstateBytes = bitstateSize(opt.Memory, opt.BitstateBytes, avail)
	}
	if opt.TimeLimit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, opt.TimeLimit)
		defer cancel()
	}
	e := newExplorer(m, opt, ctx)
	e.noAmpleCache = testNoAmpleCache
	e.noChainMemo = testNoChainMemo
	e.res.Strategy = opt.Strategy
	e.res.MemoryCap = opt.Memory
	var search func()
	switch opt.Strategy {
	case BFS, DFS:
		// The stateful searches: one store, one set of reductions; BFS on
		// Options.Workers goroutines, DFS on one.
		workers := 1
		search = e.dfs
		if opt.Strategy == BFS {
			search, workers = e.bfs, max(1, opt.Workers)
		}
		if err := e.setupStateful(workers); err != nil {
			return nil, err
		}
	case Random:
		search = e.random
	case PCT:
		search = e.pct
	case Bounded:
		search = e.bounded
	case Swarm:
		search = e.swarm
	default:
		return nil, fmt.Errorf("explore: unknown strategy %q", opt.Strategy)
	}
	stop := e.watch()
	search()
	stop()
	if opt.Strategy == BFS || opt.Strategy == DFS {
		e.finishStateful()
	}
	e.res.Stats.Elapsed = time.Since(e.start)
	return &e.res, nil
}

type explorer struct {
	m      *model.Model
	opt    Options
	ctx    context.Context
	start  time.Time
	res    Result
	seen   []bool // seen[i]: opt.Props[i] already reported
	nseen  int
	judges judges // of the properties not in seen
	buf    []model.Step

	// BFS and DFS (bfs.go, worker.go, dfs.go).
	store store
	keyed bool // the store compares keys, not only fingerprints (exact)
	// noAmpleCache: chainStep returns no CPU set, so every state's
	// persistent set is computed when it is expanded (tests compare).
	noAmpleCache bool
	noChainMemo  bool // no worker memoises chainStep (tests compare)
	workers      int
	nodes        nodeLog
	reduce       func(s *model.State, enabled, out []model.Step) []model.Step
	pause        atomic.Bool  // workers stop taking chunks
	memHigh      atomic.Bool  // the process holds more than opt.Memory
	done         atomic.Int64 // states of the current level expanded
	found        atomic.Int64 // new states found in the current level
	frontier     atomic.Int64 // states in the current level
	depth        atomic.Int64 // current level
	base         atomic.Int64 // states before the current level (for Progress)

	// The walk strategies (random, PCT, bounded, swarm). root is the
	// explorer whose memory flag (memHigh) stops the search and whose
	// counters watch reports: the swarm's for its configurations, else
	// the explorer itself.
	root                        *explorer
	liveStates, liveTransitions atomic.Int64 // root's: what publish added
	runs, totalRuns             atomic.Int64 // Progress.Runs and TotalRuns
	// pubStates and pubTransitions are the part of res.Stats that
	// publish has added to root's counters.
	pubStates, pubTransitions int64
	stopCalls                 int64 // calls of stop
}

// newExplorer is a search of m with opt, no property reported yet.
func newExplorer(m *model.Model, opt Options, ctx context.Context) *explorer {
	e := &explorer{m: m, opt: opt, ctx: ctx, start: time.Now(), seen: make([]bool, len(opt.Props))}
	e.root = e
	e.setJudges()
	return e
}

// testNoAmpleCache turns the persistent-set cache off (explorer.noAmpleCache)
// in every search; only tests set it.
var testNoAmpleCache bool

// testNoChainMemo turns the workers' chainStep memo off
// (explorer.noChainMemo) in every search; only tests set it.
var testNoChainMemo bool

// stop reports whether a limit ends the search, and records why. The walk
// strategies and DFS call it after every step; at its first call and every
// 1024th after it publishes their progress and checks the context (so
// that the first report, at watch's first tick, already counts the
// states found, however slowly the search steps: under the race detector
// 1024 steps of bounded search can outlast that tick). It counts its own
// calls: Stats.Transitions, which DFS advances by a whole chain at a
// time, may skip every multiple of 1024.
func (e *explorer) stop() bool {
	e.stopCalls++
	if e.res.Stopped != "" {
		return true
	}
	if e.opt.MaxStates > 0 && e.res.Stats.States >= e.opt.MaxStates {
		e.res.Stopped = "max-states"
		return true
	}
	if e.stopCalls&1023 == 1 {
		e.publish()
		if err := e.ctx.Err(); err != nil {
			if err == context.DeadlineExceeded {
				e.res.Stopped = "time-limit"
			} else {
				e.res.Stopped = "cancelled"
			}
			return true
		}
	}
	if e.root.memHigh.Load() {
		e.res.Stopped = "memory"
		return true
	}
	return false
}

// publish adds the states and transitions found since it last ran to
// root's counters, which watch reports as Progress, and checks the
// memory cap, so that a search too short for watch's tick stops at it
// too.
func (e *explorer) publish() {
	r := e.root
	// Transitions first: a report (progress) that reads the new States
	// also reads these transitions, so none has States > 0 with no
	// transition.
	r.liveTransitions.Add(e.res.Stats.Transitions - e.pubTransitions)
	r.liveStates.Add(e.res.Stats.States - e.pubStates)
	e.pubStates, e.pubTransitions = e.res.Stats.States, e.res.Stats.Transitions
	if c := r.opt.Memory; c > 0 && processBytes() > c-c/8 {
		r.memHigh.Store(true)
	}
}

// room reports whether a walk strategy's visited set may grow to a table
// of bytes within the memory cap; when it may not, the search stops at
// its next step (stop) with Stopped "memory".
func (e *explorer) room(bytes int64) bool {
	r := e.root
	if r.opt.Memory > 0 && processBytes()+bytes > r.opt.Memory {
		r.memHigh.Store(true)
		return false
	}
	return true
}

// newFPSet is a visited set for a walk strategy, kept within the memory
// cap.
func (e *explorer) newFPSet() *fpSet {
	s := newFPSet()
	s.room = e.room
	return s
}

// report records a violation; it returns true if the search must stop.
func (e *explorer) report(prop int, msg string, trace []model.Step) bool {
	e.seen[prop] = true
	e.nseen++
	e.setJudges()
	e.res.Violations = append(e.res.Violations, Violation{Property: e.opt.Props[prop].Name, Message: msg, Trace: trace})
	if !e.opt.All || e.nseen == len(e.opt.Props) {
		e.res.Stopped = "violation"
		return true
	}
	return false
}

// judges are the judges of the properties not yet reported, by kind,
// each with its property's index: what the search calls on every state
// and transition, without looking at the properties that have none or
// are already reported. report rebuilds them.
type judges struct {
	state, terminal []stateJudge
	step            []stepJudge
}

type stateJudge struct {
	prop int
	f    func(*model.Model, *model.State) string
}

type stepJudge struct {
	prop int
	f    func(*model.Model, *model.State, model.Step, *model.Effects, *model.State) string
}

// setJudges builds e.judges from the properties and e.seen. It runs
// between the search's steps, never while a worker judges.
func (e *explorer) setJudges() {
	var j judges
	for i, p := range e.opt.Props {
		if e.seen[i] {
			continue
		}
		if p.State != nil {
			j.state = append(j.state, stateJudge{i, p.State})
		}
		if p.Terminal != nil {
			j.terminal = append(j.terminal, stateJudge{i, p.Terminal})
		}
		if p.Step != nil {
			j.step = append(j.step, stepJudge{i, p.Step})
		}
	}
	e.judges = j
}

// verdict is a property that failed (its index in Options.Props) and the
// message it failed with.
type verdict struct {
	prop int
	msg  string
}

// stepVerdicts appends to out every property not yet reported that fails
// on the transition prev -st-> next or, if next is new, on the state
// next: the step judges' failures in property order, then the state
// judges'. judgeStep returns the first of them. With Options.All a search
// must report them all (reportAll): a property that fails only where
// another fails first would otherwise go unreported there, to be reported
// later with a longer schedule, or never.
func (e *explorer) stepVerdicts(out []verdict, prev *model.State, st model.Step, eff *model.Effects, next *model.State, isNew bool) []verdict {
	for _, j := range e.judges.step {
		if msg := j.f(e.m, prev, st, eff, next); msg != "" {
			out = append(out, verdict{j.prop, msg})
		}
	}
	if isNew {
		out = e.verdicts(out, next, e.judges.state)
	}
	return out
}

// verdicts appends to out every property of js that fails on s, in
// property order.
func (e *explorer) verdicts(out []verdict, s *model.State, js []stateJudge) []verdict {
	for _, j := range js {
		if msg := j.f(e.m, s); msg != "" {
			out = append(out, verdict{j.prop, msg})
		}
	}
	return out
}

// reportAll reports, in order, each verdict of vs whose property is not
// yet reported, with the schedule trace returns; it returns true if the
// search must stop (without Options.All, at the first).
func (e *explorer) reportAll(vs []verdict, trace func() []model.Step) bool {
	for _, v := range vs {
		if !e.seen[v.prop] && e.report(v.prop, v.msg, trace()) {
			return true
		}
	}
	return false
}

// judgeStep judges a transition and, if next is new, the state next. It
// returns the index of the first failing property not yet reported, or -1
// (stepVerdicts returns every one).
func (e *explorer) judgeStep(prev *model.State, st model.Step, eff *model.Effects, next *model.State, isNew bool) (int, string) {
	for _, j := range e.judges.step {
		if msg := j.f(e.m, prev, st, eff, next); msg != "" {
			return j.prop, msg
		}
	}
	if isNew {
		return e.judgeState(next)
	}
	return -1, ""
}

func (e *explorer) judgeState(s *model.State) (int, string) { return e.judge(s, e.judges.state) }

func (e *explorer) judgeTerminal(s *model.State) (int, string) {
	return e.judge(s, e.judges.terminal)
}

// judge runs the judges js on s and returns the property of the first
// that fails, or -1.
func (e *explorer) judge(s *model.State, js []stateJudge) (int, string) {
	for _, j := range js {
		if msg := j.f(e.m, s); msg != "" {
			return j.prop, msg
		}
	}
	return -1, ""
}
