package model_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rqcheck/rqcheck/model"
)

// symCase is a scenario and the size of the group Symmetries must find.
type symCase struct {
	name  string
	sc    func(t testing.TB) *model.Scenario
	group int
}

func must(sc *model.Scenario, err error) func(testing.TB) *model.Scenario {
	return func(t testing.TB) *model.Scenario {
		if err != nil {
			t.Fatal(err)
		}
		return sc.Clone()
	}
}

// identical3 has three tasks of one class on CPU 0 and no affinity call.
func identical3() *model.Scenario {
	return &model.Scenario{
		CPUs:  2,
		Tasks: []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0}, {CPU: 0}},
		Ticks: []int{2, 2}, IdleBalance: true, NewIdleMax: 1, CacheNiceTries: 1,
	}
}

// identical8 has eight tasks of one class, one of them on CPU 1: the
// largest group.
func identical8() *model.Scenario {
	sc := identical3()
	q := sc.Tasks[1]
	sc.Tasks = append(sc.Tasks, q, q, q, q, model.TaskSpec{CPU: 1, Running: true})
	return sc
}

var symCases = []symCase{
	{"default", must(model.DefaultScenario(), nil), 1},
	{"balance", must(model.BalanceScenario(), nil), 1},
	{"gen-3-4", must(model.GenerateScenario(3, 4)), 2},                        // T2, T3
	{"gen-2-4", must(model.GenerateScenario(2, 4)), 2},                        // T2, T3
	{"gen-3-5", must(model.GenerateScenario(3, 5)), 6},                        // T2, T3, T4
	{"pinned-3cpu", must(model.LoadScenario("testdata/pinned-3cpu.json")), 6}, // T0, T1, T3; T2 is hot and heavier
	{"identical-3", must(identical3(), nil), 6},
}

// variantConfigs lists every variant, thermal-2008 under knob settings that
// take each value of each knob twice.
func variantConfigs() (names []string, knobs []map[string]string) {
	for _, v := range model.Variants() {
		if len(v.Knobs) == 0 {
			names, knobs = append(names, v.Name), append(knobs, nil)
			continue
		}
		for _, k := range []map[string]string{
			{},
			{"placement": "before-lock", "alb": "on", "iterator": "mainline"},
			{"sensor": "irq-safe", "alb": "on", "iterator": "mainline"},
			{"placement": "before-lock", "sensor": "irq-safe"},
		} {
			names, knobs = append(names, v.Name), append(knobs, k)
		}
	}
	return names, knobs
}

