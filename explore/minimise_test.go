package explore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// The tests in this file check the guarantees of explore.Minimise against
// an independent oracle: they replay schedules step by step and judge them
// with the property's own judges, and they enumerate schedules by brute
// force without a visited set.

const (
	bug2090Migration = "kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 0 comm migration/0"
	bug2090Softirq   = "kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 1 comm softirq"
)

func lookupProp(t testing.TB, name string) *properties.Property {
	t.Helper()
	p, err := properties.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// targetHit re-executes trace from the initial state and judges every
// prefix as Minimise does: the prefix of length k violates the target if
// its last transition (k > 0), the state it reaches, or (when no step is
// enabled there) that state as a terminal state fails p with a message of
// the target's class. It returns how many steps applied (it stops at the
// first step that is not enabled), the length of the shortest violating
// prefix (-1 if none) and that violation's message.
func targetHit(m *model.Model, p *properties.Property, tg explore.Target, trace []model.Step) (applied, hit int, msg string) {
	match := func(msg string) bool {
		return msg != "" && p.Name == tg.Property && properties.Class(p.Name, msg) == tg.Class
	}
	judgeState := func(s *model.State, buf []model.Step) string {
		if p.State != nil {
			if msg := p.State(m, s); match(msg) {
				return msg
			}
		}
		if p.Terminal != nil && len(m.Enabled(s, buf)) == 0 {
			if msg := p.Terminal(m, s); match(msg) {
				return msg
			}
		}
		return ""
	}
	s := m.Init()
	var buf []model.Step
	if msg := judgeState(&s, buf); msg != "" {
		return 0, 0, msg
	}
	for i, st := range trace {
		buf = m.Enabled(&s, buf)
		if !slices.Contains(buf, st) {
			return i, -1, ""
		}
		next := s
		eff := m.Apply(&next, st)
		if p.Step != nil {
			if msg := p.Step(m, &s, st, &eff, &next); match(msg) {
				return i + 1, i + 1, msg
			}
		}
		if msg := judgeState(&next, buf); msg != "" {
			return i + 1, i + 1, msg
		}
		s = next
	}
	return len(trace), -1, ""
}

// minimise runs Minimise and insists that it settled the question.
func minimise(t testing.TB, m *model.Model, tg explore.Target, order explore.Order) *explore.Minimal {
	t.Helper()
	res, err := explore.Minimise(context.Background(), m, tg, explore.MinimiseOptions{Order: order, MaxStates: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Complete {
		t.Fatalf("Minimise(%v, order %d) stopped: %s after %d states", tg, order, res.Stopped, res.Stats.States)
	}
	if !res.Found {
		t.Fatalf("Minimise(%v, order %d) found no violation", tg, order)
	}
	return res
}

// checkMinimal checks that a Minimise result is a schedule that replays and
// ends in a violation of the target, and at no earlier step.
func checkMinimal(t testing.TB, m *model.Model, tg explore.Target, res *explore.Minimal) {
	t.Helper()
	v := res.Violation
	if v.Property != tg.Property || properties.Class(v.Property, v.Message) != tg.Class {
		t.Errorf("violation %s: %q is not of the target %v", v.Property, v.Message, tg)
	}
	if got := explore.Replay(m, v.Trace); len(got) != len(v.Trace) {
		t.Errorf("schedule of %d steps replays only %d:\n%s", len(v.Trace), len(got), join(explore.Render(m, v.Trace)))
	}
	if res.Preemptions != explore.Preemptions(v.Trace) {
		t.Errorf("Preemptions %d, the schedule has %d", res.Preemptions, explore.Preemptions(v.Trace))
	}
	applied, hit, msg := targetHit(m, lookupProp(t, tg.Property), tg, v.Trace)
	switch {
	case applied != len(v.Trace) && hit < 0:
		t.Errorf("step %d of the schedule is not enabled", applied+1)
	case hit != len(v.Trace):
		t.Errorf("schedule of %d steps violates %v after %d steps (want exactly at its end):\n%s",
			len(v.Trace), tg, hit, join(explore.Render(m, v.Trace)))
	case msg != v.Message:
		t.Errorf("replay ends in %q, Minimise reported %q", msg, v.Message)
	}
}

func TestPreemptions(t *testing.T) {
	c := func(cpus ...int8) []model.Step {
		var tr []model.Step
		for _, cpu := range cpus {
			tr = append(tr, model.Step{CPU: cpu})
		}
		return tr
	}
	for _, tc := range []struct {
		trace []model.Step
		want  int
	}{
		{nil, 0},
		{c(1), 0},
		{c(0, 0, 0), 0},
		{c(0, 1), 1},
		{c(0, 0, 1, 1, 0), 2},
		{c(0, 1, 0, 1), 3},
		{append(c(0), model.Step{CPU: 0, Kind: model.KTick}), 0},
	} {
		if got := explore.Preemptions(tc.trace); got != tc.want {
			t.Errorf("Preemptions(%v) = %d, want %d", tc.trace, got, tc.want)
		}
	}
}

// TestMinimiseShortestMatchesBFS: with Order Shortest, Minimise finds a
// schedule as short as BFS's for the class BFS finds first, for every
// property and every broken variant on the balance scenario, and for
// thermal-2008 on the default scenario.
func TestMinimiseShortestMatchesBFS(t *testing.T) {
	type tcase struct {
		variant string
		sc      *model.Scenario
		must    string // a property that must be violated ("": some property)
	}
	var cases []tcase
	must := map[string]string{
		"broken-drl-unordered": "no-deadlock",
		"broken-move-affinity": "affinity",
		"broken-migrate-lost":  "no-lost-task",
		"broken-lb-irqs-on":    "kernel-bug",
	}
	for _, v := range model.Variants() {
		if v.Broken {
			cases = append(cases, tcase{v.Name, model.BalanceScenario(), must[v.Name]})
		}
	}
	cases = append(cases, tcase{"thermal-2008", model.DefaultScenario(), "kernel-bug"})
	for _, tc := range cases {
		t.Run(tc.variant, func(t *testing.T) {
			m := newModel(t, tc.sc, tc.variant)
			found := map[string]bool{}
			for _, p := range properties.All() {
				bfs := search(t, m, explore.Options{Props: []*properties.Property{p}, MaxStates: 1_000_000})
				if len(bfs.Violations) == 0 {
					if !bfs.Complete {
						t.Errorf("%s: BFS stopped (%s)", p.Name, bfs.Stopped)
					}
					continue
				}
				found[p.Name] = true
				v := bfs.Violations[0]
				tg := explore.TargetOf(v)
				res := minimise(t, m, tg, explore.Shortest)
				if got, want := len(res.Violation.Trace), len(v.Trace); got != want {
					t.Errorf("%v: Minimise(Shortest) schedule has %d steps, BFS's %d", tg, got, want)
				}
				// BFS's schedule is one of the shortest: Shortest preempts
				// no more than it.
				if got, bfsPre := res.Preemptions, explore.Preemptions(v.Trace); got > bfsPre {
					t.Errorf("%v: Minimise(Shortest) schedule has %d preemptions, BFS's (as short) %d", tg, got, bfsPre)
				}
				checkMinimal(t, m, tg, res)
			}
			if tc.must != "" && !found[tc.must] || len(found) == 0 {
				t.Errorf("BFS found no violation of %q (found %v)", tc.must, found)
			}
		})
	}
	// The default scenario's class is the 2008 oops.
	m := newModel(t, model.DefaultScenario(), "thermal-2008")
	res := minimise(t, m, explore.Target{Property: "kernel-bug", Class: bug2090Migration}, explore.Shortest)
	if res.Violation.Message != bug2090Migration {
		t.Errorf("thermal-2008 on the default scenario: %q", res.Violation.Message)
	}
}

// lexCost is a lexicographic cost: (steps, preemptions) for Shortest,
// (preemptions, steps) for FewestPreemptions.
type lexCost struct{ a, b int }

func (x lexCost) less(y lexCost) bool { return x.a < y.a || x.a == y.a && x.b < y.b }

func costOf(order explore.Order, steps, preemptions int) lexCost {
	if order == explore.FewestPreemptions {
		return lexCost{preemptions, steps}
	}
	return lexCost{steps, preemptions}
}

// bruteMinimum enumerates every schedule of at most limit steps by DFS
// without a visited set and returns the least cost, in order, of a schedule
// that violates the target (judged as targetHit does), one such schedule,
// and how many schedules it visited. Branches that cannot beat the best
// schedule found so far are cut (both cost components only grow along a
// schedule), so the answer is the exact minimum over schedules of at most
// limit steps. It gives up (ok false) after budget schedules.
func bruteMinimum(m *model.Model, p *properties.Property, tg explore.Target, order explore.Order, limit, budget int) (best lexCost, trace []model.Step, found bool, visited int, ok bool) {
	match := func(msg string) bool { return msg != "" && properties.Class(p.Name, msg) == tg.Class }
	var path []model.Step
	win := func(c lexCost) {
		found, best = true, c
		trace = slices.Clone(path)
	}
	better := func(c lexCost) bool { return !found || c.less(best) }
	ok = true
	var walk func(s *model.State, preemptions int)
	walk = func(s *model.State, preemptions int) {
		if visited++; visited > budget {
			ok = false
		}
		if !ok {
			return
		}
		d := len(path)
		steps := m.Enabled(s, nil)
		if len(steps) == 0 {
			if p.Terminal != nil && match(p.Terminal(m, s)) && better(costOf(order, d, preemptions)) {
				win(costOf(order, d, preemptions))
			}
			return
		}
		if d == limit {
			return
		}
		if d > 0 {
			// Try the running CPU first: cheap schedules are found early
			// and cut more of the rest.
			slices.SortStableFunc(steps, func(x, y model.Step) int {
				return b2i(x.CPU != path[d-1].CPU) - b2i(y.CPU != path[d-1].CPU)
			})
		}
		for _, st := range steps {
			np := preemptions
			if d > 0 && st.CPU != path[d-1].CPU {
				np++
			}
			c := costOf(order, d+1, np)
			if !better(c) {
				continue
			}
			next := *s
			eff := m.Apply(&next, st)
			path = append(path, st)
			if (p.Step != nil && match(p.Step(m, s, st, &eff, &next))) || (p.State != nil && match(p.State(m, &next))) {
				win(c)
			} else {
				walk(&next, np)
			}
			path = path[:d]
		}
	}
	init := m.Init()
	if p.State != nil && match(p.State(m, &init)) {
		return lexCost{}, nil, true, 1, true
	}
	walk(&init, 0)
	return best, trace, found, visited, ok
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A minCase is a scenario, a variant and a target that a tiny scenario
// shows.
type minCase struct {
	name    string
	sc      func() *model.Scenario
	variant string
	target  explore.Target
	// stepsByBFS: the scenario is too big to enumerate every schedule up to
	// the shortest length. Brute-force only the FewestPreemptions order
	// (whose cost bound cuts the enumeration) and take the fewest steps
	// from BFS; then Shortest's preemptions are bounded below by the
	// fewest, and equal to them when a fewest-preemption schedule is as
	// short as BFS's.
	stepsByBFS bool
	// ordersDiffer: the two orders must give different schedules.
	ordersDiffer bool
}

func tinyScenario(tasks []model.TaskSpec, ticks []int, aff []model.AffinityCall) func() *model.Scenario {
	return func() *model.Scenario {
		return &model.Scenario{CPUs: 2, Tasks: slices.Clone(tasks), Ticks: slices.Clone(ticks),
			Affinity: slices.Clone(aff), CacheNiceTries: 1}
	}
}

func minCases() []minCase {
	defaultTicks := func(ticks ...int) func() *model.Scenario {
		return func() *model.Scenario {
			sc := model.DefaultScenario()
			sc.Ticks = ticks
			return sc
		}
	}
	t0t1 := []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0}}
	return []minCase{
		{name: "default/thermal-2008", sc: model.DefaultScenario, variant: "thermal-2008",
			target: explore.Target{Property: "kernel-bug", Class: bug2090Migration}},
		{name: "default-tick-cpu0/thermal-2008/interrupt", sc: defaultTicks(1, 0), variant: "thermal-2008",
			target: explore.Target{Property: "no-deadlock", Class: "deadlock (interrupt)"}},
		// A terminal class: judged where no step is enabled.
		{name: "default-tick-cpu0/thermal-2008/stuck", sc: defaultTicks(1, 0), variant: "thermal-2008",
			target: explore.Target{Property: "no-deadlock", Class: "no step can run while work remains"}},
		{name: "default-tick-cpu0/thermal-2008/kernel-bug", sc: defaultTicks(1, 0), variant: "thermal-2008",
			target: explore.Target{Property: "kernel-bug", Class: bug2090Migration}},
		{name: "two-tasks-ticks/broken-lb-irqs-on", sc: tinyScenario(t0t1, []int{1, 1}, nil), variant: "broken-lb-irqs-on",
			target: explore.Target{Property: "kernel-bug", Class: bug2090Softirq}},
		// A transition property, with a preemption.
		{name: "affinity-to-cpu0/broken-move-affinity", variant: "broken-move-affinity",
			sc:     tinyScenario(t0t1, []int{0, 1}, []model.AffinityCall{{Caller: 0, Target: 1, Mask: []int{0}}}),
			target: explore.Target{Property: "affinity", Class: "affinity"}},
		// Some shortest schedules preempt more than twice.
		{name: "ipi/thermal-2008", variant: "thermal-2008",
			sc: func() *model.Scenario {
				sc := tinyScenario([]model.TaskSpec{{CPU: 0, Running: true}, {CPU: 1}}, []int{0, 0},
					[]model.AffinityCall{{Caller: 0, Target: 1, Mask: []int{0}}})()
				sc.IdleBalance, sc.NewIdleMax = true, 1
				return sc
			},
			target:     explore.Target{Property: "no-deadlock", Class: "deadlock (IPI)"},
			stepsByBFS: true},
		// The shortest schedule preempts twice; one preempting once is
		// longer.
		{name: "pull-back/broken-move-affinity/work-conservation", variant: "broken-move-affinity",
			sc: tinyScenario([]model.TaskSpec{{CPU: 0, Running: true}, {CPU: 1}}, []int{1, 0},
				[]model.AffinityCall{{Caller: 0, Target: 1, Mask: []int{0}}}),
			target:     explore.Target{Property: "work-conservation", Class: "work-conservation"},
			stepsByBFS: true, ordersDiffer: true},
	}
}

// TestMinimiseAgreesWithBruteForce: on tiny scenarios, the cost of
// Minimise's schedule in each order is the least cost of any violating
// schedule that brute-force enumeration finds.
func TestMinimiseAgreesWithBruteForce(t *testing.T) {
	const budget = 300_000
	for _, tc := range minCases() {
		t.Run(tc.name, func(t *testing.T) {
			m := newModel(t, tc.sc(), tc.variant)
			p := lookupProp(t, tc.target.Property)
			short := minimise(t, m, tc.target, explore.Shortest)
			fewest := minimise(t, m, tc.target, explore.FewestPreemptions)
			shortCost := lexCost{len(short.Violation.Trace), short.Preemptions}
			fewestCost := lexCost{fewest.Preemptions, len(fewest.Violation.Trace)}
			checkMinimal(t, m, tc.target, short)
			checkMinimal(t, m, tc.target, fewest)
			// Each order's schedule is a candidate of the other.
			if fewestCost.b < shortCost.a || fewestCost.a > shortCost.b || (fewestCost.b == shortCost.a && fewestCost.a != shortCost.b) {
				t.Errorf("FewestPreemptions (preemptions, steps) %v and Shortest (steps, preemptions) %v contradict each other", fewestCost, shortCost)
			}
			if differ := fewestCost != (lexCost{shortCost.b, shortCost.a}); differ != tc.ordersDiffer {
				t.Errorf("orders differ: %v, want %v (Shortest %v, FewestPreemptions %v)", differ, tc.ordersDiffer, shortCost, fewestCost)
			}

			// (b) fewest preemptions, then fewest steps: every schedule
			// long enough to hold the two answers, and then some.
			limit := 2 * max(shortCost.a+2, fewestCost.b)
			best, tr, found, n, ok := bruteMinimum(m, p, tc.target, explore.FewestPreemptions, limit, budget)
			if !ok {
				t.Fatalf("more than %d schedules of at most %d steps: scenario too big", budget, limit)
			}
			if !found || best != fewestCost {
				t.Errorf("FewestPreemptions: (preemptions, steps) %v; brute force over %d schedules of at most %d steps: %v (found %v)\n%s",
					fewestCost, n, limit, best, found, join(explore.Render(m, tr)))
			}
			t.Logf("FewestPreemptions %v, brute force %d schedules", fewestCost, n)

			// (a) fewest steps, then fewest preemptions.
			if tc.stepsByBFS {
				bfs := search(t, m, explore.Options{Props: []*properties.Property{p}})
				if len(bfs.Violations) == 0 || explore.TargetOf(bfs.Violations[0]) != tc.target {
					t.Fatalf("BFS does not find %v first: %+v", tc.target, bfs.Violations)
				}
				steps := len(bfs.Violations[0].Trace)
				if shortCost.a != steps {
					t.Errorf("Shortest: %d steps, BFS: %d", shortCost.a, steps)
				}
				if shortCost.b < best.a || (best.b == steps && shortCost.b != best.a) {
					t.Errorf("Shortest: %d steps, %d preemptions; brute force: fewest preemptions %d (in %d steps)", shortCost.a, shortCost.b, best.a, best.b)
				}
				return
			}
			limit = shortCost.a + 2
			best, tr, found, n, ok = bruteMinimum(m, p, tc.target, explore.Shortest, limit, budget)
			if !ok {
				t.Fatalf("more than %d schedules of at most %d steps: scenario too big", budget, limit)
			}
			if !found || best != shortCost {
				t.Errorf("Shortest: (steps, preemptions) %v; brute force over %d schedules of at most %d steps: %v (found %v)\n%s",
					shortCost, n, limit, best, found, join(explore.Render(m, tr)))
			}
			t.Logf("Shortest %v, brute force %d schedules", shortCost, n)
		})
	}
}

// TestMinimisedSchedulesAre1Minimal: dropping any one step of a minimised
// schedule gives a schedule that does not apply or never violates the
// target. A schedule with a step dropped (and any prefix of it) has fewer
// steps and no more preemptions, so it is cheaper in both orders: if it
// violated the target, Minimise would not have been minimal. The same
// holds for every proper prefix of the schedule itself.
func TestMinimisedSchedulesAre1Minimal(t *testing.T) {
	type job struct {
		name    string
		sc      *model.Scenario
		variant string
		target  explore.Target
	}
	var jobs []job
	for _, tc := range minCases() {
		jobs = append(jobs, job{tc.name, tc.sc(), tc.variant, tc.target})
	}
	for v, tg := range map[string]explore.Target{
		"broken-drl-unordered": {Property: "no-deadlock", Class: "deadlock (lock order)"},
		"broken-move-affinity": {Property: "affinity", Class: "affinity"},
		"broken-migrate-lost":  {Property: "no-lost-task", Class: "no-lost-task"},
		"broken-lb-irqs-on":    {Property: "kernel-bug", Class: bug2090Softirq},
	} {
		jobs = append(jobs, job{"balance/" + v, model.BalanceScenario(), v, tg})
	}
	slices.SortFunc(jobs, func(a, b job) int { return strings.Compare(a.name, b.name) })
	for _, j := range jobs {
		t.Run(j.name, func(t *testing.T) {
			m := newModel(t, j.sc, j.variant)
			p := lookupProp(t, j.target.Property)
			for _, order := range []explore.Order{explore.Shortest, explore.FewestPreemptions} {
				res := minimise(t, m, j.target, order)
				tr := res.Violation.Trace
				checkMinimal(t, m, j.target, res)
				applying := 0
				for i := range tr {
					dropped := slices.Delete(slices.Clone(tr), i, i+1)
					applied, hit, msg := targetHit(m, p, j.target, dropped)
					if applied == len(dropped) {
						applying++
					}
					if hit >= 0 {
						t.Errorf("order %d: without step %d, the first %d steps (%d preemptions) violate %v: %s\nminimised schedule (%d steps, %d preemptions):\n%s",
							order, i+1, hit, explore.Preemptions(dropped[:hit]), j.target, msg, len(tr), res.Preemptions, join(explore.Render(m, tr)))
					}
				}
				t.Logf("order %d: %d steps, %d preemptions; %d of the schedules with one step dropped apply", order, len(tr), res.Preemptions, applying)
			}
		})
	}
}

// TestMinimiseLimitsAndAbsence: a target nothing violates is settled as
// absent; a bound cuts the search without claiming anything.
func TestMinimiseLimitsAndAbsence(t *testing.T) {
	ctx := context.Background()
	tg := explore.Target{Property: "kernel-bug", Class: bug2090Migration}
	main := newModel(t, model.DefaultScenario(), "mainline-2.6.24")
	for _, order := range []explore.Order{explore.Shortest, explore.FewestPreemptions} {
		res, err := explore.Minimise(ctx, main, tg, explore.MinimiseOptions{Order: order})
		if err != nil || res.Found || !res.Complete {
			t.Errorf("mainline, order %d: found=%v complete=%v err=%v", order, res.Found, res.Complete, err)
		}
	}
	th := newModel(t, model.DefaultScenario(), "thermal-2008")
	// Another class of the same property is not the target.
	other := explore.Target{Property: "kernel-bug", Class: bug2090Softirq}
	if res, err := explore.Minimise(ctx, th, other, explore.MinimiseOptions{}); err != nil || res.Found || !res.Complete {
		t.Errorf("thermal-2008, %v: found=%v complete=%v err=%v", other, res.Found, res.Complete, err)
	}
	res, err := explore.Minimise(ctx, th, tg, explore.MinimiseOptions{MaxStates: 5})
	if err != nil || res.Found || res.Complete || res.Stopped != "max-states" {
		t.Errorf("MaxStates 5: found=%v complete=%v stopped=%q err=%v", res.Found, res.Complete, res.Stopped, err)
	}
	if _, err := explore.Minimise(ctx, th, explore.Target{Property: "no-such-property"}, explore.MinimiseOptions{}); err == nil {
		t.Error("unknown property: no error")
	}
}

func ExampleMinimise() {
	m, _ := model.New(model.DefaultScenario(), "thermal-2008")
	tg := explore.Target{Property: "kernel-bug", Class: bug2090Migration}
	res, _ := explore.Minimise(context.Background(), m, tg, explore.MinimiseOptions{Order: explore.FewestPreemptions})
	fmt.Println(res.Found, res.Complete, len(res.Violation.Trace), "steps,", res.Preemptions, "preemptions")
	// Output:
	// true true 26 steps, 2 preemptions
}
