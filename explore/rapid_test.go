package explore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// genScenario draws a small valid scenario: 2-3 CPUs, 1-3 tasks with random
// masks and placement, 0-1 ticks per CPU, maybe an affinity call.
func genScenario(t *rapid.T) *model.Scenario {
	cpus := rapid.IntRange(2, 3).Draw(t, "cpus")
	ntasks := rapid.IntRange(1, 3).Draw(t, "tasks")
	sc := &model.Scenario{CPUs: cpus, CacheNiceTries: rapid.IntRange(0, 1).Draw(t, "cnt")}
	running := make([]bool, cpus)
	for i := 0; i < ntasks; i++ {
		mask := rapid.IntRange(1, 1<<cpus-1).Draw(t, "mask")
		var allowed []int
		for c := 0; c < cpus; c++ {
			if mask&(1<<c) != 0 {
				allowed = append(allowed, c)
			}
		}
		c := rapid.SampledFrom(allowed).Draw(t, "cpu")
		run := !running[c] && rapid.Bool().Draw(t, "running")
		running[c] = running[c] || run
		sc.Tasks = append(sc.Tasks, model.TaskSpec{CPU: c, Running: run, Allowed: allowed,
			Weight: rapid.IntRange(1, 3).Draw(t, "weight"), CacheHot: rapid.Bool().Draw(t, "hot")})
	}
	for c := 0; c < cpus; c++ {
		sc.Ticks = append(sc.Ticks, rapid.IntRange(0, 1).Draw(t, "ticks"))
	}
	sc.IdleBalance = rapid.Bool().Draw(t, "idle")
	sc.NewIdleMax = 1
	sc.BalanceFailed = rapid.IntRange(0, 3).Draw(t, "failed")
	if ntasks >= 2 && rapid.Bool().Draw(t, "call") {
		target := rapid.IntRange(1, ntasks-1).Draw(t, "target")
		sc.Affinity = []model.AffinityCall{{Caller: 0, Target: target, Mask: []int{rapid.IntRange(0, cpus-1).Draw(t, "dest")}}}
	}
	if err := sc.Validate(); err != nil {
		t.Fatalf("generator made an invalid scenario: %v", err)
	}
	return sc
}

// TestMainlineHoldsOnRandomScenarios: exhaustive search of mainline-2.6.24
// finds no violation on small scenarios (searches over 200,000 states are
// cut there: no violation in the part explored).
func TestMainlineHoldsOnRandomScenarios(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sc := genScenario(t)
		m, err := model.New(sc, "mainline-2.6.24")
		if err != nil {
			t.Fatal(err)
		}
		res, err := explore.Run(context.Background(), m, explore.Options{Props: properties.Default(), MaxStates: 200_000})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range res.Violations {
			t.Fatalf("scenario %s: %s: %s\n%s", sc, v.Property, v.Message, join(explore.Render(m, v.Trace)))
		}
		if !res.Complete && res.Stopped != "max-states" {
			t.Fatalf("scenario %s: search stopped: %s", sc, res.Stopped)
		}
	})
}

// TestReductionsMatchPlainOnRandomScenarios is the differential test of
// the whole explorer on drawn scenarios: for a random small scenario, a
// random variant with random knob settings, and a random combination of
// strategy (bfs, dfs), store (exact, fingerprint), POR, symmetry, chain
// compression and workers, the search checks every property to the end
// (Options.All) and must find exactly the properties the plain search
// (BFS, exact store, no reduction) finds, in no more states, with
// schedules that replay, and take steps from exactly the same PCs
// (Stats.Reached). Scenarios whose plain search passes 50,000
// states, or stays under 50, are drawn again. More cases: -rapid.checks 2000.
func TestReductionsMatchPlainOnRandomScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("the race run covers the parallel searches in TestReductionsMatchPlain")
	}
	rapid.Check(t, func(t *rapid.T) {
		sc := genScenario(t)
		v := rapid.SampledFrom(model.Variants()).Draw(t, "variant")
		for _, k := range v.Knobs {
			if sc.Knobs == nil {
				sc.Knobs = map[string]string{}
			}
			sc.Knobs[k.Name] = rapid.SampledFrom(k.Values).Draw(t, "knob "+k.Name)
		}
		m, err := model.New(sc, v.Name)
		if err != nil {
			t.Fatalf("%s on %s: %v", v.Name, sc, err)
		}
		run := func(o explore.Options) *explore.Result {
			o.All, o.Props = true, properties.All()
			res, err := explore.Run(context.Background(), m, o)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		plain := run(explore.Options{Store: explore.Exact, MaxStates: 50_000})
		if !plain.Complete || plain.Stats.States < 50 {
			t.Skip("plain search over 50,000 states, or under 50: nothing to reduce")
		}
		o := explore.Options{
			Strategy: rapid.SampledFrom([]explore.Strategy{explore.BFS, explore.DFS}).Draw(t, "strategy"),
			Store:    rapid.SampledFrom([]explore.StoreKind{explore.Exact, explore.Fingerprint}).Draw(t, "store"),
			POR:      rapid.Bool().Draw(t, "por"),
			Symmetry: rapid.Bool().Draw(t, "symmetry"),
			Chains:   rapid.Bool().Draw(t, "chains"),
		}
		if o.Strategy == explore.BFS {
			o.Workers = rapid.IntRange(1, 2).Draw(t, "workers")
		}
		red := run(o)
		name := fmt.Sprintf("%s %v on %s: %s, %s store, workers %d, por %v, symmetry %v, chains %v",
			v.Name, sc.Knobs, sc, o.Strategy, o.Store, o.Workers, o.POR, o.Symmetry, o.Chains)
		if code := m.StepPCs(); plain.Stats.Reached.Minus(&code).Len() != 0 {
			t.Fatalf("%s: plain search took steps at PCs %v, not in the model's StepPCs", name, plain.Stats.Reached.Minus(&code).PCs())
		}
		if problems := disagreements(m, plain, red); len(problems) > 0 {
			t.Fatalf("%s: %s", name, strings.Join(problems, "; "))
		}
	})
}
