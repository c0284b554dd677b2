package explore

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

var porSweep = flag.Bool("por.sweep", false, "run the bigger partial-order reduction sweep")

// porOutcome is what one exhaustive search found.
type porOutcome struct {
	states    int
	trans     int
	terminals map[string]bool // encodings of the terminal states reached
	violated  map[string]bool // names of the properties violated somewhere
	bugs      map[string]bool // kernel-bug reports (one per BUG terminal state)
	cut       bool            // the state limit stopped the search
	proviso   int             // states the cycle proviso expanded fully
	reduced   int             // states whose ample set was smaller than enabled
}

// porSearch is a plain stateful DFS over m with a Go map as the visited
// set, judging State judges on every visited state, Step judges on every
// explored transition and Terminal judges on terminal states. With reduce
// it explores persistent(...) of each state, fully expanding a state when
// an ample successor is on the DFS stack (the cycle proviso). It stops
// after limit states (0: none).
func porSearch(m *model.Model, props []*properties.Property, reduce bool, limit int) porOutcome {
	sc := m.Sc
	out := porOutcome{terminals: map[string]bool{}, violated: map[string]bool{}, bugs: map[string]bool{}}
	vis := visibility(props)
	// onStack: 1 on the DFS stack, 2 done.
	seen := map[string]uint8{}
	judgeState := func(s *model.State) {
		for _, p := range props {
			if p.State != nil {
				if msg := p.State(m, s); msg != "" {
					out.violated[p.Name] = true
					if p == properties.KernelBug {
						out.bugs[msg] = true
					}
				}
			}
		}
	}
	type frame struct {
		s     model.State
		key   string
		steps []model.Step
		next  int
	}
	init := m.Init()
	key := string(model.Encode(nil, &init, sc))
	judgeState(&init)
	var buf, amp []model.Step
	var stack []frame
	push := func(s *model.State, key string) {
		seen[key] = 1
		out.states++
		buf = m.Enabled(s, buf)
		if len(buf) == 0 {
			out.terminals[key] = true
			for _, p := range props {
				if p.Terminal != nil && p.Terminal(m, s) != "" {
					out.violated[p.Name] = true
				}
			}
			seen[key] = 2
			return
		}
		steps := buf
		if reduce {
			// A copy: persistent may return buf itself, and amp's storage
			// is reused below and by the next call.
			amp = append(amp[:0:0], persistent(m, s, buf, vis, nil)...)
			if len(amp) < len(buf) {
				// Cycle proviso: expand fully if an ample successor is on
				// the stack.
				for _, st := range amp {
					n := *s
					m.Apply(&n, st)
					if seen[string(model.Encode(nil, &n, sc))] == 1 {
						amp = append(amp[:0], buf...)
						out.proviso++
						break
					}
				}
			}
			if len(amp) < len(buf) {
				out.reduced++
			}
			steps = amp
		}
		stack = append(stack, frame{s: *s, key: key, steps: slices.Clone(steps)})
	}
	push(&init, key)
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next == len(top.steps) {
			seen[top.key] = 2
			stack = stack[:len(stack)-1]
			continue
		}
		st := top.steps[top.next]
		top.next++
		next := top.s
		eff := m.Apply(&next, st)
		out.trans++
		for _, p := range props {
			if p.Step != nil && p.Step(m, &top.s, st, &eff, &next) != "" {
				out.violated[p.Name] = true
			}
		}
		k := string(model.Encode(nil, &next, sc))
		if seen[k] != 0 {
			continue
		}
		if limit > 0 && out.states >= limit {
			out.cut = true
			return out
		}
		judgeState(&next)
		push(&next, k)
	}
	return out
}

