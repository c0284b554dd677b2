package model_test

import (
	"encoding/json"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/rqcheck/rqcheck/model"
)

// FuzzScenario: ParseScenario never panics, and every scenario it accepts
// is one the model can run. For each variant, New either refuses it with
// an error (a knob the variant lacks) or builds a model in which every
// state of three random walks from the initial state (up to 300 steps
// each, seeded from the input) lists its steps and takes them without
// panicking, decodes from its encoding back to itself, has a canonical
// form (symmetry) equal to its orbit representative's, and starts each
// step at a PC of the model's StepPCs.
//
// The seeds are the scenario files in testdata and ../corpus/scenarios,
// and the built-in scenarios.
func FuzzScenario(f *testing.F) {
	paths, err := filepath.Glob("testdata/*.json")
	if err != nil {
		f.Fatal(err)
	}
	more, err := filepath.Glob("../corpus/scenarios/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range append(paths, more...) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, sc := range []*model.Scenario{model.DefaultScenario(), model.BalanceScenario()} {
		data, err := json.Marshal(sc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, err := model.ParseScenario(data)
		if err != nil {
			if sc != nil {
				t.Errorf("ParseScenario returned a scenario with its error %v", err)
			}
			return
		}
		h := fnv.New64a()
		h.Write(data)
		rng := rand.New(rand.NewPCG(h.Sum64(), 1))
		for _, name := range model.VariantNames() {
			m, err := model.New(sc, name)
			if err != nil {
				continue
			}
			canon, code := m.NewCanonicaliser(), m.StepPCs()
			for walk := 0; walk < 3; walk++ {
				s := m.Init()
				var steps []model.Step
				for depth := 0; depth < 300; depth++ {
					enc := model.Encode(nil, &s, sc)
					var back model.State
					model.Decode(enc, &back, sc)
					if back != s {
						t.Fatalf("%s: state at depth %d does not decode to itself", name, depth)
					}
					rep, _ := canon.Representative(nil, &s)
					if got := canon.Canonical(nil, &back); string(got) != string(rep) {
						t.Fatalf("%s: depth %d: Canonical and Representative differ", name, depth)
					}
					steps = m.Enabled(&s, steps[:0])
					if len(steps) == 0 {
						break
					}
					st := steps[rng.IntN(len(steps))]
					if pc := m.StepPC(&s, st); !code.Has(pc) {
						t.Fatalf("%s: depth %d: a step starts at %s, not in StepPCs", name, depth, model.Steps[pc].Where())
					}
					m.Apply(&s, st)
				}
			}
		}
	})
}
