package explore

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkTableGrow grows a 64-bit fingerprint table of 4M slots at the
// load that makes a search grow it: the rehash a search pays about 20
// times on its way to 3.5 million states.
func BenchmarkTableGrow(b *testing.B) {
	const size = 1 << 22
	r := rand.New(rand.NewPCG(1, 2))
	hs := make([]uint64, size*4/5) // maxLoad
	for i := range hs {
		hs[i] = r.Uint64() | 1
	}
	for b.Loop() {
		b.StopTimer()
		t := newTable64(size)
		for _, h := range hs {
			t.insert(h)
		}
		b.StartTimer()
		t.grow(0)
	}
}

// TestTableGrowKeepsEveryFingerprint: after growing, both fingerprint
// tables still hold exactly the fingerprints added before, and take new
// ones; including 0 and 1 (one slot: 0 marks an empty slot) and a probe
// cluster that wraps around the end of the table.
func TestTableGrowKeepsEveryFingerprint(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	fps := []fp{{0, 5}, {1, 7}, {^uint64(0), 9}, {^uint64(0) - 1, 11}, {^uint64(0) - 2, 13}}
	for range 3000 {
		fps = append(fps, fp{r.Uint64(), r.Uint64()})
	}
	for _, tb := range []struct {
		name string
		s    interface {
			store
			slotsInUse() int
		}
		distinct int // {0, x} and {1, y} are one fingerprint to table64
	}{{"table64", newTable64(1 << 12), len(fps) - 1}, {"table128", newTable128(1 << 12), len(fps)}} {
		t.Run(tb.name, func(t *testing.T) {
			added := 0
			for k, f := range fps {
				if tb.s.add(f, nil) {
					added++
					tb.s.count(1)
				}
				if k%700 == 0 {
					for tb.s.full(800) {
						tb.s.grow(0)
					}
				}
			}
			for tb.s.full(int64(len(fps))) {
				tb.s.grow(0)
			}
			if added != tb.distinct || tb.s.slotsInUse() != tb.distinct {
				t.Fatalf("%d added, %d slots in use, want %d", added, tb.s.slotsInUse(), tb.distinct)
			}
			for _, f := range fps {
				if !tb.s.has(f, nil) || tb.s.add(f, nil) {
					t.Fatalf("fingerprint %x lost by grow", f)
				}
			}
			if !tb.s.add(fp{12345, 678}, nil) || tb.s.has(fp{12346, 678}, nil) {
				t.Fatal("grown table takes no new fingerprint")
			}
		})
	}
}

func (t *table64) slotsInUse() (n int) {
	for _, h := range t.slots {
		if h != 0 {
			n++
		}
	}
	return n
}

func (t *table128) slotsInUse() (n int) {
	for i := 0; i < len(t.slots); i += 2 {
		if t.slots[i] != 0 {
			n++
		}
	}
	return n
}
