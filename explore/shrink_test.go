package explore_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// nil and empty slices are the same scenario.
var equateEmpty = cmpopts.EquateEmpty()

// TestShrinkScenario: the shrinker reduces the balance scenario to the
// smallest one that shows the 2008 oops (the default scenario), keeps the
// one tick the interrupt deadlock needs, renumbers CPUs when it drops one,
// and what it returns is 1-minimal: no single reduction still shows the
// target while the reference holds.
func TestShrinkScenario(t *testing.T) {
	oops := explore.Target{Property: "kernel-bug", Class: bug2090Migration}
	interrupt := explore.Target{Property: "no-deadlock", Class: "deadlock (interrupt)"}
	threeCPUs := func() *model.Scenario {
		return &model.Scenario{
			CPUs:           3,
			Tasks:          []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0}},
			Ticks:          []int{1, 0, 1},
			Affinity:       []model.AffinityCall{{Caller: 0, Target: 1, Mask: []int{2}}},
			CacheNiceTries: 1,
			AddrOrder:      []int{2, 0, 1},
		}
	}
	withTicks := func(sc *model.Scenario, ticks ...int) *model.Scenario {
		sc.Ticks = ticks
		return sc
	}
	withAddrOrder := func(sc *model.Scenario, order ...int) *model.Scenario {
		sc.AddrOrder = order
		return sc
	}
	// thermal-2008 wastes a core on wasted. Without the tick on cpu1,
	// broken-lb-irqs-on wastes one too (the event budget runs out before
	// balancing can act): as the reference it refuses that reduction,
	// which the shrinker makes when there is no reference.
	wasted := func() *model.Scenario {
		return tinyScenario([]model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0}}, []int{0, 1},
			[]model.AffinityCall{{Caller: 0, Target: 1, Mask: []int{0}}})()
	}
	wc := explore.Target{Property: "work-conservation", Class: "work-conservation"}
	tests := []struct {
		name      string
		sc        *model.Scenario
		target    explore.Target
		reference string
		want      *model.Scenario
	}{
		{"balance/oops/mainline", model.BalanceScenario(), oops, "mainline-2.6.24", model.DefaultScenario()},
		{"balance/oops/no-reference", model.BalanceScenario(), oops, "", model.DefaultScenario()},
		{"balance/interrupt/mainline", model.BalanceScenario(), interrupt, "mainline-2.6.24", withTicks(model.DefaultScenario(), 1, 0)},
		// Dropping cpu2 would empty the call's mask; dropping cpu1
		// renumbers the mask {2} to {1} and the address order {2,0,1}
		// to {1,0}.
		{"three-cpus/oops/mainline", threeCPUs(), oops, "mainline-2.6.24", withAddrOrder(model.DefaultScenario(), 1, 0)},
		{"wasted/work-conservation/no-reference", wasted(), wc, "",
			&model.Scenario{CPUs: 2, Tasks: []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0}}, Ticks: []int{0, 0}, CacheNiceTries: 1}},
		{"wasted/work-conservation/reference-refuses", wasted(), wc, "broken-lb-irqs-on", wasted()},
	}
	ctx := context.Background()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.sc.Clone()
			sh, err := explore.ShrinkScenario(ctx, tc.sc, "thermal-2008", tc.target, explore.ShrinkOptions{Reference: tc.reference})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(in, tc.sc, equateEmpty); d != "" {
				t.Errorf("ShrinkScenario changed its input (-before +after):\n%s", d)
			}
			got := sh.Scenario
			t.Logf("%s\napplied %q, %d candidates tried", got, sh.Applied, sh.Tried)
			if d := cmp.Diff(tc.want, got, equateEmpty); d != "" {
				t.Errorf("shrunk scenario (-want +got):\n%s", d)
			}
			if tc.target == interrupt && !slices.Equal(got.Ticks, []int{1, 0}) {
				t.Errorf("ticks %v, want exactly one on cpu0", got.Ticks)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("shrunk scenario does not validate: %v", err)
			}
			if sh.Tried < len(sh.Applied) || sh.Tried == 0 {
				t.Errorf("applied %q, tried %d", sh.Applied, sh.Tried)
			}
			checkShrunk(t, got, "thermal-2008", tc.target, tc.reference)
			checkApplied(t, tc.sc, sh, "thermal-2008", tc.target, tc.reference)
		})
	}
}