func newModel(t testing.TB, sc *model.Scenario, variant string, knobs map[string]string) *model.Model {
	t.Helper()
	sc = sc.Clone()
	sc.Knobs = knobs
	m, err := model.New(sc, variant)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// reach returns up to limit distinct states reachable from m's initial
// state: the first half breadth-first, the rest from seeded random runs to
// the end, so that deep states are sampled too.
func reach(m *model.Model, limit int) []model.State {
	init := m.Init()
	seen := map[string]bool{}
	var out []model.State
	add := func(s *model.State) {
		if k := string(model.Encode(nil, s, m.Sc)); !seen[k] && len(out) < limit {
			seen[k] = true
			out = append(out, *s)
		}
	}
	add(&init)
	var buf []model.Step
	i := 0
	for ; i < len(out) && len(out) < limit/2; i++ {
		s := out[i]
		buf = m.Enabled(&s, buf)
		for _, st := range buf {
			n := s
			m.Apply(&n, st)
			add(&n)
		}
	}
	if i == len(out) {
		return out // all of them
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for run := 0; run < limit && len(out) < limit; run++ {
		s := init
		for buf = m.Enabled(&s, buf); len(buf) > 0; buf = m.Enabled(&s, buf) {
			m.Apply(&s, buf[rng.IntN(len(buf))])
			add(&s)
		}
	}
	return out
}

func permute(m *model.Model, s *model.State, p model.Perm) model.State {
	var d model.State
	m.Permute(&d, s, p)
	return d
}

func stepLess(a, b model.Step) int {
	return int(a.CPU)*8 + int(a.Kind) - int(b.CPU)*8 - int(b.Kind)
}

// commutes checks p against m on s: m2 (m itself, or m with its scenario
// renamed by p) must enable the renamed steps of m in Permute(s, p), and
// reach the renamed successors with the renamed effects. It returns "" or
// what differs.
func commutes(m, m2 *model.Model, s *model.State, p model.Perm) string {
	ps := permute(m, s, p)
	var want []model.Step
	en := m.Enabled(s, nil)
	for _, st := range en {
		want = append(want, model.PermuteStep(st, p))
	}
	got := m2.Enabled(&ps, nil)
	slices.SortFunc(want, stepLess)
	slices.SortFunc(got, stepLess)
	if !slices.Equal(want, got) {
		return fmt.Sprintf("enabled %v, want %v", got, want)
	}
	for _, st := range en {
		a := *s
		e := m.Apply(&a, st)
		pa := permute(m, &a, p)
		b := ps
		e2 := m2.Apply(&b, model.PermuteStep(st, p))
		if pa != b {
			d := fmt.Sprint(m.Changes(&pa, &b))
			if d == "[]" {
				d = cmp.Diff(pa, b)
			}
			return fmt.Sprintf("step cpu%d %v: successors differ (-want +got): %s", st.CPU, st.Kind, d)
		}
		if pe := model.PermuteEffects(e, p); pe != e2 {
			return fmt.Sprintf("step cpu%d %v: effects %+v, want %+v", st.CPU, st.Kind, e2, pe)
		}
	}
	return ""
}

// TestSymmetriesCommute is the authority on Symmetries and Permute: every
// permutation of the group commutes with Enabled and Apply on every sampled
// reachable state, for every variant.
func TestSymmetriesCommute(t *testing.T) {
	names, knobs := variantConfigs()
	for _, tc := range symCases {
		for i, v := range names {
			t.Run(fmt.Sprintf("%s/%s%v", tc.name, v, knobs[i]), func(t *testing.T) {
				t.Parallel()
				m := newModel(t, tc.sc(t), v, knobs[i])
				g := m.Symmetries()
				if len(g) != tc.group {
					t.Fatalf("group of %d, want %d: %v", len(g), tc.group, g)
				}
				for _, p := range g {
					for c := 0; c < m.NumCPUs(); c++ {
						if int(p.CPU[c]) != c {
							t.Fatalf("%v moves a CPU", p)
						}
					}
				}
				id := g[0]
				for k := range id.Task {
					if int(id.Task[k]) != k || int(id.CPU[k]) != k {
						t.Fatalf("first element %v is not the identity", id)
					}
				}
				states := reach(m, 3000)
				for si := range states {
					for _, p := range g {
						if d := commutes(m, m, &states[si], p); d != "" {
							t.Fatalf("%v on state %d:\n%s\n%s", p, si, m.Summary(&states[si]), d)
						}
					}
				}
			})
		}
	}
}

// rename returns sc with its CPUs and tasks renamed by p, the address order
// included: the model of the result is m conjugated by p.
func rename(sc *model.Scenario, p model.Perm) *model.Scenario {
	x := sc.Clone()
	cpus := func(l []int) []int {
		var out []int
		for _, c := range l {
			out = append(out, int(p.CPU[c]))
		}
		return out
	}
	for t, ts := range sc.Tasks {
		ts.CPU, ts.Allowed = int(p.CPU[ts.CPU]), cpus(ts.Allowed)
		x.Tasks[p.Task[t]] = ts
	}
	for c, n := range sc.Ticks {
		x.Ticks[p.CPU[c]] = n
	}
	for k, a := range sc.Affinity {
		x.Affinity[k] = model.AffinityCall{Caller: int(p.Task[a.Caller]), Target: int(p.Task[a.Target]), Mask: cpus(a.Mask)}
	}
	x.AddrOrder = nil
	for r := 0; r < sc.CPUs; r++ {
		for c := 0; c < sc.CPUs; c++ {
			if sc.AddrRank(c) == r {
				x.AddrOrder = append(x.AddrOrder, int(p.CPU[c]))
			}
		}
	}
	return x
}

func perm(cpus, tasks []int8) model.Perm {
	var p model.Perm
	for i := range p.CPU {
		p.CPU[i], p.Task[i] = int8(i), int8(i)
	}
	copy(p.CPU[:], cpus)
	copy(p.Task[:], tasks)
	return p
}

// TestExcludedPermutationsBreak shows that permutations Symmetries leaves
// out are left out for the parameter it names. Where that parameter is one
// a scenario states (address order, call masks, weights, hotness, roles),
// renaming the scenario by p repairs the commutation on every sampled state
// (so Permute renames correctly) while the unrenamed model breaks on some
// reachable state. Where the code fixes it (find_busiest_group's walk,
// find_coolest_cpu's reads), even the renamed model breaks.
func TestExcludedPermutationsBreak(t *testing.T) {
	irqSafe := map[string]string{"sensor": "irq-safe", "alb": "on", "iterator": "mainline"}
	irqSafeEarly := map[string]string{"placement": "before-lock", "sensor": "irq-safe", "alb": "on"}
	tests := []struct {
		name    string
		sc      func(testing.TB) *model.Scenario
		variant string
		knobs   map[string]string
		p       model.Perm
		repairs bool   // renaming the scenario repairs the commutation
		witness string // in the difference of some breaking step
	}{
		// Without affinity calls, renaming the scenario changes nothing
		// the step function reads but the address order.
		{"swap 2 CPUs: address order", symCases[6].sc, "mainline-2.6.24", nil, perm([]int8{1, 0}, nil), true, "->lock"},
		{"rotate 3 CPUs: address order", symCases[5].sc, "mainline-2.6.24", nil, perm([]int8{1, 2, 0}, nil), true, "->lock"},
		{"swap 2 CPUs: a call's mask {1} becomes {0}", symCases[1].sc, "mainline-2.6.24", nil, perm([]int8{1, 0}, nil), true, "cpus_allowed"},
		{"swap 2 CPUs: address order, thermal irq-safe", symCases[1].sc, "thermal-2008", irqSafe, perm([]int8{1, 0}, nil), true, "->lock"},
		{"swap 2 CPUs: address order, thermal irq-safe early", symCases[1].sc, "thermal-2008", irqSafeEarly, perm([]int8{1, 0}, nil), true, "->lock"},
		{"swap CPUs 0, 1 of 3: find_busiest_group's walk", symCases[5].sc, "mainline-2.6.24", nil, perm([]int8{1, 0, 2}, nil), false, "Load"},
		{"swap 2 CPUs: find_coolest_cpu's IPI reads", symCases[0].sc, "thermal-2008", nil, perm([]int8{1, 0}, nil), false, "ThermJ"},
		{"swap a hot, heavy task with a plain one", symCases[5].sc, "mainline-2.6.24", nil, perm(nil, []int8{0, 1, 3, 2}), true, ""},
		{"swap the caller with a free task", symCases[2].sc, "mainline-2.6.24", nil, perm(nil, []int8{2, 1, 0, 3}), true, "syscall"},
		{"swap the target with a free task", symCases[3].sc, "mainline-2.6.24", nil, perm(nil, []int8{0, 3, 2, 1}), true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := tc.sc(t)
			m := newModel(t, sc, tc.variant, tc.knobs)
			if slices.Contains(m.Symmetries(), tc.p) {
				t.Fatalf("%v is in the group", tc.p)
			}
			m2 := newModel(t, rename(sc, tc.p), tc.variant, tc.knobs)
			breaks := m // the model that must break
			if !tc.repairs {
				breaks = m2
			}
			broken := ""
			states := reach(m, 3000)
			for si := range states {
				if d := commutes(m, m2, &states[si], tc.p); d != "" && tc.repairs {
					t.Fatalf("renamed model, state %d:\n%s\n%s", si, m.Summary(&states[si]), d)
				}
				if d := commutes(m, breaks, &states[si], tc.p); d != "" && broken == "" && strings.Contains(d, tc.witness) {
					broken = fmt.Sprintf("state %d: %s", si, d)
				}
			}
			if broken == "" {
				t.Fatalf("%v commutes on all %d sampled states (witness %q)", tc.p, len(states), tc.witness)
			}
			t.Logf("breaks at %s", broken)
		})
	}
}

// TestPermuteRenamesCPUs checks Permute's CPU renaming where no scenario
// has a CPU symmetry: rotating the CPUs of the model and of its scenario
// (the address order included) must commute, for every variant but
// thermal-2008 with IPI sensor reads, whose order of reads no scenario
// states.
func TestPermuteRenamesCPUs(t *testing.T) {
	names, knobs := variantConfigs()
	for _, tc := range symCases {
		for i, v := range names {
			if v == "thermal-2008" && knobs[i]["sensor"] != "irq-safe" {
				continue
			}
			t.Run(fmt.Sprintf("%s/%s%v", tc.name, v, knobs[i]), func(t *testing.T) {
				t.Parallel()
				sc := tc.sc(t)
				p := perm([]int8{1, 0}, nil)
				if sc.CPUs == 3 {
					p = perm([]int8{1, 2, 0}, nil)
				}
				m := newModel(t, sc, v, knobs[i])
				m2 := newModel(t, rename(sc, p), v, knobs[i])
				states := reach(m, 3000)
				for si := range states {
					if d := commutes(m, m2, &states[si], p); d != "" {
						t.Fatalf("state %d:\n%s\n%s", si, m.Summary(&states[si]), d)
					}
				}
			})
		}
	}
}

// TestCanonical checks the representative: it is the least encoding over
// the group, idempotent, the same for a whole orbit, and shared only within
// an orbit.
func TestCanonical(t *testing.T) {
	names, knobs := variantConfigs()
	for _, tc := range symCases {
		for i, v := range names {
			t.Run(fmt.Sprintf("%s/%s%v", tc.name, v, knobs[i]), func(t *testing.T) {
				t.Parallel()
				m := newModel(t, tc.sc(t), v, knobs[i])
				g := m.Symmetries()
				cn := m.NewCanonicaliser()
				if cn.Trivial() != (len(g) == 1) {
					t.Fatalf("Trivial() = %v with a group of %d", cn.Trivial(), len(g))
				}
				reps := map[string]model.State{}
				for _, s := range reach(m, 1000) {
					c := string(cn.Canonical(nil, &s))
					if enc, own := cn.Representative(nil, &s); string(enc) != c {
						t.Fatalf("Representative and Canonical differ:\n%s", m.Summary(&s))
					} else if own {
						if c != string(model.Encode(nil, &s, m.Sc)) {
							t.Fatalf("Representative says own, but the representative is another state:\n%s", m.Summary(&s))
						}
					}
					var least []byte
					for _, p := range g {
						ps := permute(m, &s, p)
						if e := model.Encode(nil, &ps, m.Sc); least == nil || bytes.Compare(e, least) < 0 {
							least = e
						}
						if c2 := string(cn.Canonical(nil, &ps)); c2 != c {
							t.Fatalf("orbit members get different representatives under %v:\n%s", p, m.Summary(&s))
						}
					}
					if c != string(least) {
						t.Fatalf("representative is not the least encoding:\n%s", m.Summary(&s))
					}
					var d model.State
					model.Decode([]byte(c), &d, m.Sc)
					if string(cn.Canonical(nil, &d)) != c {
						t.Fatalf("not idempotent:\n%s", m.Summary(&s))
					}
					r, ok := reps[c]
					if !ok {
						reps[c] = s
						continue
					}
					if !slices.ContainsFunc(g, func(p model.Perm) bool { return permute(m, &r, p) == s }) {
						t.Fatalf("two orbits share a representative:\n%s\n%s", m.Summary(&r), m.Summary(&s))
					}
				}
			})
		}
	}
}

// TestCanonicalLargeGroup checks the representative against the least
// encoding over all 8! permutations, on a few states.
func TestCanonicalLargeGroup(t *testing.T) {
	m := newModel(t, identical8(), "mainline-2.6.24", nil)
	g := m.Symmetries()
	if len(g) != 40320 {
		t.Fatalf("group of %d, want 40320", len(g))
	}
	cn := m.NewCanonicaliser()
	states := reach(m, 400)
	for si := 0; si < len(states); si += 20 {
		var least []byte
		for _, p := range g {
			ps := permute(m, &states[si], p)
			if e := model.Encode(nil, &ps, m.Sc); least == nil || bytes.Compare(e, least) < 0 {
				least = e
			}
		}
		if !bytes.Equal(cn.Canonical(nil, &states[si]), least) {
			t.Fatalf("representative is not the least encoding:\n%s", m.Summary(&states[si]))
		}
	}
}

func TestCanonicalAllocatesNothing(t *testing.T) {
	m := newModel(t, identical3(), "mainline-2.6.24", nil)
	states := reach(m, 200)
	cn := m.NewCanonicaliser()
	buf := cn.Canonical(nil, &states[0])
	i := 0
	if n := testing.AllocsPerRun(1000, func() {
		buf = cn.Canonical(buf[:0], &states[i%len(states)])
		i++
	}); n != 0 {
		t.Fatalf("%v allocations per call", n)
	}
}

// explore visits every state reachable in m, with states of one key
// visited once, and returns the states visited.
func explore(m *model.Model, key func([]byte, *model.State) []byte) []model.State {
	init := m.Init()
	seen := map[string]bool{string(key(nil, &init)): true}
	out := []model.State{init}
	var buf []model.Step
	var kb []byte
	for i := 0; i < len(out); i++ {
		buf = m.Enabled(&out[i], buf)
		for _, st := range buf {
			n := out[i]
			m.Apply(&n, st)
			if kb = key(kb[:0], &n); !seen[string(kb)] {
				seen[string(kb)] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// TestSymmetryReducesStateCount explores whole state spaces plainly and up
// to symmetry: the reduced search meets exactly the orbits of the reachable
// states, fewer than the states where the group is not trivial.
func TestSymmetryReducesStateCount(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sc     *model.Scenario
		reduce bool
	}{
		{"identical-3", identical3(), true},
		{"default", model.DefaultScenario(), false},
		{"pinned-3cpu", symCases[5].sc(t), false}, // a group of 6 that no two reachable states share an orbit under
	} {
		m := newModel(t, tc.sc, "mainline-2.6.24", nil)
		g := m.Symmetries()
		cn := m.NewCanonicaliser()
		plain := explore(m, func(b []byte, s *model.State) []byte { return model.Encode(b, s, m.Sc) })
		orbits := map[string]model.State{}
		for _, s := range plain {
			c := string(cn.Canonical(nil, &s))
			r, ok := orbits[c]
			if !ok {
				orbits[c] = s
			} else if !slices.ContainsFunc(g, func(p model.Perm) bool { return permute(m, &r, p) == s }) {
				t.Fatalf("%s: two orbits share a representative:\n%s\n%s", tc.name, m.Summary(&r), m.Summary(&s))
			}
		}
		reduced := len(explore(m, cn.Canonical))
		t.Logf("%s: %d states, %d orbits (group %d)", tc.name, len(plain), reduced, len(g))
		if reduced != len(orbits) {
			t.Errorf("%s: reduced search met %d orbits, the reachable states form %d", tc.name, reduced, len(orbits))
		}
		if (reduced < len(plain)) != tc.reduce {
			t.Errorf("%s: %d orbits of %d states, want reduction %v", tc.name, reduced, len(plain), tc.reduce)
		}
	}
}

// BenchmarkCanonical measures Canonical on sampled states: a trivial group
// (balance), groups of 6 and the largest, 8! (eight identical tasks).
func BenchmarkCanonical(b *testing.B) {
	for _, tc := range []symCase{symCases[1], symCases[4], symCases[5], {"identical-8", must(identical8(), nil), 40320}} {
		b.Run(tc.name, func(b *testing.B) {
			m := newModel(b, tc.sc(b), "mainline-2.6.24", nil)
			if n := len(m.Symmetries()); n != tc.group {
				b.Fatalf("group of %d, want %d", n, tc.group)
			}
			states := reach(m, 1000)
			cn := m.NewCanonicaliser()
			var buf []byte
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				buf = cn.Canonical(buf[:0], &states[i%len(states)])
			}
		})
	}
}
