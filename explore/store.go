package explore

import (
	"encoding/binary"
	"math/bits"
)

// fp is a 128-bit state fingerprint. At 10^9 states the chance that two
// distinct states share one is about 10^-21, so the visited set treats
// equal fingerprints as equal states.
type fp [2]uint64

// fingerprint hashes an encoded state: two independent 64-bit multiply-mix
// lanes over the 8-byte words (wyhash-style folding), then a final avalanche.
func fingerprint(b []byte) fp {
	const (
		k0 = 0xa0761d6478bd642f
		k1 = 0xe7037ed1a0b428db
		k2 = 0x8ebc6af09c88c6e3
		k3 = 0x589965cc75374cc3
	)
	h0, h1 := uint64(len(b))^k0, uint64(len(b))^k2
	for len(b) >= 8 {
		w := binary.LittleEndian.Uint64(b)
		h0 = mix(h0^w, k1)
		h1 = mix(h1^w, k3)
		b = b[8:]
	}
	var tail uint64
	for i, c := range b {
		tail |= uint64(c) << (8 * i)
	}
	h0 = mix(h0^tail, k1)
	h1 = mix(h1^tail, k3)
	return fp{mix(h0, k2), mix(h1, k0)}
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// fpSet is the visited set: a set of fingerprints. It is the seam for the
// compact and concurrent stores that come later.
type fpSet struct{ m map[fp]struct{} }

func newFPSet() *fpSet { return &fpSet{m: make(map[fp]struct{}, 1<<16)} }

// add inserts f and reports whether it was new.
func (s *fpSet) add(f fp) bool {
	if _, ok := s.m[f]; ok {
		return false
	}
	s.m[f] = struct{}{}
	return true
}

func (s *fpSet) len() int { return len(s.m) }