func porNames(set map[string]bool) string {
	var names []string
	for k := range set {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// porRandomScenario draws a small valid scenario: 2 or 3 CPUs, 1 to 4
// tasks with random placement, masks, weights and cache-hotness, a few
// ticks, idle balance, nr_balance_failed and cache_nice_tries, address
// order, and up to two sched_setaffinity calls.
func porRandomScenario(rng *rand.Rand) *model.Scenario {
	for {
		cpus := 2 + min(rng.IntN(3), 1)
		ntasks := 1 + rng.IntN(4)
		sc := &model.Scenario{CPUs: cpus, CacheNiceTries: rng.IntN(2), BalanceFailed: rng.IntN(4)}
		running := make([]bool, cpus)
		for i := 0; i < ntasks; i++ {
			mask := 1 + rng.IntN(1<<cpus-1)
			var allowed []int
			for c := 0; c < cpus; c++ {
				if mask&(1<<c) != 0 {
					allowed = append(allowed, c)
				}
			}
			c := allowed[rng.IntN(len(allowed))]
			run := !running[c] && rng.IntN(3) > 0
			running[c] = running[c] || run
			if len(allowed) == cpus && rng.IntN(2) == 0 {
				allowed = nil
			}
			sc.Tasks = append(sc.Tasks, model.TaskSpec{CPU: c, Running: run, Allowed: allowed, Weight: 1 + rng.IntN(3), CacheHot: rng.IntN(4) == 0})
		}
		for c := 0; c < cpus; c++ {
			sc.Ticks = append(sc.Ticks, rng.IntN(2)*rng.IntN(3))
		}
		if cpus == 3 {
			sc.Ticks[rng.IntN(3)] = 0
		}
		if rng.IntN(2) == 0 {
			sc.IdleBalance, sc.NewIdleMax = true, 1
		}
		if ntasks >= 2 {
			for k := rng.IntN(3); k > 0; k-- {
				var mask []int
				for c := 0; c < cpus; c++ {
					if rng.IntN(2) == 0 {
						mask = append(mask, c)
					}
				}
				if len(mask) == 0 {
					mask = []int{rng.IntN(cpus)}
				}
				sc.Affinity = append(sc.Affinity, model.AffinityCall{Caller: 0, Target: 1 + rng.IntN(ntasks-1), Mask: mask})
			}
		}
		if rng.IntN(3) == 0 {
			sc.AddrOrder = rng.Perm(cpus)
		}
		if sc.Validate() == nil {
			return sc
		}
	}
}

// porVariants lists every variant with every combination of its knobs.
func porVariants() []struct {
	name  string
	knobs map[string]string
} {
	var out []struct {
		name  string
		knobs map[string]string
	}
	for _, v := range model.Variants() {
		settings := []map[string]string{{}}
		for _, k := range v.Knobs {
			var next []map[string]string
			for _, prev := range settings {
				for _, val := range k.Values {
					x := map[string]string{k.Name: val}
					for n, v := range prev {
						x[n] = v
					}
					next = append(next, x)
				}
			}
			settings = next
		}
		for _, kn := range settings {
			out = append(out, struct {
				name  string
				knobs map[string]string
			}{v.Name, kn})
		}
	}
	return out
}

func knobString(k map[string]string) string {
	var parts []string
	for n, v := range k {
		parts = append(parts, n+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ",")
}

// porCase is one scenario of the differential test.
type porCase struct {
	name string
	sc   *model.Scenario
}

// mainlineModel is mainline-2.6.24 on model.GenerateScenario(cpus, tasks),
// the scenarios of the targets.
func mainlineModel(tb testing.TB, cpus, tasks int) *model.Model {
	tb.Helper()
	sc, err := model.GenerateScenario(cpus, tasks)
	if err != nil {
		tb.Fatal(err)
	}
	m, err := model.New(sc, "mainline-2.6.24")
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// porFixedCases are the default and balance scenarios, the corpus's
// scenarios and pinned-3cpu.
func porFixedCases(t testing.TB) []porCase {
	t.Helper()
	out := []porCase{{"default", model.DefaultScenario()}, {"balance", model.BalanceScenario()}}
	files, _ := filepath.Glob("../corpus/scenarios/*.json")
	files = append(files, "../model/testdata/pinned-3cpu.json")
	for _, f := range files {
		sc, err := model.LoadScenario(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, porCase{strings.TrimSuffix(filepath.Base(f), ".json"), sc})
	}
	return out
}

// porModel is a scenario bound to a variant and knob setting.
type porModel struct {
	name    string // scenario/variant[/knobs]
	m       *model.Model
	knobbed bool // a knob is set
}

// porBind binds pc to every variant with every combination of its knobs
// (porVariants), in that order.
func porBind(t testing.TB, pc porCase) []porModel {
	t.Helper()
	var out []porModel
	for _, v := range porVariants() {
		sc := pc.sc.Clone()
		sc.Knobs = v.knobs
		m, err := model.New(sc, v.name)
		if err != nil {
			t.Fatal(err)
		}
		name := pc.name + "/" + v.name
		if len(v.knobs) > 0 {
			name += "/" + knobString(v.knobs)
		}
		out = append(out, porModel{name, m, len(v.knobs) > 0})
	}
	return out
}

func porCases(t testing.TB, sweep bool) []porCase {
	t.Helper()
	var out []porCase
	for tasks := 1; tasks <= 4; tasks++ {
		sc, err := model.GenerateScenario(2, tasks)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, porCase{fmt.Sprintf("gen2x%d", tasks), sc})
	}
	if sweep {
		for tasks := 1; tasks <= 2; tasks++ {
			sc, _ := model.GenerateScenario(3, tasks)
			out = append(out, porCase{fmt.Sprintf("gen3x%d", tasks), sc})
		}
	}
	out = append(out, porFixedCases(t)...)
	// Random scenarios, kept if their mainline state space is neither
	// trivial nor over the limit.
	n, limit := 12, 40000
	switch {
	case sweep:
		n, limit = 150, 400000
	case testing.Short():
		n, limit = 6, 8000
	}
	props := properties.All()
	rng := rand.New(rand.NewPCG(2024, 4))
	for i := 0; len(out) < 10+n && i < 50*n; i++ {
		sc := porRandomScenario(rng)
		m, err := model.New(sc, "mainline-2.6.24")
		if err != nil {
			t.Fatal(err)
		}
		if r := porSearch(m, props, false, limit); r.cut || r.states < 300 {
			continue
		}
		out = append(out, porCase{fmt.Sprintf("random%03d", i), sc})
	}
	return out
}

// TestPORMatchesPlainSearch is the differential test of persistent():
// on small scenarios, for every variant and knob setting, a search that
// explores only persistent sets reaches exactly the terminal states of
// the plain search, finds exactly the same violated properties (and the
// same kernel BUG reports), and visits no more states. It runs with all
// properties (no-lost-task and affinity make runqueues and tasks
// visible) and with the properties that need no visibility. Scenarios
// whose plain search exceeds a state limit are left out.
func TestPORMatchesPlainSearch(t *testing.T) {
	sweep := *porSweep
	limit := 40000
	if sweep {
		limit = 2000000
	}
	if testing.Short() {
		limit = 8000
	}
	cases := porCases(t, sweep)
	stable := []*properties.Property{properties.KernelBug, properties.NoDeadlock, properties.WorkConservation}
	propSets := []struct {
		name  string
		props []*properties.Property
	}{{"all", properties.All()}, {"stable", stable}}
	start := time.Now()
	var plainTotal, redTotal [2]int
	ran, skipped := 0, 0
	for _, pc := range cases {
		for _, pm := range porBind(t, pc) {
			m, name := pm.m, pm.name
			var ratios []string
			for i, ps := range propSets {
				plain := porSearch(m, ps.props, false, limit)
				if plain.cut {
					skipped++
					break
				}
				red := porSearch(m, ps.props, true, 0)
				ran++
				plainTotal[i] += plain.states
				redTotal[i] += red.states
				if red.proviso > 0 {
					t.Errorf("%s (%s): the cycle proviso fired in %d states: the state graph has a cycle", name, ps.name, red.proviso)
				}
				if red.states > plain.states {
					t.Errorf("%s (%s): reduced search visits %d states, plain %d", name, ps.name, red.states, plain.states)
				}
				if a, b := porNames(plain.terminals), porNames(red.terminals); a != b {
					t.Errorf("%s (%s): terminal states differ: plain %d, reduced %d", name, ps.name, len(plain.terminals), len(red.terminals))
				}
				if a, b := porNames(plain.violated), porNames(red.violated); a != b {
					t.Errorf("%s (%s): violated properties differ: plain [%s], reduced [%s]", name, ps.name, a, b)
				}
				if a, b := porNames(plain.bugs), porNames(red.bugs); a != b {
					t.Errorf("%s (%s): kernel BUG reports differ:\nplain   %s\nreduced %s", name, ps.name, a, b)
				}
				ratios = append(ratios, fmt.Sprintf("%s %d/%d=%.2f", ps.name, plain.states, red.states, float64(plain.states)/float64(red.states)))
			}
			if len(ratios) > 0 && (!pm.knobbed || sweep) {
				t.Logf("%-40s %s", name, strings.Join(ratios, "  "))
			}
		}
	}
	for i, ps := range propSets {
		if redTotal[i] > 0 {
			t.Logf("total (%s): plain %d states, reduced %d: %.2fx", ps.name, plainTotal[i], redTotal[i], float64(plainTotal[i])/float64(redTotal[i]))
		}
	}
	t.Logf("%d searches compared, %d configurations over %d states left out, %v", ran, skipped, limit, time.Since(start).Round(time.Millisecond))
	if ran == 0 {
		t.Fatal("nothing compared")
	}
}

// TestPORReducesGenerated reports the reduction on the product's target
// sizes, GenerateScenario(3, n) on mainline-2.6.24, with the default
// properties and with kernel-bug and no-deadlock only, and checks that the
// reduced search agrees with the plain one. It runs only with -por.sweep
// (the plain search of 3 CPUs / 4 tasks visits 3.5 million states).
func TestPORReducesGenerated(t *testing.T) {
	if !*porSweep {
		t.Skip("run with -por.sweep")
	}
	for tasks := 1; tasks <= 4; tasks++ {
		m := mainlineModel(t, 3, tasks)
		for _, pl := range []string{"default", "kernel-bug,no-deadlock"} {
			props, err := properties.Select(pl)
			if err != nil {
				t.Fatal(err)
			}
			t0 := time.Now()
			plain := porSearch(m, props, false, 0)
			t1 := time.Now()
			red := porSearch(m, props, true, 0)
			t2 := time.Now()
			if porNames(plain.terminals) != porNames(red.terminals) || porNames(plain.violated) != porNames(red.violated) {
				t.Errorf("3x%d %s: reduced search differs from plain", tasks, pl)
			}
			t.Logf("3 CPUs, %d tasks, %-22s plain %8d states (%v), reduced %8d (%v): %.2fx; %d of %d states reduced",
				tasks, pl, plain.states, t1.Sub(t0).Round(time.Millisecond), red.states, t2.Sub(t1).Round(time.Millisecond),
				float64(plain.states)/float64(red.states), red.reduced, red.states)
		}
	}
}

// BenchmarkPOR reports the states a persistent-set search visits on
// GenerateScenario(3, 4), mainline-2.6.24, with the default properties
// and with kernel-bug and no-deadlock only.
func BenchmarkPOR(b *testing.B) {
	m := mainlineModel(b, 3, 4)
	for _, pl := range []string{"default", "kernel-bug,no-deadlock"} {
		props, err := properties.Select(pl)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.ReplaceAll(pl, ",", "+"), func(b *testing.B) {
			var states int
			for b.Loop() {
				states = porSearch(m, props, true, 0).states
			}
			b.ReportMetric(float64(states), "states")
		})
	}
}
