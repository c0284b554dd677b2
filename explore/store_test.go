package explore

import (
	"encoding/binary"
	"math/bits"
	"testing"

	"github.com/rqcheck/rqcheck/model"
)

func TestFPSetAddsEachFingerprintOnce(t *testing.T) {
	s := newFPSet()
	for round := 0; round < 2; round++ {
		for i := uint64(1); i <= 20000; i++ {
			f := fp{i * 0x9e3779b97f4a7c15, i}
			if got := s.add(f); got != (round == 0) {
				t.Fatalf("round %d: add(%d) = %v", round, i, got)
			}
		}
	}
	if s.len() != 20000 {
		t.Fatalf("len %d", s.len())
	}
	if !s.add(fp{}) || s.add(fp{}) || s.len() != 20001 {
		t.Fatal("zero fingerprint not handled")
	}
}

func TestFingerprintSeesEveryByte(t *testing.T) {
	for n := 0; n < 70; n++ {
		b := make([]byte, n)
		base := fingerprint(b)
		for i := 0; i < n; i++ {
			b[i] = 1
			if fingerprint(b) == base {
				t.Fatalf("len %d: flipping byte %d leaves the fingerprint unchanged", n, i)
			}
			b[i] = 0
		}
	}
}

// TestFingerprintStateOnReachableStates walks the reachable states of
// small scenarios and checks fingerprintState against the encodings: equal
// for a state and its decoded copy (Words reads only the used part),
// distinct for distinct states in both halves of the fingerprint.
func TestFingerprintStateOnReachableStates(t *testing.T) {
	for _, size := range [][2]int{{2, 3}, {3, 2}, {4, 1}} {
		m := mainlineModel(t, size[0], size[1])
		sc := m.Sc
		seen := map[string]bool{}
		half := [2]map[uint64]string{{}, {}}
		queue := []model.State{m.Init()}
		for len(queue) > 0 && len(seen) < 50000 {
			s := queue[0]
			queue = queue[1:]
			enc := string(model.Encode(nil, &s, sc))
			if seen[enc] {
				continue
			}
			seen[enc] = true
			f := fingerprintState(&s, sc)
			var d model.State
			model.Decode([]byte(enc), &d, sc)
			if g := fingerprintState(&d, sc); g != f {
				t.Fatalf("%d/%d: a state and its decoded copy differ: %x, %x", size[0], size[1], f, g)
			}
			for i, h := range f {
				if other, ok := half[i][h]; ok && other != enc {
					t.Fatalf("%d/%d: two states share fingerprint word %d", size[0], size[1], i)
				}
				half[i][h] = enc
			}
			for _, st := range m.Enabled(&s, nil) {
				n := s
				m.Apply(&n, st)
				queue = append(queue, n)
			}
		}
		if len(seen) < 1000 {
			t.Fatalf("%d/%d: only %d states", size[0], size[1], len(seen))
		}
	}
}

// BenchmarkFingerprint hashes one 3 CPU / 4 task state, in place and
// from its encoding.
func BenchmarkFingerprint(b *testing.B) {
	m := mainlineModel(b, 3, 4)
	sc := m.Sc
	s := m.Init()
	enc := model.Encode(nil, &s, sc)
	var sink fp
	b.Run("state", func(b *testing.B) {
		for b.Loop() {
			sink = fingerprintState(&s, sc)
		}
	})
	b.Run("encoding", func(b *testing.B) {
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			sink = fingerprint(enc)
		}
	})
	_ = sink
}

// TestPrefetchAnyFingerprint: prefetch is only a hint, but it indexes the
// store like add does, so it must take any fingerprint, the extremes
// included, in every store, and change nothing.
func TestPrefetchAnyFingerprint(t *testing.T) {
	for _, kind := range []StoreKind{Fingerprint, Exact, Bitstate} {
		for _, bits := range []int{64, 128} {
			st, err := newStore(kind, bits, 0, 1<<16)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []fp{{}, {1, 1}, {^uint64(0), ^uint64(0)}, {0x9e3779b97f4a7c15, 0}} {
				st.prefetch(f)
				if st.has(f, []byte("k")) {
					t.Fatalf("%s/%d: prefetch(%x) added it", kind, bits, f)
				}
			}
		}
	}
}

// absorbRef is absorb as its doc defines it: block by block, one pair of
// accumulators, a partial block zero-padded.
func absorbRef(a0, a1 uint64, b []byte, j int) (uint64, uint64, int) {
	for ; len(b) > 0; j++ {
		var t [16]byte
		n := copy(t[:], b)
		b = b[n:]
		hi, lo := bits.Mul64(binary.LittleEndian.Uint64(t[:])^fpKeys[(2*j)&255], binary.LittleEndian.Uint64(t[8:])^fpKeys[(2*j+1)&255])
		a0 += hi
		a1 += lo
	}
	return a0, a1, j
}

// TestAbsorbMatchesReference: the unrolled absorb gives absorbRef's sums
// and block count for every length up to 2000 bytes and for starting
// blocks where the key index wraps (2j near 256).
func TestAbsorbMatchesReference(t *testing.T) { withKernels(t, testAbsorbMatchesReference) }

func testAbsorbMatchesReference(t *testing.T) {
	b := make([]byte, 2000)
	for i := range b {
		b[i] = byte(i*131 + i>>8 + 7)
	}
	for n := 0; n <= len(b); n++ {
		for _, j := range []int{0, 1, 29, 120, 123, 124, 125, 127, 128, 300} {
			x0, x1, xj := absorb(5, 6, b[:n], j)
			y0, y1, yj := absorbRef(5, 6, b[:n], j)
			if x0 != y0 || x1 != y1 || xj != yj {
				t.Fatalf("len %d from block %d: absorb (%x, %x, %d), reference (%x, %x, %d)", n, j, x0, x1, xj, y0, y1, yj)
			}
		}
	}
}
