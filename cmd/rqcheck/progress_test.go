package main

import (
	"testing"
	"time"

	"github.com/rqcheck/rqcheck/explore"
)

// TestProgressLine: BFS shows its level and frontier, DFS its depth, the
// walk strategies their steps and runs (bounded: the pass under way), and
// the time left comes from --max-states, the search's ETA or the time
// limit, in that order.
func TestProgressLine(t *testing.T) {
	sec := time.Second
	for _, tc := range []struct {
		name      string
		p         explore.Progress
		maxStates int64
		limit     time.Duration
		want      string
	}{
		{"bfs", explore.Progress{Strategy: explore.BFS, States: 2000, Depth: 7, Frontier: 300, Done: 100, Bytes: 5 << 20, Elapsed: 2 * sec},
			0, 0, "2000 states  1000/s  depth 7  frontier 100/300  5 MiB  2s"},
		{"dfs", explore.Progress{Strategy: explore.DFS, States: 2000, Depth: 40, Elapsed: 2 * sec},
			4000, 0, "2000 states  1000/s  depth 40  0 MiB  2s  ETA 2s"},
		{"random", explore.Progress{Strategy: explore.Random, States: 3000, Transitions: 9000, Runs: 250, TotalRuns: 1000, Elapsed: 3 * sec, ETA: 9 * sec},
			0, 0, "3000 states  1000/s  9000 steps  runs 250/1000  0 MiB  3s  ETA 9s"},
		{"swarm, time limit", explore.Progress{Strategy: explore.Swarm, States: 1000, Transitions: 10, Runs: 3, Elapsed: sec},
			0, 5 * sec, "1000 states  1000/s  10 steps  runs 3  0 MiB  1s  time left 4s"},
		{"bounded", explore.Progress{Strategy: explore.Bounded, States: 1000, Transitions: 10, Runs: 1, TotalRuns: 3, Elapsed: sec},
			0, 0, "1000 states  1000/s  10 steps  pass 2/3  0 MiB  1s"},
	} {
		if got := progressLine(tc.p, tc.maxStates, tc.limit); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}
