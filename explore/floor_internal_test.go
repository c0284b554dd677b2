package explore

import (
	"testing"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// BenchmarkBFSFloor bounds from below the time per state of any plain
// explicit-state search over the model as it is laid out now (one that
// takes every enabled step, as BenchmarkBFS's 3 CPU / 4 task search does;
// POR takes fewer per state, at the cost of its persistent sets). Every
// such search, for
// each state it stores, lists the state's enabled steps (Enabled) once,
// and for each step copies the state (CopyState), takes the step (Apply)
// and hashes the successor (fingerprintState); with "judged", it also
// runs the default properties' step judges on each step and their state
// judges on the state. That work, and nothing else, is done here for a
// sample of the search's states (every 256th state the plain search
// stores), over and over: no visited-state table, no frontier, no parent
// links, and the sample is small enough to stay mostly in the caches. A
// real search is slower, so if states/s here falls short of a throughput
// target, only a smaller state or cheaper steps in the model can meet it;
// a faster explorer cannot.
func BenchmarkBFSFloor(b *testing.B) {
	m := mainlineModel(b, 3, 4)
	sample := sampleStates(b, m, 256)
	props := properties.Default()
	e := &explorer{m: m, opt: Options{Props: props}, seen: make([]bool, len(props))}
	e.setJudges()
	for _, js := range []struct {
		name string
		j    judges
	}{{"bare", judges{}}, {"judged", e.judges}} {
		b.Run(js.name, func(b *testing.B) {
			var states int64
			c0 := cpuTime()
			for b.Loop() {
				if floorWork(m, sample, js.j) {
					b.Fatal("mainline fails a property")
				}
				states += int64(len(sample))
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			if d := cpuTime() - c0; d > 0 {
				b.ReportMetric(float64(states)/d.Seconds(), "states/cpu-s")
			}
		})
	}
}

// floorWork does BenchmarkBFSFloor's work for each state of sample and
// reports whether a judge of js failed.
func floorWork(m *model.Model, sample []model.State, js judges) bool {
	sc := m.Sc
	var buf []model.Step
	var succ model.State
	var sink fp
	for i := range sample {
		s := &sample[i]
		buf = m.Enabled(s, buf[:0])
		for _, st := range buf {
			model.CopyState(&succ, s, sc)
			eff := m.Apply(&succ, st)
			for _, j := range js.step {
				if j.f(m, s, st, &eff, &succ) != "" {
					return true
				}
			}
			f := fingerprintState(&succ, sc)
			sink[0] ^= f[0]
		}
		for _, j := range js.state {
			if j.f(m, s) != "" {
				return true
			}
		}
	}
	return sink == fp{1, 1} // keeps the hashes; never true in practice
}

// sampleStates runs the plain breadth-first search of m (64-bit
// fingerprints) and returns every stride-th state it stores.
func sampleStates(tb testing.TB, m *model.Model, stride int) []model.State {
	tb.Helper()
	sc := m.Sc
	t := newTable64(1 << 12)
	add := func(s *model.State) bool {
		if t.full(1) {
			t.grow(0)
		}
		if !t.add(fingerprintState(s, sc), nil) {
			return false
		}
		t.count(1)
		return true
	}
	init := m.Init()
	add(&init)
	var sample []model.State
	cur, next := [][]byte{model.Encode(nil, &init, sc)}, [][]byte(nil)
	var s, succ model.State
	var buf []model.Step
	n := 0
	for len(cur) > 0 {
		next = next[:0]
		for _, enc := range cur {
			model.Decode(enc, &s, sc)
			buf = m.Enabled(&s, buf[:0])
			for _, st := range buf {
				model.CopyState(&succ, &s, sc)
				m.Apply(&succ, st)
				if !add(&succ) {
					continue
				}
				if n++; n%stride == 0 {
					sample = append(sample, succ)
				}
				next = append(next, model.Encode(nil, &succ, sc))
			}
		}
		cur, next = next, cur
	}
	if len(sample) == 0 {
		tb.Fatal("no states sampled")
	}
	return sample
}
