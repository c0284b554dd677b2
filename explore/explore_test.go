package explore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

func newModel(t testing.TB, sc *model.Scenario, variant string) *model.Model {
	t.Helper()
	m, err := model.New(sc, variant)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// generatedMainline is mainline-2.6.24 on model.GenerateScenario(cpus,
// tasks), the scenarios of the issue's targets.
func generatedMainline(t testing.TB, cpus, tasks int) *model.Model {
	t.Helper()
	sc, err := model.GenerateScenario(cpus, tasks)
	if err != nil {
		t.Fatal(err)
	}
	return newModel(t, sc, "mainline-2.6.24")
}

func search(t testing.TB, m *model.Model, opt explore.Options) *explore.Result {
	t.Helper()
	if opt.Props == nil {
		opt.Props = properties.Default()
	}
	res, err := explore.Run(context.Background(), m, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// violates re-executes trace step by step and reports whether property p
// fails on its last transition, its final state, or (if nothing is enabled
// there) as a terminal state.
func violates(m *model.Model, p *properties.Property, trace []model.Step) (string, error) {
	s := m.Init()
	prev := s
	var eff model.Effects
	var buf []model.Step
	for i, st := range trace {
		buf = m.Enabled(&s, buf)
		ok := false
		for _, e := range buf {
			ok = ok || e == st
		}
		if !ok {
			return "", fmt.Errorf("step %d (%+v) not enabled", i+1, st)
		}
		prev = s
		eff = m.Apply(&s, st)
	}
	if p.Step != nil && len(trace) > 0 {
		if msg := p.Step(m, &prev, trace[len(trace)-1], &eff, &s); msg != "" {
			return msg, nil
		}
	}
	if p.State != nil {
		if msg := p.State(m, &s); msg != "" {
			return msg, nil
		}
	}
	if p.Terminal != nil && len(m.Enabled(&s, buf)) == 0 {
		return p.Terminal(m, &s), nil
	}
	return "", nil
}

func TestMainlineDefaultIsExhaustiveAndClean(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "mainline-2.6.24")
	bfs := search(t, m, explore.Options{Strategy: explore.BFS})
	if len(bfs.Violations) > 0 {
		v := bfs.Violations[0]
		t.Fatalf("%s: %s\n%s", v.Property, v.Message, join(explore.Render(m, v.Trace)))
	}
	if !bfs.Complete || bfs.Stats.States < 1000 {
		t.Fatalf("BFS complete=%v states=%d", bfs.Complete, bfs.Stats.States)
	}
	dfs := search(t, m, explore.Options{Strategy: explore.DFS})
	if !dfs.Complete || dfs.Stats.States != bfs.Stats.States || dfs.Stats.Transitions != bfs.Stats.Transitions {
		t.Errorf("DFS states=%d transitions=%d complete=%v, BFS states=%d transitions=%d",
			dfs.Stats.States, dfs.Stats.Transitions, dfs.Complete, bfs.Stats.States, bfs.Stats.Transitions)
	}
	t.Logf("mainline-2.6.24 default scenario: %d states, %d transitions, depth %d",
		bfs.Stats.States, bfs.Stats.Transitions, bfs.Stats.MaxDepth)
}

// TestBrokenVariantsAreCaught: each property fires on the variant broken for
// it, found by the explorer from the initial state, with every strategy, and
// the schedule replays to the violation.
func TestBrokenVariantsAreCaught(t *testing.T) {
	tests := []struct {
		variant, prop, want string
	}{
		{"broken-drl-unordered", "no-deadlock", "deadlock (lock order):"},
		{"broken-move-affinity", "affinity", "outside its cpus_allowed"},
		{"broken-migrate-lost", "no-lost-task", "lost"},
		{"broken-lb-irqs-on", "kernel-bug", "kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled()))"},
	}
	for _, tc := range tests {
		t.Run(tc.variant, func(t *testing.T) {
			m := newModel(t, model.BalanceScenario(), tc.variant)
			p, _ := properties.Lookup(tc.prop)
			for _, opt := range []explore.Options{
				{Strategy: explore.BFS},
				{Strategy: explore.DFS},
				{Strategy: explore.Random, Seed: 7, Walks: 20000},
			} {
				opt.Props = []*properties.Property{p}
				res := search(t, m, opt)
				if len(res.Violations) != 1 {
					t.Fatalf("%s: %d violations, want 1 (%d states)", opt.Strategy, len(res.Violations), res.Stats.States)
				}
				v := res.Violations[0]
				if v.Property != tc.prop || !strings.Contains(v.Message, tc.want) {
					t.Errorf("%s: got %s: %s; want %s containing %q", opt.Strategy, v.Property, v.Message, tc.prop, tc.want)
				}
				msg, err := violates(m, p, v.Trace)
				if err != nil || msg == "" {
					t.Errorf("%s: schedule does not replay to the violation: %v %q", opt.Strategy, err, msg)
				}
			}
			// The same schedule on mainline does not reach the violation.
			res := search(t, m, explore.Options{Props: []*properties.Property{p}})
			main := newModel(t, model.BalanceScenario(), "mainline-2.6.24")
			if msg, err := violates(main, p, res.Violations[0].Trace); err == nil && msg != "" {
				t.Errorf("schedule also violates %s on mainline: %s", tc.prop, msg)
			}
		})
	}
}

func TestKernelBugNamesLineAndContext(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "broken-lb-irqs-on")
	res := search(t, m, explore.Options{})
	if len(res.Violations) != 1 || res.Violations[0].Property != "kernel-bug" {
		t.Fatalf("violations %+v", res.Violations)
	}
	want := "kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 1 comm softirq"
	if res.Violations[0].Message != want {
		t.Errorf("message %q, want %q", res.Violations[0].Message, want)
	}
	lines := explore.Render(m, res.Violations[0].Trace)
	if last := lines[len(lines)-1]; !strings.Contains(last, "double_rq_lock:2090") {
		t.Errorf("last step %q does not name double_rq_lock:2090", last)
	}
}

// minDepth enumerates every schedule up to limit steps without a visited
// set and returns the length of the shortest one that violates a property,
// or -1.
func minDepth(m *model.Model, props []*properties.Property, limit int) int {
	best := -1
	var walk func(s *model.State, depth int)
	walk = func(s *model.State, depth int) {
		if best >= 0 && depth >= best {
			return
		}
		steps := m.Enabled(s, nil)
		if len(steps) == 0 {
			for _, p := range props {
				if p.Terminal != nil && p.Terminal(m, s) != "" {
					best = depth
					return
				}
			}
		}
		if depth == limit {
			return
		}
		for _, st := range steps {
			next := *s
			eff := m.Apply(&next, st)
			bad := false
			for _, p := range props {
				bad = bad || (p.Step != nil && p.Step(m, s, st, &eff, &next) != "") ||
					(p.State != nil && p.State(m, &next) != "")
			}
			if bad {
				if best < 0 || depth+1 < best {
					best = depth + 1
				}
				continue
			}
			walk(&next, depth+1)
		}
	}
	init := m.Init()
	walk(&init, 0)
	return best
}

// TestBFSFindsAShortestSchedule checks BFS's first violation against brute
// force enumeration of all schedules on tiny cases.
func TestBFSFindsAShortestSchedule(t *testing.T) {
	tiny := model.BalanceScenario()
	tiny.Affinity = nil
	tiny.Tasks[1].CPU = 0
	cases := []struct {
		name    string
		sc      *model.Scenario
		variant string
	}{
		{"default/irqs-on", model.BalanceScenario(), "broken-lb-irqs-on"},
		{"no-affinity-call/irqs-on", tiny, "broken-lb-irqs-on"},
		{"no-affinity-call/move-affinity", func() *model.Scenario {
			sc := model.BalanceScenario()
			sc.Affinity = nil
			sc.Ticks = []int{0, 1}
			sc.Tasks[1].Allowed = []int{0}
			return sc
		}(), "broken-move-affinity"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newModel(t, tc.sc, tc.variant)
			res := search(t, m, explore.Options{})
			if len(res.Violations) == 0 {
				t.Fatal("BFS found nothing")
			}
			got := len(res.Violations[0].Trace)
			want := minDepth(m, properties.Default(), got)
			if want != got {
				t.Errorf("BFS schedule has %d steps; brute force finds %d", got, want)
			}
		})
	}
}

