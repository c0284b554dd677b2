package explore_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// violated lists the properties a result reports, sorted.
func violated(r *explore.Result) []string {
	var out []string
	for _, v := range r.Violations {
		out = append(out, v.Property)
	}
	slices.Sort(out)
	return out
}

// TestParallelMatchesOneWorker: with every store, any number of workers
// finds the same states (the same count: no store omits a state of these
// small searches, and each store's add is linearizable) and the same
// violated properties as one worker, and every schedule replays.
func TestParallelMatchesOneWorker(t *testing.T) {
	cases := []struct {
		sc      *model.Scenario
		variant string
	}{
		{model.BalanceScenario(), "mainline-2.6.24"},
		{model.BalanceScenario(), "thermal-2008"},
		{model.DefaultScenario(), "thermal-2008"},
	}
	for _, c := range cases {
		m := newModel(t, c.sc, c.variant)
		one := search(t, m, explore.Options{All: true, Props: properties.All(), Store: explore.Exact})
		for _, store := range []explore.StoreKind{explore.Exact, explore.Fingerprint, explore.Bitstate} {
			for _, workers := range []int{1, 2, 4} {
				name := fmt.Sprintf("%s/%s/%s/%d", c.sc, c.variant, store, workers)
				res := search(t, m, explore.Options{All: true, Props: properties.All(), Store: store, Workers: workers})
				if res.Stats.States != one.Stats.States || res.Stats.Transitions != one.Stats.Transitions {
					t.Errorf("%s: %d states %d transitions, one exact worker %d/%d", name, res.Stats.States, res.Stats.Transitions, one.Stats.States, one.Stats.Transitions)
				}
				if !slices.Equal(violated(res), violated(one)) || res.Complete != one.Complete {
					t.Errorf("%s: violated %v complete %v, one worker %v %v", name, violated(res), res.Complete, violated(one), one.Complete)
				}
				for _, v := range res.Violations {
					p, _ := properties.Lookup(v.Property)
					if msg, err := violates(m, p, v.Trace); err != nil || msg == "" {
						t.Errorf("%s: %s schedule does not replay: %v", name, v.Property, err)
					}
				}
				if res.Workers != workers || res.Store != store || res.StoreBytes <= 0 {
					t.Errorf("%s: result says workers %d store %q bytes %d", name, res.Workers, res.Store, res.StoreBytes)
				}
			}
		}
	}
}

// TestFirstViolationIsShortestForAnyWorkers: stopping at the first
// violation gives the same property and schedule length for any workers.
func TestFirstViolationIsShortestForAnyWorkers(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "thermal-2008")
	one := search(t, m, explore.Options{})
	for _, workers := range []int{2, 3, 4} {
		res := search(t, m, explore.Options{Workers: workers})
		if len(res.Violations) != 1 || res.Violations[0].Property != one.Violations[0].Property ||
			len(res.Violations[0].Trace) != len(one.Violations[0].Trace) {
			t.Fatalf("%d workers: %+v, one worker %+v", workers, res.Violations, one.Violations)
		}
	}
}

func TestStoreEstimates(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "mainline-2.6.24")
	fp := search(t, m, explore.Options{})
	if fp.Omission <= 0 || fp.Omission > 1e-9 || fp.Coverage != 1 {
		t.Errorf("fingerprint: omission %g coverage %g", fp.Omission, fp.Coverage)
	}
	fp128 := search(t, m, explore.Options{FPBits: 128})
	if fp128.Omission >= fp.Omission || fp128.Stats.States != fp.Stats.States {
		t.Errorf("128-bit: omission %g (64-bit %g), states %d/%d", fp128.Omission, fp.Omission, fp128.Stats.States, fp.Stats.States)
	}
	// A bit array far too small omits states and says so; the estimate
	// is an upper bound (states reachable only through an omitted one
	// are not counted).
	tiny := search(t, m, explore.Options{Store: explore.Bitstate, BitstateBytes: 8 << 10})
	if got := float64(tiny.Stats.States) / float64(fp.Stats.States); tiny.Coverage >= 0.999 || got >= 1 || tiny.Coverage < got {
		t.Errorf("tiny bitstate: coverage %g, %d states of %d", tiny.Coverage, tiny.Stats.States, fp.Stats.States)
	}
	big := search(t, m, explore.Options{Store: explore.Bitstate})
	if big.Coverage < 0.999 || big.Stats.States != fp.Stats.States {
		t.Errorf("bitstate: coverage %g, %d states of %d", big.Coverage, big.Stats.States, fp.Stats.States)
	}
	if _, err := explore.Run(t.Context(), m, explore.Options{Props: properties.Default(), FPBits: 32}); err == nil {
		t.Error("32-bit fingerprints accepted")
	}
}

// TestMemoryCapStopsCleanly: a cap below what the search needs stops it
// with its partial result, never an out-of-memory crash.
func TestMemoryCapStopsCleanly(t *testing.T) {
	m := newModel(t, model.BalanceScenario(), "mainline-2.6.24")
	res := search(t, m, explore.Options{Memory: 1 << 10})
	if res.Complete || res.Stopped != "memory" || res.Stats.States < 1 {
		t.Errorf("1 KiB cap: complete %v stopped %q states %d", res.Complete, res.Stopped, res.Stats.States)
	}
}

