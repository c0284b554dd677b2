package explore

import (
	"encoding/binary"
	"math/bits"
)

// fp is a 128-bit state fingerprint. At 10^9 states the chance that two
// distinct states share one is about 10^-21, so the visited set treats
// equal fingerprints as equal states.
type fp [2]uint64

// fingerprint hashes an encoded state into 128 bits. Each 16-byte block
// is folded into a 128-bit accumulator with one 64x64→128-bit multiply
// (wyhash's mixing, keeping both halves of the product), and both halves
// get a final avalanche.
func fingerprint(b []byte) fp {
	const (
		k0 = 0xa0761d6478bd642f
		k1 = 0xe7037ed1a0b428db
		k2 = 0x8ebc6af09c88c6e3
		k3 = 0x589965cc75374cc3
	)
	s0, s1 := uint64(len(b))^k0, uint64(k1)
	for len(b) >= 16 {
		a := binary.LittleEndian.Uint64(b)
		c := binary.LittleEndian.Uint64(b[8:])
		hi, lo := bits.Mul64(a^s0^k2, c^s1^k3)
		s0, s1 = hi^s1, lo^s0
		b = b[16:]
	}
	var t0, t1 uint64
	for i, c := range b {
		if i < 8 {
			t0 |= uint64(c) << (8 * i)
		} else {
			t1 |= uint64(c) << (8 * (i - 8))
		}
	}
	hi, lo := bits.Mul64(t0^s0^k2, t1^s1^k3)
	s0, s1 = hi^s1, lo^s0
	return fp{mix(s0^k3, s1^k1), mix(s1^k2, s0^k0)}
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// fpSet is the visited set: an open-addressing hash set of fingerprints
// with linear probing, kept at most half full. Slots hold fingerprints
// directly (the first word is already a hash), so a lookup is one or two
// cache lines. It is the seam for the compact and concurrent stores that
// come later.
type fpSet struct {
	slots []fp
	mask  uint64
	n     int
}

func newFPSet() *fpSet {
	const initial = 1 << 12
	return &fpSet{slots: make([]fp, initial), mask: initial - 1}
}

// add inserts f and reports whether it was new.
func (s *fpSet) add(f fp) bool {
	if f == (fp{}) {
		f[1] = 1 // the zero fingerprint marks an empty slot
	}
	for i := f[0] & s.mask; ; i = (i + 1) & s.mask {
		switch s.slots[i] {
		case f:
			return false
		case fp{}:
			s.slots[i] = f
			s.n++
			if 2*s.n > len(s.slots) {
				s.grow()
			}
			return true
		}
	}
}

func (s *fpSet) grow() {
	old := s.slots
	s.slots = make([]fp, 2*len(old))
	s.mask = uint64(len(s.slots) - 1)
	for _, f := range old {
		if f != (fp{}) {
			i := f[0] & s.mask
			for s.slots[i] != (fp{}) {
				i = (i + 1) & s.mask
			}
			s.slots[i] = f
		}
	}
}

func (s *fpSet) len() int { return s.n }
