package explore

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// withKernels runs f once on the Go loops of the hot paths and, where
// this CPU has what they need, once on the assembly kernels (absorbWords,
// packWords8), so that both are held to the same tests.
func withKernels(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	mulx, compress := hasMULX, hasCompress
	defer func() { hasMULX, hasCompress = mulx, compress }()
	hasMULX, hasCompress = false, false
	t.Run("go", f)
	if mulx || compress {
		hasMULX, hasCompress = mulx, compress
		t.Run("asm", f)
	} else {
		t.Log("no assembly kernels on this CPU: Go loops only")
	}
}

// TestPackGroupKernelsAgree: packWords8 through packGroup writes the
// words, bitmap, next slot and updated ps that packWordsGo does, for
// every group length up to 64 words, start slot and density of non-zero
// XOR words.
func TestPackGroupKernelsAgree(t *testing.T) {
	if !hasCompress {
		t.Skip("no AVX-512 on this CPU: packGroup is packWordsGo")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 64; n++ {
		for _, p := range []int{0, 1, 7, 30} {
			for _, density := range []float64{0, 0.05, 0.3, 0.9, 1} {
				es, ps := make([]uint64, n), make([]uint64, n)
				for i := range es {
					es[i] = rng.Uint64()
					ps[i] = es[i]
					if rng.Float64() < density {
						ps[i] ^= 1 << rng.IntN(64)
					}
				}
				outA, outG := make([]uint64, p+n+1), make([]uint64, p+n+1)
				psA, psG := slices.Clone(ps), slices.Clone(ps)
				bmA, qA := packGroup(outA, p, es, psA)
				bmG, qG := packWordsGo(outG, p, es, psG)
				if bmA != bmG || qA != qG || !slices.Equal(outA[:qA], outG[:qG]) || !slices.Equal(psA, psG) {
					t.Fatalf("n=%d p=%d density=%v: asm (%x, %d, %x), Go (%x, %d, %x)", n, p, density, bmA, qA, outA[:qA], bmG, qG, outG[:qG])
				}
				if !slices.Equal(psA, es) {
					t.Fatalf("n=%d p=%d: ps not set to es", n, p)
				}
			}
		}
	}
}

// TestPackGroupNoRoom: with no room for packWords8's full-width stores,
// packGroup takes the Go loop and writes nothing past out.
func TestPackGroupNoRoom(t *testing.T) {
	es, ps := make([]uint64, 16), make([]uint64, 16)
	for i := range es {
		es[i] = uint64(i + 1)
	}
	out := make([]uint64, 16)
	bm, q := packGroup(out[:10], 0, es[:10], ps[:10])
	if bm != 1<<10-1 || q != 10 || out[10] != 0 {
		t.Fatalf("bm %x, next %d, out %v", bm, q, out)
	}
}