// TestSymmetryMatchesPlain: symmetry reduction finds the same violated
// properties as plain search, with no more states, and its schedules
// replay; on a scenario with interchangeable tasks it stores fewer.
func TestSymmetryMatchesPlain(t *testing.T) {
	twins := &model.Scenario{CPUs: 2, Tasks: []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0}, {CPU: 0}}, Ticks: []int{1, 1},
		IdleBalance: true, NewIdleMax: 1, CacheNiceTries: 1}
	for _, c := range []struct {
		sc      *model.Scenario
		variant string
	}{
		{twins, "mainline-2.6.24"}, {twins, "thermal-2008"}, {twins, "broken-migrate-lost"},
		{model.BalanceScenario(), "mainline-2.6.24"}, {model.BalanceScenario(), "thermal-2008"},
	} {
		m := newModel(t, c.sc, c.variant)
		plain := search(t, m, explore.Options{All: true, Props: properties.All()})
		for _, workers := range []int{1, 2} {
			sym := search(t, m, explore.Options{All: true, Props: properties.All(), Symmetry: true, Workers: workers})
			name := fmt.Sprintf("%s/%s/%d", c.sc, c.variant, workers)
			if !slices.Equal(violated(sym), violated(plain)) || sym.Stats.States > plain.Stats.States {
				t.Errorf("%s: symmetry %v in %d states, plain %v in %d", name, violated(sym), sym.Stats.States, violated(plain), plain.Stats.States)
			}
			for _, v := range sym.Violations {
				p, _ := properties.Lookup(v.Property)
				if msg, err := violates(m, p, v.Trace); err != nil || msg == "" {
					t.Errorf("%s: %s schedule does not replay: %v", name, v.Property, err)
				}
			}
			if c.sc == twins && c.variant == "mainline-2.6.24" && sym.Stats.States >= plain.Stats.States {
				t.Errorf("%s: symmetry stored %d states, plain %d", name, sym.Stats.States, plain.Stats.States)
			}
			t.Logf("%s: %d → %d states", name, plain.Stats.States, sym.Stats.States)
		}
	}
}

// disagreements lists how red, a complete search of m with some
// reductions, fails to agree with plain, m's plain complete search: other
// violated properties, more states, steps taken at other PCs
// (Stats.Reached), or a schedule that does not replay.
func disagreements(m *model.Model, plain, red *explore.Result) []string {
	var out []string
	if !red.Complete || !slices.Equal(violated(red), violated(plain)) || red.Stats.States > plain.Stats.States {
		out = append(out, fmt.Sprintf("%v in %d states (complete %v), plain %v in %d", violated(red), red.Stats.States, red.Complete, violated(plain), plain.Stats.States))
	}
	if red.Stats.Reached != plain.Stats.Reached {
		out = append(out, fmt.Sprintf("took steps at PCs %v that plain search did not, and not at %v",
			red.Stats.Reached.Minus(&plain.Stats.Reached).PCs(), plain.Stats.Reached.Minus(&red.Stats.Reached).PCs()))
	}
	for _, viol := range red.Violations {
		p, _ := properties.Lookup(viol.Property)
		if msg, err := violates(m, p, viol.Trace); err != nil || msg == "" {
			out = append(out, fmt.Sprintf("%s schedule does not replay: %v", viol.Property, err))
		}
	}
	return out
}

// TestReductionsMatchPlain is the differential soundness test of BFS's
// reductions: on generated 2- and 3-CPU scenarios and every variant,
// plain search and each combination of POR, symmetry and workers report
// the same violated properties (checking every property, to completion),
// never more states, schedules that replay, and steps taken from the same
// PCs (Stats.Reached).
func TestReductionsMatchPlain(t *testing.T) {
	var scs []*model.Scenario
	sizes, limit := [][2]int{{2, 1}, {2, 2}, {2, 3}, {3, 2}}, int64(300_000)
	if testing.Short() {
		sizes, limit = [][2]int{{2, 2}}, 20_000 // the race run
	}
	for _, size := range sizes {
		sc, err := model.GenerateScenario(size[0], size[1])
		if err != nil {
			t.Fatal(err)
		}
		scs = append(scs, sc)
	}
	scs = append(scs, model.DefaultScenario(), model.BalanceScenario())
	for _, sc := range scs {
		for _, v := range model.Variants() {
			m := newModel(t, sc, v.Name)
			plain := search(t, m, explore.Options{All: true, Props: properties.All(), MaxStates: limit})
			if !plain.Complete {
				continue
			}
			opts := []explore.Options{{POR: true}, {Symmetry: true}, {POR: true, Symmetry: true}, {POR: true, Symmetry: true, Workers: 2},
				{Chains: true}, {POR: true, Chains: true}, {POR: true, Symmetry: true, Chains: true, Workers: 2}}
			if testing.Short() {
				// The race run: the parallel configurations only.
				opts = []explore.Options{{POR: true, Symmetry: true, Workers: 2}, {POR: true, Symmetry: true, Chains: true, Workers: 2}}
			}
			for _, o := range opts {
				o.All, o.Props = true, properties.All()
				red := search(t, m, o)
				name := fmt.Sprintf("%s/%s/por=%v,sym=%v,chains=%v,workers=%d", sc, v.Name, o.POR, o.Symmetry, o.Chains, o.Workers)
				for _, problem := range disagreements(m, plain, red) {
					t.Errorf("%s: %s", name, problem)
				}
				if o.Workers == 2 {
					// Reductions keep BFS's independence of the worker count.
					o.Workers = 1
					if one := search(t, m, o); one.Stats.States != red.Stats.States || one.Stats.Transitions != red.Stats.Transitions {
						t.Errorf("%s: %d states %d transitions, one worker %d/%d", name, red.Stats.States, red.Stats.Transitions, one.Stats.States, one.Stats.Transitions)
					}
				}
			}
		}
	}
}
