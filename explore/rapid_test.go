package explore_test

import (
	"context"
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
