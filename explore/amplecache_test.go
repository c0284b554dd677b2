package explore

import (
	"context"
	"fmt"
	"testing"

	"github.com/rqcheck/rqcheck/properties"
)

// TestAmpleCacheChangesNothing: keeping each stored state's persistent set
// from its discovery (chainStep's CPU set, in the level record or the DFS
// frame) gives exactly the search that computes it again at expansion:
// the same states, transitions, depth and violated properties, for BFS
// with one and two workers and for DFS, on every variant of the fixed
// scenarios.
func TestAmpleCacheChangesNothing(t *testing.T) { sameSearchWithout(t, &testNoAmpleCache) }

// sameSearchWithout checks that a search with the cache that *off turns
// off is the search without it: the same states, transitions, depth,
// completeness and violations (each with its schedule), for BFS with one
// and two workers and for DFS, on every variant of the fixed scenarios.
func sameSearchWithout(t *testing.T, off *bool) {
	type run struct {
		strategy Strategy
		workers  int
	}
	runs := []run{{BFS, 1}, {BFS, 2}, {DFS, 1}}
	cases := porFixedCases(t)
	if testing.Short() {
		cases = cases[:2]
	}
	compared := 0
	for _, pc := range cases {
		for _, pm := range porBind(t, pc) {
			if pm.knobbed && testing.Short() {
				continue
			}
			for _, r := range runs {
				opt := Options{Strategy: r.strategy, Workers: r.workers, POR: true, Symmetry: true, Chains: true,
					All: true, Props: properties.All(), MaxStates: 200000}
				res := [2]*Result{}
				for i, o := range []bool{false, true} {
					*off = o
					got, err := Run(context.Background(), pm.m, opt)
					*off = false
					if err != nil {
						t.Fatal(err)
					}
					res[i] = got
				}
				name := fmt.Sprintf("%s/%s/%d", pm.name, r.strategy, r.workers)
				a, b := res[0], res[1]
				a.Stats.Elapsed, b.Stats.Elapsed = 0, 0
				if a.Stats != b.Stats || a.Complete != b.Complete {
					t.Errorf("%s: with the cache %+v (complete %v), without %+v (complete %v)", name, a.Stats, a.Complete, b.Stats, b.Complete)
				}
				if x, y := fmt.Sprint(violationsOf(a)), fmt.Sprint(violationsOf(b)); x != y {
					t.Errorf("%s: violated with the cache %s, without %s", name, x, y)
				}
				compared++
			}
		}
	}
	t.Logf("%d searches compared", compared)
}

// violationsOf lists r's violations, each property with its schedule.
func violationsOf(r *Result) []string {
	var out []string
	for _, v := range r.Violations {
		out = append(out, fmt.Sprintf("%s %v", v.Property, v.Trace))
	}
	return out
}
