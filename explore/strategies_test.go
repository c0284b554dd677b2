package explore_test

import (
	"context"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

const oops2090 = "kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 0 comm migration/0"

// chessPreemptions counts the preemptions of a schedule as Bounded counts
// them: steps on another CPU than the step before while that step's CPU
// still had an enabled step.
func chessPreemptions(m *model.Model, trace []model.Step) int {
	s, n := m.Init(), 0
	var buf []model.Step
	for i, st := range trace {
		buf = m.Enabled(&s, buf)
		if i > 0 && st.CPU != trace[i-1].CPU &&
			slices.ContainsFunc(buf, func(x model.Step) bool { return x.CPU == trace[i-1].CPU }) {
			n++
		}
		m.Apply(&s, st)
	}
	return n
}

// mustReplay checks that every violation of res replays on m.
func mustReplay(t *testing.T, m *model.Model, res *explore.Result) {
	t.Helper()
	for _, v := range res.Violations {
		p, err := properties.Lookup(v.Property)
		if err != nil {
			t.Fatal(err)
		}
		if msg, err := violates(m, p, v.Trace); err != nil || msg != v.Message {
			t.Errorf("%s: trace replays to %q (%v), want %q", v.Property, msg, err, v.Message)
		}
	}
}

// sameOutcome compares results but for the elapsed time and the workers
// that searched.
func sameOutcome(a, b *explore.Result) bool {
	a2, b2 := *a, *b
	a2.Stats.Elapsed, b2.Stats.Elapsed = 0, 0
	a2.Workers, b2.Workers = 0, 0
	return reflect.DeepEqual(a2, b2)
}

func TestPCTFindsOops(t *testing.T) {
	m := newModel(t, model.DefaultScenario(), "thermal-2008")
	for d := 1; d <= 4; d++ {
		res := search(t, m, explore.Options{Strategy: explore.PCT, PCTDepth: d, Seed: 3})
		if len(res.Violations) != 1 || res.Violations[0].Message != oops2090 || res.Stopped != "violation" {
			t.Fatalf("depth %d: %+v, stopped %q", d, res.Violations, res.Stopped)
		}
		mustReplay(t, m, res)
		if again := search(t, m, explore.Options{Strategy: explore.PCT, PCTDepth: d, Seed: 3}); !sameOutcome(res, again) {
			t.Errorf("depth %d: same seed, different results", d)
		}
	}
}

func TestBoundedOops(t *testing.T) {
	m := newModel(t, model.DefaultScenario(), "thermal-2008")
	// oops-2090.cex records 2 preemptions: it counts every switch between
	// CPUs. The default scenario has one schedule, and both its switches
	// leave a CPU with nothing enabled, so bound 0 (Preemptions < 0)
	// already finds the oops.
	for _, b := range []int{-1, 1, 2} {
		res := search(t, m, explore.Options{Strategy: explore.Bounded, Preemptions: b})
		if len(res.Violations) != 1 || res.Violations[0].Message != oops2090 {
			t.Fatalf("bound %d: %+v", b, res.Violations)
		}
		tr := res.Violations[0].Trace
		if got := explore.Preemptions(tr); got != 2 {
			t.Errorf("bound %d: %d CPU switches, want 2 as oops-2090.cex", b, got)
		}
		if got := chessPreemptions(m, tr); got != 0 {
			t.Errorf("bound %d: %d preemptions, want 0", b, got)
		}
		mustReplay(t, m, res)
	}
}

// TestBoundedNeedsPreemption: the lock-order deadlock of
// broken-drl-unordered needs one preemption; bound 0 misses it and says
// the bound cut schedules, bounds 1 and 2 find the same schedule.
func TestBoundedNeedsPreemption(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "broken-drl-unordered")
	p, _ := properties.Lookup("no-deadlock")
	opt := explore.Options{Strategy: explore.Bounded, Props: []*properties.Property{p}, Preemptions: -1}
	res := search(t, m, opt)
	if len(res.Violations) != 0 || res.Complete || res.Stopped != "preemption-bound" {
		t.Fatalf("bound 0: %d violations, complete %v, stopped %q", len(res.Violations), res.Complete, res.Stopped)
	}
	var prev *explore.Result
	for _, b := range []int{1, 2} {
		opt.Preemptions = b
		res := search(t, m, opt)
		if len(res.Violations) != 1 || !strings.HasPrefix(res.Violations[0].Message, "deadlock (lock order)") {
			t.Fatalf("bound %d: %+v", b, res.Violations)
		}
		if got := chessPreemptions(m, res.Violations[0].Trace); got != 1 {
			t.Errorf("bound %d: trace has %d preemptions, want 1", b, got)
		}
		mustReplay(t, m, res)
		if prev != nil && !reflect.DeepEqual(prev.Violations, res.Violations) {
			t.Errorf("bound %d found another schedule than bound 1", b)
		}
		prev = res
	}
}