// checkShrunk checks that sc shows the target while the reference holds,
// and that no single reduction of sc does both.
func checkShrunk(t *testing.T, sc *model.Scenario, variant string, target explore.Target, reference string) {
	t.Helper()
	ctx := context.Background()
	shows := func(sc *model.Scenario) bool {
		ok, err := explore.Shows(ctx, sc, variant, target, 0)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	holds := func(sc *model.Scenario) bool {
		if reference == "" {
			return true
		}
		ok, err := explore.Holds(ctx, sc, reference, target.Property, 0)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !shows(sc) || !holds(sc) {
		t.Errorf("shrunk scenario: %s shows %v: %v; %s holds %s: %v", variant, target, shows(sc), reference, target.Property, holds(sc))
	}
	rs := sc.Reductions()
	if len(rs) == 0 {
		t.Error("shrunk scenario has no reductions to check")
	}
	for _, r := range rs {
		if shows(r.Scenario) && holds(r.Scenario) {
			t.Errorf("not 1-minimal: after %q, %s still shows %v and %s holds:\n%s", r.What, variant, target, reference, r.Scenario)
		}
	}
}

// checkApplied replays the reductions sh.Applied names from the input
// scenario: each must be offered where it is applied, every scenario kept
// on the way must show the target while the reference holds, and the last
// must be the result.
func checkApplied(t *testing.T, in *model.Scenario, sh *explore.Shrunk, variant string, target explore.Target, reference string) {
	t.Helper()
	ctx := context.Background()
	cur := in
	for i, what := range sh.Applied {
		k := slices.IndexFunc(cur.Reductions(), func(r model.Reduction) bool { return r.What == what })
		if k < 0 {
			t.Fatalf("applied[%d] %q is not a reduction of %s", i, what, cur)
		}
		cur = cur.Reductions()[k].Scenario
		shows, err := explore.Shows(ctx, cur, variant, target, 0)
		if err != nil {
			t.Fatal(err)
		}
		holds := true
		if reference != "" {
			if holds, err = explore.Holds(ctx, cur, reference, target.Property, 0); err != nil {
				t.Fatal(err)
			}
		}
		if !shows || !holds {
			t.Errorf("after %q: %s shows %v: %v, %s holds: %v", sh.Applied[:i+1], variant, target, shows, reference, holds)
		}
	}
	if d := cmp.Diff(cur, sh.Scenario, equateEmpty); d != "" {
		t.Errorf("replaying %q does not give the result (-replayed +result):\n%s", sh.Applied, d)
	}
}

func TestShrinkScenarioErrors(t *testing.T) {
	oops := explore.Target{Property: "kernel-bug", Class: bug2090Migration}
	tests := []struct {
		name    string
		variant string
		target  explore.Target
		opt     explore.ShrinkOptions
		want    string
	}{
		{"variant-does-not-show", "mainline-2.6.24", oops, explore.ShrinkOptions{}, "does not show"},
		{"other-class", "thermal-2008", explore.Target{Property: "kernel-bug", Class: bug2090Softirq}, explore.ShrinkOptions{}, "does not show"},
		{"cut-by-bound", "thermal-2008", oops, explore.ShrinkOptions{MaxStates: 3}, "does not show"},
		{"reference-fails", "thermal-2008", oops, explore.ShrinkOptions{Reference: "broken-lb-irqs-on"}, "reference"},
		{"unknown-variant", "no-such-variant", oops, explore.ShrinkOptions{}, "no-such-variant"},
		{"unknown-reference", "thermal-2008", oops, explore.ShrinkOptions{Reference: "no-such-variant"}, "no-such-variant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sh, err := explore.ShrinkScenario(context.Background(), model.BalanceScenario(), tc.variant, tc.target, tc.opt)
			if err == nil {
				t.Fatalf("no error; shrunk to %s", sh.Scenario)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

// TestMinimiseViolation: the BFS violation of thermal-2008 on the balance
// scenario is shrunk to the default scenario and its schedule minimised
// there (fewest preemptions, then fewest steps); a reference that fails on
// the scenario itself is dropped, not fatal. Without shrinking, the
// schedule is minimised on the scenario as it is.
func TestMinimiseViolation(t *testing.T) {
	kb := lookupProp(t, "kernel-bug")
	tests := []struct {
		name      string
		shrink    bool
		reference string
		want      *model.Scenario
	}{
		{"shrink/mainline", true, "mainline-2.6.24", model.DefaultScenario()},
		{"shrink/failing-reference", true, "broken-lb-irqs-on", model.DefaultScenario()},
		{"no-shrink", false, "", model.BalanceScenario()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newModel(t, model.BalanceScenario(), "thermal-2008")
			bfs := search(t, m, explore.Options{Props: []*properties.Property{kb}})
			if len(bfs.Violations) == 0 {
				t.Fatal("BFS found no kernel-bug")
			}
			v := bfs.Violations[0]
			mv, err := explore.MinimiseViolation(context.Background(), m, v, explore.MinimiseViolationOptions{
				Scenario: tc.shrink, Shrink: explore.ShrinkOptions{Reference: tc.reference}})
			if err != nil {
				t.Fatal(err)
			}
			if mv.Target != explore.TargetOf(v) || !mv.Complete {
				t.Fatalf("target %v (want %v), complete %v", mv.Target, explore.TargetOf(v), mv.Complete)
			}
			if d := cmp.Diff(tc.want, mv.Scenario, equateEmpty); d != "" {
				t.Errorf("scenario (-want +got):\n%s", d)
			}
			if mv.Model.Sc != mv.Scenario || (mv.Shrink != nil) != tc.shrink {
				t.Errorf("model on %s, scenario %s, shrink %v", mv.Model.Sc, mv.Scenario, mv.Shrink)
			}
			fewest := minimise(t, mv.Model, mv.Target, explore.FewestPreemptions)
			if !slices.Equal(mv.Violation.Trace, fewest.Violation.Trace) || mv.Preemptions != fewest.Preemptions {
				t.Errorf("schedule of %d steps, %d preemptions; Minimise(FewestPreemptions): %d steps, %d preemptions",
					len(mv.Violation.Trace), mv.Preemptions, len(fewest.Violation.Trace), fewest.Preemptions)
			}
			checkMinimal(t, mv.Model, mv.Target, &explore.Minimal{Found: true, Violation: mv.Violation, Preemptions: mv.Preemptions})
			short := search(t, mv.Model, explore.Options{Props: []*properties.Property{kb}})
			if len(short.Violations) == 0 || mv.Shortest != len(short.Violations[0].Trace) {
				t.Errorf("Shortest %d; BFS on the final scenario: %+v", mv.Shortest, short.Violations)
			}
		})
	}
}

// reductionBase is a 3-CPU scenario with masks, sched_setaffinity calls,
// ticks, an address order, idle balance and knobs.
func reductionBase() *model.Scenario {
	return &model.Scenario{
		CPUs: 3,
		Tasks: []model.TaskSpec{
			{CPU: 1, Running: true},                                       // T0, the caller
			{CPU: 1, Allowed: []int{1, 2}, Weight: 2},                     // T1
			{CPU: 2, Running: true, Allowed: []int{0, 2}, CacheHot: true}, // T2
			{CPU: 0, Running: true, Allowed: []int{0}},                    // T3
		},
		Ticks:       []int{1, 0, 2},
		IdleBalance: true,
		NewIdleMax:  2,
		Affinity: []model.AffinityCall{
			{Caller: 0, Target: 1, Mask: []int{2}},
			{Caller: 0, Target: 2, Mask: []int{0, 1}},
			{Caller: 0, Target: 3, Mask: []int{0}},
		},
		CacheNiceTries: 1,
		BalanceFailed:  1,
		AddrOrder:      []int{2, 0, 1},
		Knobs:          map[string]string{"alb": "on"},
	}
}

func TestScenarioReductions(t *testing.T) {
	mod := func(sc *model.Scenario, f func(*model.Scenario)) *model.Scenario {
		f(sc)
		return sc
	}
	base := reductionBase
	// baseWide: the first call's mask is {1,2}, so dropping cpu2 keeps it.
	baseWide := func() *model.Scenario {
		return mod(base(), func(sc *model.Scenario) { sc.Affinity[0].Mask = []int{1, 2} })
	}
	common := func(sc *model.Scenario) *model.Scenario {
		sc.IdleBalance, sc.NewIdleMax = true, 2
		sc.CacheNiceTries, sc.BalanceFailed = 1, 1
		sc.Knobs = map[string]string{"alb": "on"}
		return sc
	}
	tests := []struct {
		name string
		sc   func() *model.Scenario
		// whats lists every reduction offered, in order.
		whats []string
		// want gives the scenario of some reductions.
		want map[string]*model.Scenario
	}{
		{
			name: "three-cpus",
			sc:   base,
			whats: []string{
				// No "drop cpu2": the first call's mask {2} would be empty.
				"drop cpu1", "drop cpu0",
				"drop T3", "drop T2", "drop T1", "drop T0",
				"one tick fewer on cpu0", "one tick fewer on cpu2",
				"drop sched_setaffinity call 2", "drop sched_setaffinity call 1", "drop sched_setaffinity call 0",
				"idle balance off", "one idle balance fewer",
			},
			want: map[string]*model.Scenario{
				// T0 and T1 go with cpu1, and every call with T0; cpu2
				// becomes cpu1.
				"drop cpu1": common(&model.Scenario{
					CPUs: 2,
					Tasks: []model.TaskSpec{
						{CPU: 1, Running: true, Allowed: []int{0, 1}, CacheHot: true},
						{CPU: 0, Running: true, Allowed: []int{0}},
					},
					Ticks:     []int{1, 2},
					AddrOrder: []int{1, 0},
				}),
				// T3 goes with cpu0, and the call naming it.
				"drop cpu0": common(&model.Scenario{
					CPUs: 2,
					Tasks: []model.TaskSpec{
						{CPU: 0, Running: true},
						{CPU: 0, Allowed: []int{0, 1}, Weight: 2},
						{CPU: 1, Running: true, Allowed: []int{1}, CacheHot: true},
					},
					Ticks: []int{0, 2},
					Affinity: []model.AffinityCall{
						{Caller: 0, Target: 1, Mask: []int{1}},
						{Caller: 0, Target: 2, Mask: []int{0}},
					},
					AddrOrder: []int{1, 0},
				}),
				"drop T1": mod(base(), func(sc *model.Scenario) {
					sc.Tasks = slices.Delete(sc.Tasks, 1, 2)
					sc.Affinity = []model.AffinityCall{
						{Caller: 0, Target: 1, Mask: []int{0, 1}},
						{Caller: 0, Target: 2, Mask: []int{0}},
					}
				}),
				"drop T0": mod(base(), func(sc *model.Scenario) {
					sc.Tasks = sc.Tasks[1:]
					sc.Affinity = nil
				}),
				"one tick fewer on cpu2":        mod(base(), func(sc *model.Scenario) { sc.Ticks = []int{1, 0, 1} }),
				"drop sched_setaffinity call 1": mod(base(), func(sc *model.Scenario) { sc.Affinity = slices.Delete(sc.Affinity, 1, 2) }),
				"idle balance off":              mod(base(), func(sc *model.Scenario) { sc.IdleBalance, sc.NewIdleMax = false, 0 }),
				"one idle balance fewer":        mod(base(), func(sc *model.Scenario) { sc.NewIdleMax = 1 }),
			},
		},
		{
			name: "three-cpus-wide-mask",
			sc:   baseWide,
			whats: []string{
				"drop cpu2", "drop cpu1", "drop cpu0",
				"drop T3", "drop T2", "drop T1", "drop T0",
				"one tick fewer on cpu0", "one tick fewer on cpu2",
				"drop sched_setaffinity call 2", "drop sched_setaffinity call 1", "drop sched_setaffinity call 0",
				"idle balance off", "one idle balance fewer",
			},
			want: map[string]*model.Scenario{
				// T2 goes with cpu2, and the call naming it; T3 becomes
				// T2 in the call that names it.
				"drop cpu2": common(&model.Scenario{
					CPUs: 2,
					Tasks: []model.TaskSpec{
						{CPU: 1, Running: true},
						{CPU: 1, Allowed: []int{1}, Weight: 2},
						{CPU: 0, Running: true, Allowed: []int{0}},
					},
					Ticks: []int{1, 0},
					Affinity: []model.AffinityCall{
						{Caller: 0, Target: 1, Mask: []int{1}},
						{Caller: 0, Target: 2, Mask: []int{0}},
					},
					AddrOrder: []int{0, 1},
				}),
			},
		},
		{
			name:  "default",
			sc:    model.DefaultScenario,
			whats: []string{"drop T1", "drop T0", "drop sched_setaffinity call 0"},
			want: map[string]*model.Scenario{
				"drop T1": mod(model.DefaultScenario(), func(sc *model.Scenario) { sc.Tasks, sc.Affinity = sc.Tasks[:1], nil }),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := tc.sc()
			if err := sc.Validate(); err != nil {
				t.Fatalf("test scenario: %v", err)
			}
			rs := sc.Reductions()
			var whats []string
			for _, r := range rs {
				whats = append(whats, r.What)
			}
			if d := cmp.Diff(tc.whats, whats); d != "" {
				t.Errorf("reductions offered (-want +got):\n%s", d)
			}
			cpus, tasks, events := sc.Size()
			for _, r := range rs {
				if err := r.Scenario.Validate(); err != nil {
					t.Errorf("%s: %v", r.What, err)
				}
				if c, n, e := r.Scenario.Size(); c+n+e >= cpus+tasks+events || c > cpus || n > tasks || e > events {
					t.Errorf("%s: size %d CPUs, %d tasks, %d events is not smaller than %d, %d, %d", r.What, c, n, e, cpus, tasks, events)
				}
				if want, ok := tc.want[r.What]; ok {
					if d := cmp.Diff(want, r.Scenario, equateEmpty); d != "" {
						t.Errorf("%s (-want +got):\n%s", r.What, d)
					}
				}
			}
			for what := range tc.want {
				if !slices.Contains(whats, what) {
					t.Errorf("%q not offered", what)
				}
			}
			// The reductions share nothing with sc.
			for _, r := range rs {
				x := r.Scenario
				for i := range x.Tasks {
					for j := range x.Tasks[i].Allowed {
						x.Tasks[i].Allowed[j] = 7
					}
					x.Tasks[i].CPU = 7
				}
				for i := range x.Affinity {
					for j := range x.Affinity[i].Mask {
						x.Affinity[i].Mask[j] = 7
					}
					x.Affinity[i].Target = 7
				}
				for i := range x.Ticks {
					x.Ticks[i] = 7
				}
				for i := range x.AddrOrder {
					x.AddrOrder[i] = 7
				}
				for k := range x.Knobs {
					x.Knobs[k] = "changed"
				}
			}
			if d := cmp.Diff(tc.sc(), sc, equateEmpty); d != "" {
				t.Errorf("changing the reductions changed the scenario (-want +got):\n%s", d)
			}
		})
	}
}
