package explore

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/rqcheck/rqcheck/model"
)

// TestPackRoundTrip: unpack inverts pack on random encodings of every
// length up to a few words, with every density of zero bytes, and on
// concatenated records.
func TestPackRoundTrip(t *testing.T) { withKernels(t, testPackRoundTrip) }

func testPackRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	for n := 1; n < 1200; n += 1 + n/40 {
		for _, density := range []float64{0, 0.1, 0.5, 1} {
			var stream []byte
			var encs [][]byte
			prev := alignedBytes(n)
			for k := 0; k < 5; k++ {
				enc := alignedBytes(n)
				for i := range enc {
					if rng.Float64() < density {
						enc[i] = byte(1 + rng.IntN(255))
					}
				}
				encs = append(encs, enc)
				before := len(stream)
				if k%2 == 0 && k > 0 {
					// a neighbour: a copy of the previous with a change
					copy(enc, encs[k-1])
					enc[rng.IntN(n)] ^= 0x5a
				}
				stream = pack(stream, enc, prev)
				if len(stream)-before > packBound(n) {
					t.Fatalf("n=%d: packed %d bytes, bound %d", n, len(stream)-before, packBound(n))
				}
			}
			got := alignedBytes(n) // the previous state, as prev was
			for k, enc := range encs {
				used, err := unpack(got, stream)
				if err != nil || !bytes.Equal(got, enc) {
					t.Fatalf("n=%d density=%v record %d: got %x err %v, want %x", n, density, k, got, err, enc)
				}
				stream = stream[used:]
			}
			if len(stream) != 0 {
				t.Fatalf("n=%d: %d bytes left over", n, len(stream))
			}
		}
	}
}

// TestPackRealStates: a random walk's states of a 4-CPU scenario, packed
// each against the one before, round-trip and pack to well under a third
// of their encoding.
func TestPackRealStates(t *testing.T) { withKernels(t, testPackRealStates) }

func testPackRealStates(t *testing.T) {
	m := mainlineModel(t, 4, 5)
	sc := m.Sc
	rng := rand.New(rand.NewPCG(1, 2))
	var raw, packed int
	var buf []model.Step
	got := alignedBytes(model.EncodedSize(sc))
	prev := alignedBytes(model.EncodedSize(sc))
	for walk := 0; walk < 20; walk++ {
		s := m.Init()
		clear(prev)
		clear(got)
		for d := 0; d < 150; d++ {
			enc := model.Encode(nil, &s, sc)
			p := pack(nil, enc, prev)
			if used, err := unpack(got, p); err != nil || used != len(p) || !bytes.Equal(got, enc) {
				t.Fatalf("walk %d step %d: round trip failed (%v)", walk, d, err)
			}
			raw, packed = raw+len(enc), packed+len(p)
			buf = m.Enabled(&s, buf)
			if len(buf) == 0 {
				break
			}
			m.Apply(&s, buf[rng.IntN(len(buf))])
		}
	}
	if ratio := float64(raw) / float64(packed); ratio < 3 {
		t.Errorf("packing ratio %.2f, want at least 3", ratio)
	} else {
		t.Logf("packing ratio %.2f (%d → %d bytes)", ratio, raw, packed)
	}
}

// TestUnpackTruncated: a cut record is an error, not a panic.
func TestUnpackTruncated(t *testing.T) {
	enc := alignedBytes(11)
	copy(enc, []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	p := pack(nil, enc, alignedBytes(len(enc)))
	got := alignedBytes(len(enc))
	for k := 0; k < len(p); k++ {
		clear(got)
		if _, err := unpack(got, p[:k]); err == nil {
			t.Errorf("unpack of %d of %d bytes: no error", k, len(p))
		}
	}
}

func benchStates(b *testing.B) [][]byte {
	m := mainlineModel(b, 4, 5)
	sc := m.Sc
	rng := rand.New(rand.NewPCG(1, 2))
	var out [][]byte
	var buf []model.Step
	s := m.Init()
	for len(out) < 1000 {
		buf = m.Enabled(&s, buf)
		if len(buf) == 0 {
			s = m.Init()
			continue
		}
		m.Apply(&s, buf[rng.IntN(len(buf))])
		out = append(out, append(alignedBytes(model.EncodedSize(sc))[:0], model.Encode(nil, &s, sc)...))
	}
	return out
}

func BenchmarkPack(b *testing.B) {
	states := benchStates(b)
	dst := make([]byte, 0, 1<<20)
	prev := alignedBytes(len(states[0]))
	i := 0
	for b.Loop() {
		dst = pack(dst[:0], states[i%len(states)], prev)
		i++
	}
}

func BenchmarkUnpack(b *testing.B) {
	states := benchStates(b)
	var packed [][]byte
	prev := alignedBytes(len(states[0]))
	for _, s := range states {
		packed = append(packed, pack(nil, s, prev))
	}
	enc := alignedBytes(len(states[0]))
	i := 0
	for b.Loop() {
		unpack(enc, packed[i%len(packed)])
		i++
	}
}

func BenchmarkPackSame(b *testing.B) {
	states := benchStates(b)
	dst := make([]byte, 0, 1<<20)
	prev := alignedBytes(len(states[0]))
	i := 0
	for b.Loop() {
		dst = pack(dst[:0], states[i%2], prev)
		i++
	}
}
