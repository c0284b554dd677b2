package model

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"flag"
	"fmt"
	"hash"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

var fpUpdate = flag.Bool("fp.update", false, "rewrite testdata/footprint_equiv.golden")

// fpEquivGolden holds, per configuration of fpConfigs, the number of
// states and a SHA-256 digest of Footprint and FuturesGiven on them (see
// TestFootprintGolden).
const fpEquivGolden = "testdata/footprint_equiv.golden"

// fpEquivStates returns a fixed list of states of m: the first bfs
// states in BFS order, and the states of a few random walks from the
// initial state to a terminal one.
func fpEquivStates(m *Model, rng *rand.Rand, bfs, walks int) []State {
	out := reachable(m, bfs)
	var buf []Step
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

func hashObjs(h *bufio.Writer, xs ...Objs) {
	var b [8]byte
	for _, o := range xs {
		binary.LittleEndian.PutUint64(b[:], uint64(o))
		h.Write(b[:])
	}
}

// fpEquivDigest hashes, for every state of fpEquivStates, the Footprint
// of every step kind of every CPU (enabled or not) and FuturesGiven for
// every set of frozen CPUs (the full set included).
func fpEquivDigest(m *Model, bfs, walks int) (int, string) {
	rng := rand.New(rand.NewPCG(4321, uint64(m.n*16+m.nt)))
	states := fpEquivStates(m, rng, bfs, walks)
	var h hash.Hash = sha256.New()
	w := bufio.NewWriter(h)
	for i := range states {
		s := &states[i]
		w.Write(Encode(nil, s, m.Sc))
		for c := 0; c < m.n; c++ {
			for _, k := range allKinds {
				r, wr := m.Footprint(s, Step{CPU: int8(c), Kind: k})
				hashObjs(w, r, wr)
			}
		}
		for F := CPUSet(0); F < 1<<m.n; F++ {
			var fr, fw [MaxCPUs]Objs
			m.FuturesGiven(s, F, &fr, &fw)
			hashObjs(w, fr[:]...)
			hashObjs(w, fw[:]...)
		}
	}
	w.Flush()
	return len(states), fmt.Sprintf("%x", h.Sum(nil))
}

// TestFootprintGolden freezes Footprint and FuturesGiven: for every
// configuration of fpConfigs (every scenario, variant and knob setting),
// their results on a fixed list of states (fpEquivStates) must match the
// digests of testdata/footprint_equiv.golden, which the code before their
// optimisation wrote (run with -fp.update only after an intended change
// of the footprints or futures). With -short it checks every fourth
// configuration.
func TestFootprintGolden(t *testing.T) {
	configs := fpConfigs(t)
	want := map[string]string{}
	if !*fpUpdate {
		data, err := os.ReadFile(fpEquivGolden)
		if err != nil {
			t.Fatalf("%v (run with -fp.update to create it)", err)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			name, rest, _ := strings.Cut(l, " ")
			want[name] = rest
		}
		if len(want) != len(configs) {
			t.Errorf("golden file has %d configurations, the test %d", len(want), len(configs))
		}
	}
	var lines []string
	total := 0
	for i, cfg := range configs {
		if testing.Short() && !*fpUpdate && i%4 != 0 {
			continue
		}
		n, d := fpEquivDigest(cfg.m, 800, 5)
		total += n
		got := fmt.Sprintf("%d %s", n, d)
		lines = append(lines, cfg.name+" "+got)
		if !*fpUpdate && want[cfg.name] != got {
			t.Errorf("%s: footprints or futures changed: got %s, want %s", cfg.name, got, want[cfg.name])
		}
	}
	t.Logf("%d configurations, %d states compared", len(lines), total)
	if *fpUpdate {
		if err := os.WriteFile(fpEquivGolden, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFutureAnalysisAgrees checks FutureAnalysis against Footprint and
// FuturesGiven on the states of fpEquivStates of every variant with each
// knob value: one analysis per state (reused from state to state and
// configuration to configuration) gives Footprint's footprints, their
// union per CPU (CPUFootprint, with CPUWritesAtLeast within its write)
// and, asked about every frozen set in turn
// (in a random order), FuturesGiven's futures, whose writes lie within
// FutureWriteBound.
func TestFutureAnalysisAgrees(t *testing.T) {
	configs := fpConfigsOf(t, knobCover)
	var a FutureAnalysis
	checked := 0
	for i, cfg := range configs {
		if testing.Short() && i%4 != 0 {
			continue
		}
		m := cfg.m
		rng := rand.New(rand.NewPCG(99, uint64(i)))
		for _, s := range fpEquivStates(m, rng, 300, 2) {
			a.Reset(m, &s)
			for c := 0; c < m.n; c++ {
				var ur, uw Objs
				for _, k := range allKinds {
					st := Step{CPU: int8(c), Kind: k}
					r, w := m.Footprint(&s, st)
					if r2, w2 := a.Footprint(st); r2 != r || w2 != w {
						t.Fatalf("%s: FutureAnalysis.Footprint(%+v) = %v %v, Footprint %v %v", cfg.name, st, r2, w2, r, w)
					}
					ur, uw = ur|r, uw|w
				}
				if r, w := a.CPUFootprint(c); r != ur || w != uw {
					t.Fatalf("%s: CPUFootprint(%d) = %v %v, the union of Footprints %v %v", cfg.name, c, r, w, ur, uw)
				}
				if w := a.CPUWritesAtLeast(c); w&^uw != 0 {
					t.Fatalf("%s: CPUWritesAtLeast(%d) = %v is not within CPUFootprint's write %v", cfg.name, c, w, uw)
				}
			}
			for _, F := range rng.Perm(1 << m.n) {
				frozen := CPUSet(F)
				var fr, fw [MaxCPUs]Objs
				m.FuturesGiven(&s, frozen, &fr, &fw)
				a.Given(frozen)
				for c := 0; c < m.n; c++ {
					if frozen.Has(c) {
						continue
					}
					checked++
					if r, w := a.Future(c); r != fr[c] || w != fw[c] {
						t.Fatalf("%s: with cpus %b frozen, FutureAnalysis gives cpu%d r=%v w=%v, FuturesGiven r=%v w=%v\n%s",
							cfg.name, frozen, c, r, w, fr[c], fw[c], m.Summary(&s))
					}
					if b := a.FutureWriteBound(c); fw[c]&^b != 0 {
						t.Fatalf("%s: with cpus %b frozen, cpu%d's future writes %v beyond FutureWriteBound\n%s",
							cfg.name, frozen, c, fw[c]&^b, m.Summary(&s))
					}
				}
			}
		}
	}
	t.Logf("%d futures checked", checked)
}