func TestStrategiesHoldOnMainline(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "mainline-2.6.24")
	bfs := search(t, m, explore.Options{})
	for _, opt := range []explore.Options{
		{Strategy: explore.PCT, Seed: 1, Walks: 300},
		{Strategy: explore.Bounded},
		{Strategy: explore.Bounded, Preemptions: 20},
		{Strategy: explore.Swarm, Seed: 1, Walks: 10},
	} {
		res := search(t, m, opt)
		if len(res.Violations) != 0 {
			v := res.Violations[0]
			t.Fatalf("%s: %s: %s", opt.Strategy, v.Property, v.Message)
		}
		// Every strategy records the code it ran, within BFS's.
		if res.Stats.Reached.Len() == 0 || res.Stats.Reached.Minus(&bfs.Stats.Reached).Len() != 0 {
			t.Errorf("%s: took steps at PCs %v, BFS at %v", opt.Strategy, res.Stats.Reached.PCs(), bfs.Stats.Reached.PCs())
		}
		switch {
		case opt.Strategy == explore.Bounded && opt.Preemptions == 0:
			if res.Complete || res.Stopped != "preemption-bound" {
				t.Errorf("bound 2: complete %v, stopped %q; want the bound reported", res.Complete, res.Stopped)
			}
		case opt.Strategy == explore.Bounded:
			// A bound above any schedule's preemptions is exhaustive.
			if !res.Complete || res.Stats.States != bfs.Stats.States || res.Stats.Reached != bfs.Stats.Reached {
				t.Errorf("bound 20: complete %v, %d states, %d PCs; BFS %d, %d", res.Complete, res.Stats.States, res.Stats.Reached.Len(), bfs.Stats.States, bfs.Stats.Reached.Len())
			}
		case opt.Strategy == explore.PCT:
			if res.Stats.MaxDepth == 0 || res.Stats.MaxDepth > bfs.Stats.MaxDepth {
				t.Errorf("PCT longest run %d, BFS depth %d", res.Stats.MaxDepth, bfs.Stats.MaxDepth)
			}
		}
	}
}

// swarmFind runs a swarm on the tick-deadlock scenario, which has both a
// deadlock and the oops, reporting every property.
func swarmFind(t *testing.T, m *model.Model, opt explore.Options) *explore.Result {
	t.Helper()
	opt.Strategy, opt.Seed, opt.All, opt.Walks = explore.Swarm, 5, true, 20
	res := search(t, m, opt)
	mustReplay(t, m, res)
	return res
}

func TestSwarmShardsAndWorkers(t *testing.T) {
	sc, err := model.LoadScenario("../corpus/scenarios/tick-deadlock.json")
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(t, sc, "thermal-2008")
	whole := swarmFind(t, m, explore.Options{Workers: 1})
	if len(whole.Violations) != 2 {
		t.Fatalf("unsharded swarm: %+v", whole.Violations)
	}
	if four := swarmFind(t, m, explore.Options{Workers: 4}); !sameOutcome(whole, four) {
		t.Errorf("workers 1 and 4 differ:\n%+v\n%+v", whole, four)
	}
	if again := swarmFind(t, m, explore.Options{Workers: 3}); !sameOutcome(whole, again) {
		t.Errorf("same seed, different results")
	}
	var shards []explore.Violation
	for i := range 2 {
		res := swarmFind(t, m, explore.Options{Shard: explore.Shard{I: i, N: 2}, Workers: 2})
		shards = append(shards, res.Violations...)
	}
	for _, v := range whole.Violations {
		if !slices.ContainsFunc(shards, func(w explore.Violation) bool { return reflect.DeepEqual(v, w) }) {
			t.Errorf("shards do not find the swarm's %s: %s", v.Property, v.Message)
		}
	}
	// Without a violation every config runs: the shards' states add up.
	main := newModel(t, model.BalanceScenario(), "mainline-2.6.24")
	opt := explore.Options{Strategy: explore.Swarm, Seed: 9, Walks: 3}
	total := search(t, main, opt)
	var sum int64
	for i := range 3 {
		opt.Shard = explore.Shard{I: i, N: 3}
		sum += search(t, main, opt).Stats.Transitions
	}
	if sum != total.Stats.Transitions || total.Stopped != "walks" {
		t.Errorf("shards took %d steps, the whole swarm %d (stopped %q)", sum, total.Stats.Transitions, total.Stopped)
	}
}

func TestPCTGuarantee(t *testing.T) {
	for _, tc := range []struct {
		cpus, steps, depth, runs int
		want                     float64
	}{
		{2, 26, 1, 1, 0.5},
		{2, 26, 1, 2, 0.75},
		{2, 10, 3, 1, 1.0 / 200},
		{1, 5, 1, 1, 1},
		{2, 10, 3, 0, 0},
		{0, 10, 3, 5, 0},
	} {
		if got := explore.PCTGuarantee(tc.cpus, tc.steps, tc.depth, tc.runs); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("PCTGuarantee(%d, %d, %d, %d) = %g, want %g", tc.cpus, tc.steps, tc.depth, tc.runs, got, tc.want)
		}
	}
	if g := explore.PCTGuarantee(2, 80, 3, 1000); g < 0.07 || g > 0.08 {
		t.Errorf("PCTGuarantee(2, 80, 3, 1000) = %g, want 1-(1-1/12800)^1000 ≈ 0.075", g)
	}
}

func TestSwarmCancelled(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "mainline-2.6.24")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := explore.Run(ctx, m, explore.Options{Strategy: explore.Swarm, Props: properties.Default()})
	if err != nil || res.Stopped != "cancelled" || res.Complete {
		t.Errorf("cancelled swarm: %v, stopped %q, complete %v", err, res.Stopped, res.Complete)
	}
}
