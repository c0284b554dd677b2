package explore

import (
	"context"
	"fmt"
	"testing"

	"github.com/rqcheck/rqcheck/model"
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
// completeness and violations (each with its schedule, but for two
// workers, whose schedules depend on timing), for BFS with one and two
// workers and for DFS, on every variant of the fixed scenarios.
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
	cases = append(cases, porCase{"symmetric-3cpu", symmetricScenario(t)})
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
				// With two workers the schedule kept depends on timing
				// (bfs.go): compare the properties only.
				if x, y := fmt.Sprint(violationsOf(a, r.workers == 1)), fmt.Sprint(violationsOf(b, r.workers == 1)); x != y {
					t.Errorf("%s: violated with the cache %s, without %s", name, x, y)
				}
				compared++
			}
		}
	}
	t.Logf("%d searches compared", compared)
}

// violationsOf lists r's violated properties, each with its schedule if
// traces is true.
func violationsOf(r *Result, traces bool) []string {
	var out []string
	for _, v := range r.Violations {
		if traces {
			out = append(out, fmt.Sprintf("%s %v", v.Property, v.Trace))
		} else {
			out = append(out, v.Property)
		}
	}
	return out
}

// symmetricScenario is README's scenario with interchangeable tasks, on
// which symmetry reduction removes states: 3 CPUs, three tasks on CPU 0
// and one on CPU 1.
func symmetricScenario(t testing.TB) *model.Scenario {
	sc, err := model.ParseScenario([]byte(`{"cpus":3,"tasks":[{"cpu":0,"running":true},{"cpu":0},{"cpu":0},{"cpu":1,"running":true}],"ticks":[1,1,1],"idle_balance":true,"newidle_max":1}`))
	if err != nil {
		t.Fatal(err)
	}
	return sc
}
