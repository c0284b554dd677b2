package explore_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
)

// TestMemoryCapStopsEveryStrategy: a cap far below what the process
// already holds stops every strategy cleanly, with Stopped "memory" and
// what it found, where it would otherwise run on for its walks or passes.
func TestMemoryCapStopsEveryStrategy(t *testing.T) {
	sc, err := model.GenerateScenario(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(t, sc, "mainline-2.6.24")
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
		if res.Complete || res.Stopped != "memory" || res.Stats.States < 1 || res.MemoryCap != opt.Memory {
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
