package explore_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

type dfsCase struct {
	name    string
	sc      *model.Scenario
	variant string
}

// dfsCases are the scenarios of the DFS differential tests: the small ones
// with every variant, and (but with -short) two larger 3-CPU ones. Twins
// has interchangeable tasks, so symmetry reduction stores fewer states.
func dfsCases(t *testing.T) []dfsCase {
	gen := func(cpus, tasks int) *model.Scenario {
		sc, err := model.GenerateScenario(cpus, tasks)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	twins := &model.Scenario{CPUs: 2, Tasks: []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0}, {CPU: 0}}, Ticks: []int{1, 1},
		IdleBalance: true, NewIdleMax: 1, CacheNiceTries: 1}
	var cases []dfsCase
	for _, sc := range []struct {
		name string
		sc   *model.Scenario
	}{
		{"balance", model.BalanceScenario()}, {"default", model.DefaultScenario()},
		{"gen2x1", gen(2, 1)}, {"gen2x2", gen(2, 2)}, {"twins", twins},
	} {
		for _, v := range model.Variants() {
			cases = append(cases, dfsCase{sc.name, sc.sc, v.Name})
		}
	}
	if !testing.Short() {
		cases = append(cases, dfsCase{"gen3x2", gen(3, 2), "broken-lb-irqs-on"}, dfsCase{"gen3x3", gen(3, 3), "thermal-2008"})
	}
	return cases
}

// checkReplays checks that every schedule res reports replays to its
// violation.
func checkReplays(t *testing.T, name string, m *model.Model, res *explore.Result) {
	t.Helper()
	for _, v := range res.Violations {
		p, _ := properties.Lookup(v.Property)
		if msg, err := violates(m, p, v.Trace); err != nil || msg == "" {
			t.Errorf("%s: %s schedule does not replay: %v", name, v.Property, err)
		}
	}
}

// TestDFSMatchesBFS is the differential test of DFS's stores and
// reductions against BFS, checking every property to completion: DFS with
// each store, with POR, with symmetry and with both reports the same
// violated properties as plain BFS, with schedules that replay. Without
// reductions, the exact and fingerprint stores visit exactly BFS's states
// and transitions; with POR alone, or symmetry alone, DFS visits as many
// states as BFS with the same reduction (persistent sets depend on the
// state alone, and the orbits reached do not depend on the order), and
// never more than plain search.
func TestDFSMatchesBFS(t *testing.T) {
	all := properties.All()
	for _, c := range dfsCases(t) {
		m := newModel(t, c.sc, c.variant)
		name := c.name + "/" + c.variant
		plain := search(t, m, explore.Options{All: true, Props: all})
		if !plain.Complete {
			t.Fatalf("%s: BFS incomplete (%s)", name, plain.Stopped)
		}
		por := search(t, m, explore.Options{All: true, Props: all, POR: true})
		sym := search(t, m, explore.Options{All: true, Props: all, Symmetry: true})
		chains := search(t, m, explore.Options{All: true, Props: all, Chains: true})
		porChains := search(t, m, explore.Options{All: true, Props: all, POR: true, Chains: true})
		for _, o := range []explore.Options{
			{Chains: true}, {POR: true, Chains: true}, {POR: true, Symmetry: true, Chains: true},
			{Store: explore.Exact}, {Store: explore.Fingerprint}, {Store: explore.Fingerprint, FPBits: 128},
			{Store: explore.Bitstate, BitstateBytes: 16 << 20},
			{POR: true}, {Symmetry: true}, {POR: true, Symmetry: true},
			{POR: true, Symmetry: true, Store: explore.Exact},
		} {
			o.Strategy, o.All, o.Props = explore.DFS, true, all
			res := search(t, m, o)
			n := fmt.Sprintf("%s/dfs,store=%s/%d,por=%v,sym=%v,chains=%v", name, res.Store, o.FPBits, o.POR, o.Symmetry, o.Chains)
			if !res.Complete || res.Stopped != "" || !slices.Equal(violated(res), violated(plain)) {
				t.Errorf("%s: violated %v (complete %v %q), BFS %v", n, violated(res), res.Complete, res.Stopped, violated(plain))
			}
			checkReplays(t, n, m, res)
			want := plain
			switch {
			case o.Symmetry && (o.POR || o.Chains):
				want = nil
			case o.POR && o.Chains:
				want = porChains
			case o.Chains:
				want = chains
			case o.POR:
				want = por
			case o.Symmetry:
				want = sym
			}
			if want != nil && o.Store != explore.Bitstate &&
				(res.Stats.States != want.Stats.States || res.Stats.Transitions != want.Stats.Transitions) {
				t.Errorf("%s: %d states %d transitions, BFS %d/%d", n, res.Stats.States, res.Stats.Transitions, want.Stats.States, want.Stats.Transitions)
			}
			if res.Stats.States > plain.Stats.States {
				t.Errorf("%s: %d states, plain BFS %d", n, res.Stats.States, plain.Stats.States)
			}
			wantStore := o.Store
			if wantStore == "" {
				wantStore = explore.Fingerprint
			}
			var wantRed []string
			if o.POR {
				wantRed = append(wantRed, "por")
			}
			if o.Symmetry {
				wantRed = append(wantRed, "symmetry")
			}
			if o.Chains {
				wantRed = append(wantRed, "chains")
			}
			if res.Store != wantStore || res.StoreBytes <= 0 || res.Workers != 1 || !slices.Equal(res.Reductions, wantRed) {
				t.Errorf("%s: result says store %q bytes %d workers %d reductions %v", n, res.Store, res.StoreBytes, res.Workers, res.Reductions)
			}
			switch wantStore {
			case explore.Exact:
				if res.Omission != 0 || res.Coverage != 1 {
					t.Errorf("%s: exact store: omission %g coverage %g", n, res.Omission, res.Coverage)
				}
			case explore.Fingerprint:
				if res.Omission <= 0 || res.Omission > 1e-6 || res.Coverage != 1 {
					t.Errorf("%s: fingerprint store: omission %g coverage %g", n, res.Omission, res.Coverage)
				}
			case explore.Bitstate:
				if res.Coverage < 0.999 || res.Coverage > 1 {
					t.Errorf("%s: bitstate store: coverage %g", n, res.Coverage)
				}
			}
		}
	}
}

