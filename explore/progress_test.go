package explore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// TestProgressEveryStrategy: every strategy reports progress while it
// runs, with the counters it knows, never going back; a known total of
// runs gives an estimate of the time left, and so does a time limit.
func TestProgressEveryStrategy(t *testing.T) {
	defer func(d time.Duration) { progressEvery = d }(progressEvery)
	progressEvery = 0 // every tick of watch
	m, err := model.New(model.BalanceScenario(), "mainline-2.6.24")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := model.GenerateScenario(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	big, err := model.New(sc, "mainline-2.6.24")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		m         *model.Model
		opt       Options
		totalRuns int64 // 0: not known
		runs      bool  // Runs counts up
	}{
		{"random", m, Options{Strategy: Random, Walks: 1 << 30, TimeLimit: 300 * time.Millisecond}, 1 << 30, true},
		{"pct", m, Options{Strategy: PCT, TimeLimit: 300 * time.Millisecond}, 0, true},
		{"bounded", big, Options{Strategy: Bounded, Preemptions: 4, TimeLimit: 300 * time.Millisecond}, 5, false},
		{"swarm", m, Options{Strategy: Swarm, Walks: 1 << 30, Workers: 2, TimeLimit: 300 * time.Millisecond}, 0, false},
		{"swarm-runs", big, Options{Strategy: Swarm, Walks: 1000, Workers: 2, Shard: Shard{1, 4}}, 16, true},
		{"dfs", big, Options{Strategy: DFS, TimeLimit: 300 * time.Millisecond}, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var (
				mu    sync.Mutex
				snaps []Progress
			)
			c.opt.Props = properties.Default()
			c.opt.Progress = func(p Progress) {
				mu.Lock()
				snaps = append(snaps, p)
				mu.Unlock()
			}
			res, err := Run(context.Background(), c.m, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(snaps) == 0 {
				t.Fatalf("%d progress reports in %v", len(snaps), res.Stats.Elapsed)
			}
			for i, p := range snaps {
				if p.Strategy != c.opt.Strategy || p.States <= 0 || p.Bytes <= 0 || p.Elapsed <= 0 || p.TotalRuns != c.totalRuns {
					t.Fatalf("report %d: %+v", i, p)
				}
				if p.States > res.Stats.States && c.opt.Strategy != Swarm { // a swarm's dropped configs count while they run
					t.Errorf("report %d: %d states, the result %d", i, p.States, res.Stats.States)
				}
				if c.opt.Strategy != DFS && c.opt.Strategy != BFS && (p.Transitions <= 0 || p.Transitions > res.Stats.Transitions && c.opt.Strategy != Swarm) {
					t.Errorf("report %d: %d transitions, the result %d", i, p.Transitions, res.Stats.Transitions)
				}
				if c.opt.TimeLimit > 0 && (p.ETA <= 0 || p.ETA > c.opt.TimeLimit) {
					t.Errorf("report %d: ETA %v with a time limit of %v", i, p.ETA, c.opt.TimeLimit)
				}
				if c.totalRuns > 0 && c.opt.TimeLimit == 0 && p.Runs > 0 && p.ETA <= 0 {
					t.Errorf("report %d: %d of %d runs, no ETA", i, p.Runs, p.TotalRuns)
				}
				if i > 0 {
					q := snaps[i-1]
					if p.States < q.States || p.Transitions < q.Transitions || p.Runs < q.Runs || p.Elapsed < q.Elapsed {
						t.Errorf("report %d went back: %+v after %+v", i, p, q)
					}
				}
			}
			if last := snaps[len(snaps)-1]; c.runs && last.Runs == 0 {
				t.Errorf("no run counted: %+v", last)
			}
		})
	}
}
