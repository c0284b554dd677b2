package explore

import (
	"math"
	"math/bits"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
)

// TestBitstateAddIsLinearizable: many goroutines adding the same
// fingerprints at once report each one new exactly once, as one goroutine
// adding them in turn does. Bits set by separate atomic ORs let two adds
// of one state both see a clear bit, and both call it new.
func TestBitstateAddIsLinearizable(t *testing.T) {
	const n, goroutines = 1 << 15, 8
	r := rand.New(rand.NewPCG(5, 6))
	fps := make([]fp, n)
	for i := range fps {
		fps[i] = fp{r.Uint64(), r.Uint64()}
	}
	one := newBitstate(8 << 20) // 2 Ki bits per state: no omission expected
	want := 0
	for _, f := range fps {
		if one.add(f, nil) {
			want++
		}
	}
	if want != n {
		t.Fatalf("one goroutine: %d of %d new (an omission: change the seed)", want, n)
	}
	for round := range 20 {
		b := newBitstate(8 << 20)
		var got atomic.Int64
		var wg sync.WaitGroup
		for range goroutines {
			wg.Go(func() {
				k := int64(0)
				for _, f := range fps {
					if b.add(f, nil) {
						k++
					}
				}
				got.Add(k)
			})
		}
		wg.Wait()
		if got.Load() != int64(want) {
			t.Fatalf("round %d: %d goroutines reported %d new, want %d", round, goroutines, got.Load(), want)
		}
	}
}

// TestBitstateMaskAndEstimate: every state's mask has bitK distinct bits,
// has agrees with add, and the expected omissions (estimate) match the
// omissions counted on an overfull filter within four standard deviations.
func TestBitstateMaskAndEstimate(t *testing.T) {
	cases := []struct {
		words, states int
	}{
		{1024, 1024},  // 64 bits per state
		{1024, 4096},  // 16
		{1024, 16384}, // 4: overfull
	}
	for _, c := range cases {
		b := newBitstate(int64(c.words) * 8)
		r := rand.New(rand.NewPCG(uint64(c.states), 7))
		found := 0
		for range c.states {
			f := fp{r.Uint64(), r.Uint64()}
			if m := mask(f); bits.OnesCount64(m) != bitK {
				t.Fatalf("mask %x of %x: %d bits", m, f, bits.OnesCount64(m))
			}
			before := b.has(f, nil)
			if b.add(f, nil) == before {
				t.Fatalf("has %v before add of %x, add says new %v", before, f, !before)
			}
			if !b.has(f, nil) {
				t.Fatalf("%x not in the filter after add", f)
			}
			if !before {
				found++
			}
		}
		omitted := float64(c.states - found)
		_, coverage := b.estimate(int64(found))
		lost := float64(found)/coverage - float64(found)
		if math.Abs(omitted-lost) > 4*math.Sqrt(lost)+1 {
			t.Errorf("%d states in %d words: %g omitted, estimate %.1f", c.states, c.words, omitted, lost)
		}
	}
}
