package explore

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// porEquivGolden holds, per configuration, the number of (state,
// visibility) pairs and a SHA-256 digest of the ample sets persistent
// returns for them (see TestPersistentGolden).
const porEquivGolden = "testdata/por_equiv.golden"

// porEquivConfigs binds a fixed set of scenarios to every variant with
// every combination of its knobs: GenerateScenario(2, 1..4) and (3, 1..4),
// the default and balance scenarios, the corpus, pinned-3cpu and eight
// random scenarios of porRandomScenario.
func porEquivConfigs(t testing.TB) []porModel {
	t.Helper()
	var scs []porCase
	for _, cpus := range []int{2, 3} {
		for tasks := 1; tasks <= 4; tasks++ {
			sc, err := model.GenerateScenario(cpus, tasks)
			if err != nil {
				t.Fatal(err)
			}
			scs = append(scs, porCase{fmt.Sprintf("gen%dx%d", cpus, tasks), sc})
		}
	}
	scs = append(scs, porFixedCases(t)...)
	rng := rand.New(rand.NewPCG(77, 1))
	for i := 0; i < 8; i++ {
		scs = append(scs, porCase{fmt.Sprintf("random%d", i), porRandomScenario(rng)})
	}
	var out []porModel
	for _, pc := range scs {
		out = append(out, porBind(t, pc)...)
	}
	return out
}

// porEquivStates returns a fixed list of states of m: the first states
// of a BFS of the full graph, the first states of a BFS that follows
// persistent sets (with visibility vis: deeper states, the ones a reduced
// search meets), and the states of a few random walks from the initial
// state to a terminal one.
func porEquivStates(m *model.Model, vis model.Objs, rng *rand.Rand, bfs, reduced, walks int) []model.State {
	var out []model.State
	for _, reduce := range []bool{false, true} {
		limit := bfs
		if reduce {
			limit = reduced
		}
		init := m.Init()
		seen := map[string]bool{string(model.Encode(nil, &init, m.Sc)): true}
		level := []model.State{init}
		var buf, amp []model.Step
		for i := 0; i < len(level) && len(level) < limit; i++ {
			s := level[i]
			buf = m.Enabled(&s, buf)
			steps := buf
			if reduce {
				steps = persistent(m, &s, buf, vis, amp)
				if len(steps) < len(buf) {
					amp = steps // not buf itself: reuse it
				}
			}
			for _, st := range steps {
				n := s
				m.Apply(&n, st)
				k := string(model.Encode(nil, &n, m.Sc))
				if !seen[k] {
					seen[k] = true
					level = append(level, n)
					if len(level) >= limit {
						break
					}
				}
			}
		}
		out = append(out, level...)
	}
	var buf []model.Step
	for w := 0; w < walks; w++ {
		s := m.Init()
		for k := 0; k < 2000; k++ {
			buf = m.Enabled(&s, buf)
			if len(buf) == 0 {
				break
			}
			out = append(out, s)
			m.Apply(&s, buf[rng.IntN(len(buf))])
		}
	}
	return out
}

// porEquivDigest runs persistent on every state of cfg (see
// porEquivStates) with four visibility sets each (all properties, the
// stable ones, affinity only, and a random set of objects) and returns
// how many ample sets it computed and a digest of them: the state, the
// enabled steps, whether the result is enabled itself, and its steps in
// order.
func porEquivDigest(cfg porModel, bfs, reduced, walks int) (int, string) {
	m := cfg.m
	visAll := visibility(properties.All())
	visAff := visibility([]*properties.Property{properties.Affinity})
	rng := rand.New(rand.NewPCG(1234, uint64(len(cfg.name))))
	states := porEquivStates(m, visAll, rng, bfs, reduced, walks)
	h := sha256.New()
	w := bufio.NewWriter(h)
	var enabled, out []model.Step
	var enc []byte
	count := 0
	for i := range states {
		s := &states[i]
		enc = model.Encode(enc[:0], s, m.Sc)
		w.Write(enc)
		enabled = m.Enabled(s, enabled)
		for _, vis := range []model.Objs{visAll, 0, visAff, model.Objs(rng.Uint64() & rng.Uint64())} {
			res := persistent(m, s, enabled, vis, out)
			count++
			alias := byte(0)
			if len(res) > 0 && &res[0] == &enabled[0] {
				alias = 1
			}
			var hdr [8]byte
			binary.LittleEndian.PutUint64(hdr[:], uint64(vis))
			w.Write(hdr[:])
			w.Write([]byte{byte(len(enabled)), byte(len(res)), alias})
			for _, st := range res {
				w.Write([]byte{byte(st.CPU), byte(st.Kind)})
			}
			if alias == 0 {
				out = res
			}
		}
	}
	w.Flush()
	return count, fmt.Sprintf("%x", h.Sum(nil))
}