func TestRandomIsDeterministicForASeed(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "broken-drl-unordered")
	a := search(t, m, explore.Options{Strategy: explore.Random, Seed: 3, Walks: 5000})
	b := search(t, m, explore.Options{Strategy: explore.Random, Seed: 3, Walks: 5000})
	if len(a.Violations) == 0 || fmt.Sprint(a.Violations[0].Trace) != fmt.Sprint(b.Violations[0].Trace) ||
		a.Stats.Transitions != b.Stats.Transitions {
		t.Errorf("two runs with seed 3 differ: %v / %v", a.Stats, b.Stats)
	}
}

func TestLimitsStopCleanly(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "mainline-2.6.24")
	res := search(t, m, explore.Options{MaxStates: 100})
	if res.Complete || res.Stopped != "max-states" || res.Stats.States < 100 || res.Stats.States > 110 {
		t.Errorf("MaxStates 100: complete=%v stopped=%q states=%d", res.Complete, res.Stopped, res.Stats.States)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r2, err := explore.Run(ctx, m, explore.Options{Props: properties.Default()})
	if err != nil || r2.Complete || r2.Stopped != "cancelled" {
		t.Errorf("cancelled: complete=%v stopped=%q err=%v", r2.Complete, r2.Stopped, err)
	}
	res = search(t, m, explore.Options{Strategy: explore.DFS, MaxDepth: 5})
	if res.Complete || res.Stopped != "max-depth" {
		t.Errorf("DFS MaxDepth 5: complete=%v stopped=%q", res.Complete, res.Stopped)
	}
}

func TestAllReportsEachProperty(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "broken-move-affinity")
	res := search(t, m, explore.Options{All: true})
	if len(res.Violations) != 1 || res.Violations[0].Property != "affinity" || !res.Complete == (res.Stopped == "") {
		t.Errorf("All: %d violations, complete=%v stopped=%q", len(res.Violations), res.Complete, res.Stopped)
	}
}

func ExampleRun() {
	m, _ := model.New(model.BalanceScenario(), "broken-lb-irqs-on")
	res, _ := explore.Run(context.Background(), m, explore.Options{Props: properties.Default()})
	v := res.Violations[0]
	fmt.Println(v.Property, len(v.Trace), "steps")
	fmt.Println(v.Message)
	// Output:
	// kernel-bug 10 steps
	// kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 1 comm softirq
}

func BenchmarkExploreMainline(b *testing.B) {
	m := newModel(b, model.BalanceScenario(), "mainline-2.6.24")
	var states int64
	b.ReportAllocs()
	for b.Loop() {
		res := search(b, m, explore.Options{})
		if !res.Complete || len(res.Violations) > 0 {
			b.Fatal("mainline search not clean")
		}
		states += res.Stats.States
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
}
