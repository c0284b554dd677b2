package explore_test

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// TestMemoryCapStopsEveryStrategy: a cap far below what the process
// already holds stops every strategy cleanly, with Stopped "memory" and
// what it found, where it would otherwise run on for its walks or passes.
func TestMemoryCapStopsEveryStrategy(t *testing.T) {
	m := generatedMainline(t, 3, 3)
	for _, opt := range []explore.Options{
		{Strategy: explore.BFS},
		{Strategy: explore.DFS},
		{Strategy: explore.Random, Walks: 1 << 20},
		{Strategy: explore.PCT, Walks: 1 << 20},
		{Strategy: explore.Bounded, Preemptions: 3},
		{Strategy: explore.Swarm, Walks: 1 << 20, Workers: 2},
	} {
		opt.Memory = 1 << 10
		opt.TimeLimit = 5 * time.Second // without the cap they run on
		res := search(t, m, opt)
		// A swarm whose workers have not yet started a configuration
		// when the watcher's first tick sees the cap stops with none run
		// and no state: a loaded machine can stall them that long. Every
		// other strategy has counted its initial state by then.
		least := int64(1)
		if opt.Strategy == explore.Swarm {
			least = 0
		}
		if res.Complete || res.Stopped != "memory" || res.Stats.States < least || res.MemoryCap != opt.Memory {
			t.Errorf("%s with a 1 KiB cap: complete %v, stopped %q, %d states, cap %d", opt.Strategy, res.Complete, res.Stopped, res.Stats.States, res.MemoryCap)
		}
	}
}

// TestResultWorkers: Result.Workers is the goroutines the strategy ran on.
func TestResultWorkers(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "mainline-2.6.24")
	cases := []struct {
		opt  explore.Options
		want int
	}{
		{explore.Options{Strategy: explore.BFS, Workers: 3}, 3},
		{explore.Options{Strategy: explore.BFS}, 1},
		{explore.Options{Strategy: explore.DFS, Workers: 3}, 1},
		{explore.Options{Strategy: explore.Random, Walks: 10, Workers: 3}, 1},
		{explore.Options{Strategy: explore.PCT, Walks: 10, Workers: 3}, 1},
		{explore.Options{Strategy: explore.Bounded, Workers: 3}, 1},
		{explore.Options{Strategy: explore.Swarm, Walks: 2, Workers: 3}, 3},
		{explore.Options{Strategy: explore.Swarm, Walks: 2}, runtime.GOMAXPROCS(0)},
	}
	for _, c := range cases {
		if res := search(t, m, c.opt); res.Workers != c.want {
			t.Errorf("%s with %d workers asked: Result.Workers %d, want %d", c.opt.Strategy, c.opt.Workers, res.Workers, c.want)
		}
	}
}

// TestAllReportsCopiesTogether: with Options.All, two copies of a property
// (the same judges under two names) fail at the same transitions and
// states, so each strategy reports both with one schedule. A search that
// records only the first failing property of a transition or state
// reports the second copy later, with another schedule, or never.
func TestAllReportsCopiesTogether(t *testing.T) {
	sc, err := model.LoadScenario("../corpus/scenarios/tick-deadlock.json")
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(t, sc, "thermal-2008")
	var props []*properties.Property
	for _, p := range properties.All() {
		for _, suffix := range []string{"#1", "#2"} {
			c := *p
			c.Name += suffix
			props = append(props, &c)
		}
	}
	for _, opt := range []explore.Options{
		{Strategy: explore.BFS, Workers: 1},
		{Strategy: explore.BFS, Workers: 2, POR: true, Symmetry: true, Chains: true},
		{Strategy: explore.DFS},
		{Strategy: explore.DFS, POR: true, Chains: true},
		{Strategy: explore.Random, Seed: 2, Walks: 2000},
		{Strategy: explore.PCT, Seed: 2, Walks: 2000},
		{Strategy: explore.Bounded},
		{Strategy: explore.Swarm, Seed: 2, Walks: 50, Workers: 2},
	} {
		opt.All, opt.Props = true, props
		res := search(t, m, opt)
		byName := map[string]explore.Violation{}
		for _, v := range res.Violations {
			byName[v.Property] = v
		}
		if len(byName) == 0 {
			t.Errorf("%s %+v: no violation", opt.Strategy, opt)
		}
		for name, v := range byName {
			base := strings.TrimSuffix(strings.TrimSuffix(name, "#1"), "#2")
			a, okA := byName[base+"#1"]
			b, okB := byName[base+"#2"]
			if !okA || !okB || !slices.Equal(a.Trace, b.Trace) || a.Message != b.Message {
				t.Errorf("%s POR %v chains %v: %s reported after %d steps; copies: %v after %d steps, %v after %d steps",
					opt.Strategy, opt.POR, opt.Chains, name, len(v.Trace), okA, len(a.Trace), okB, len(b.Trace))
			}
		}
	}
}