// TestDFSFirstViolationReplays: stopping at the first violation, DFS with
// each store and reduction finds one of the properties plain BFS finds,
// and its schedule replays.
func TestDFSFirstViolationReplays(t *testing.T) {
	for _, variant := range []string{"thermal-2008", "broken-drl-unordered", "broken-move-affinity", "broken-migrate-lost", "broken-lb-irqs-on"} {
		m := newModel(t, model.BalanceScenario(), variant)
		plain := search(t, m, explore.Options{All: true})
		for _, o := range []explore.Options{
			{}, {Store: explore.Exact}, {Store: explore.Bitstate, BitstateBytes: 1 << 20},
			{POR: true}, {Symmetry: true}, {POR: true, Symmetry: true},
		} {
			o.Strategy = explore.DFS
			res := search(t, m, o)
			n := fmt.Sprintf("%s/dfs,store=%s,por=%v,sym=%v", variant, res.Store, o.POR, o.Symmetry)
			if len(res.Violations) != 1 || res.Stopped != "violation" || !slices.Contains(violated(plain), res.Violations[0].Property) {
				t.Fatalf("%s: %v stopped %q; BFS finds %v", n, violated(res), res.Stopped, violated(plain))
			}
			checkReplays(t, n, m, res)
		}
	}
}

// TestDFSMemoryCapStopsCleanly: a cap below what the process already
// holds stops DFS with its partial result, for every store.
func TestDFSMemoryCapStopsCleanly(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "mainline-2.6.24")
	for _, store := range []explore.StoreKind{explore.Fingerprint, explore.Exact, explore.Bitstate} {
		res := search(t, m, explore.Options{Strategy: explore.DFS, Store: store, Memory: 1 << 10, POR: true})
		if res.Complete || res.Stopped != "memory" || res.Stats.States < 1 || res.Store != store {
			t.Errorf("%s, 1 KiB cap: complete %v stopped %q states %d store %q", store, res.Complete, res.Stopped, res.Stats.States, res.Store)
		}
	}
	// A cap the search does not reach changes nothing.
	free := search(t, m, explore.Options{Strategy: explore.DFS})
	capped := search(t, m, explore.Options{Strategy: explore.DFS, Memory: 1 << 40})
	if !capped.Complete || capped.Stats.States != free.Stats.States {
		t.Errorf("1 TiB cap: complete %v stopped %q states %d, uncapped %d", capped.Complete, capped.Stopped, capped.Stats.States, free.Stats.States)
	}
}

// TestDFSProgressAndLimits: DFS reports progress (states, stack depth,
// bytes) while it runs, and stops cleanly at a time limit, at MaxStates
// and at MaxDepth.
func TestDFSProgressAndLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for a second")
	}
	m := generatedMainline(t, 3, 4)
	var got []explore.Progress
	res := search(t, m, explore.Options{Strategy: explore.DFS, TimeLimit: 1200 * time.Millisecond,
		Progress: func(p explore.Progress) { got = append(got, p) }})
	if res.Complete || res.Stopped != "time-limit" {
		t.Errorf("time limit: complete %v stopped %q (%d states)", res.Complete, res.Stopped, res.Stats.States)
	}
	if len(got) == 0 {
		t.Fatal("no progress reported")
	}
	p := got[len(got)-1]
	if p.States <= 1 || p.States > res.Stats.States || p.Depth <= 0 || p.Bytes <= 0 || p.Elapsed <= 0 || p.Frontier != 0 {
		t.Errorf("progress %+v, result %d states", p, res.Stats.States)
	}
	res = search(t, m, explore.Options{Strategy: explore.DFS, MaxStates: 1000, POR: true, Symmetry: true})
	if res.Complete || res.Stopped != "max-states" || res.Stats.States != 1000 {
		t.Errorf("MaxStates 1000: complete %v stopped %q states %d", res.Complete, res.Stopped, res.Stats.States)
	}
	res = search(t, m, explore.Options{Strategy: explore.DFS, MaxDepth: 8, POR: true, Store: explore.Exact})
	if res.Complete || res.Stopped != "max-depth" || res.Stats.MaxDepth != 8 {
		t.Errorf("MaxDepth 8: complete %v stopped %q depth %d", res.Complete, res.Stopped, res.Stats.MaxDepth)
	}
}

// TestDFSTimeLimitWithChains: DFS with chain compression, whose steps
// advance Stats.Transitions by a whole chain at a time, still stops at its
// time limit, long before the state bound (the search checks the clock by
// counting its steps, not its transitions).
func TestDFSTimeLimitWithChains(t *testing.T) {
	if testing.Short() {
		t.Skip("searches until its time limit")
	}
	m := generatedMainline(t, 4, 5)
	res := search(t, m, explore.Options{Strategy: explore.DFS, POR: true, Symmetry: true, Chains: true,
		TimeLimit: 200 * time.Millisecond, MaxStates: 20_000_000})
	if res.Stopped != "time-limit" {
		t.Errorf("stopped %q after %d states, %d transitions", res.Stopped, res.Stats.States, res.Stats.Transitions)
	}
}