// TestPersistentGolden freezes persistent's output: for every
// configuration of porEquivConfigs, the ample sets it returns on a fixed
// list of states (porEquivStates) with four visibility sets must match
// the digests of testdata/por_equiv.golden, which the code before the
// optimisation of persistent, Footprint and FuturesGiven wrote (run with
// -update only after an intended change of the reduction). With -short
// it checks every fourth configuration.
func TestPersistentGolden(t *testing.T) {
	update := false
	if f := flag.Lookup("update"); f != nil {
		update = f.Value.(flag.Getter).Get().(bool)
	}
	configs := porEquivConfigs(t)
	var lines []string
	want := map[string]string{}
	if !update {
		data, err := os.ReadFile(porEquivGolden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			name, rest, _ := strings.Cut(l, " ")
			want[name] = rest
		}
		if len(want) != len(configs) {
			t.Errorf("golden file has %d configurations, the test %d", len(want), len(configs))
		}
	}
	total := 0
	for i, cfg := range configs {
		if testing.Short() && !update && i%4 != 0 {
			continue
		}
		n, d := porEquivDigest(cfg, 600, 600, 6)
		total += n
		got := fmt.Sprintf("%d %s", n, d)
		lines = append(lines, cfg.name+" "+got)
		if !update && want[cfg.name] != got {
			t.Errorf("%s: ample sets changed: got %s, want %s", cfg.name, got, want[cfg.name])
		}
	}
	t.Logf("%d configurations, %d ample sets compared", len(lines), total)
	if update {
		if err := os.WriteFile(porEquivGolden, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// BenchmarkPersistent times persistent alone on a fixed set of states of
// GenerateScenario(3, 4) on mainline-2.6.24 with the default properties'
// visibility (what BenchmarkBFSReduced's search computes): the first 2000
// states of a BFS that follows persistent sets, and their successors by
// the steps of their persistent sets (the states whose persistent sets
// chain compression asks for).
func BenchmarkPersistent(b *testing.B) {
	m := mainlineModel(b, 3, 4)
	vis := visibility(properties.Default())
	states := porEquivStates(m, vis, rand.New(rand.NewPCG(1, 2)), 0, 2000, 0)
	seen := map[string]bool{}
	for _, s := range states {
		seen[string(model.Encode(nil, &s, m.Sc))] = true
	}
	var buf []model.Step
	for i, n := 0, len(states); i < n; i++ {
		s := states[i]
		buf = m.Enabled(&s, buf)
		for _, st := range persistent(m, &s, buf, vis, nil) {
			next := s
			m.Apply(&next, st)
			if k := string(model.Encode(nil, &next, m.Sc)); !seen[k] {
				seen[k] = true
				states = append(states, next)
			}
		}
	}
	enabled := make([][]model.Step, len(states))
	for i := range states {
		enabled[i] = m.Enabled(&states[i], nil)
	}
	out := make([]model.Step, 0, 64)
	b.ResetTimer()
	for b.Loop() {
		for i := range states {
			persistent(m, &states[i], enabled[i], vis, out)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(states)), "ns/state")
	b.ReportMetric(float64(len(states)), "states")
}
