package explore

import (
	"encoding/binary"
	"math/bits"

	"github.com/rqcheck/rqcheck/model"
)

// fp is a 128-bit state fingerprint. At 10^9 states the chance that two
// distinct states share one is about 10^-21, so the visited set treats
// equal fingerprints as equal states.
type fp [2]uint64

// fingerprint hashes an encoded state (or any key) into 128 bits.
//
// The hash is a sum over 16-byte blocks, in the manner of NH (UMAC): block
// j, read as little-endian words x and y, adds the high and low halves of
// the 64x64→128-bit product (x^K[2j])·(y^K[2j+1]) to two accumulators,
// with K a fixed table of random per-position keys; a partial last block
// is zero-padded. The length and both accumulators then get a final
// avalanche (wyhash's multiply-fold) into each 64-bit half. A block's
// terms depend on its position and contents alone, so a state laid out in
// pieces hashes without being copied together (fingerprintState), and
// the blocks' terms can be summed in any order (absorb takes four at a
// time). A 544-byte state takes about 130 ns on the 2-core CI machine
// (BenchmarkFingerprint, median; 14% less than block by block), where
// hash/maphash takes 87 ns for only 64 bits. With absorb's MULX kernel
// on amd64 (absorb_amd64.s) the fastest of 200 short runs took 46 to 55
// ns against the Go loop's 59 to 63 (two sets each; the machine is
// noisy). The keys are fixed, so fingerprints, and with them the state
// counts of fingerprint searches, are the same in every run.
func fingerprint(b []byte) fp {
	a0, a1, _ := absorb(0, 0, b, 0)
	return finish(a0, a1, len(b))
}

// fingerprintState is the fingerprint of a state as the model lays it
// out in memory (model.Words): the blocks of its two regions, numbered on
// from one to the other, with no copy. It is not fingerprint(Encode(s)):
// a search uses one or the other for all of its states (worker.ident).
func fingerprintState(s *model.State, sc *model.Scenario) fp {
	r0, r1 := model.Words(s, sc)
	a0, a1, j := absorb(0, 0, r0, 0)
	a0, a1, _ = absorb(a0, a1, r1, j)
	return finish(a0, a1, len(r0)+len(r1))
}

// fpKeys are the per-position keys of fingerprint: splitmix64 of a fixed
// seed. Positions past the table wrap around (keys longer than any state).
var fpKeys = func() (k [256]uint64) {
	x := uint64(0x2545f4914f6cdd1d)
	for i := range k {
		x += 0x9e3779b97f4a7c15
		z := x
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		k[i] = z ^ z>>31
	}
	return k
}()

// absorb adds the blocks of b, numbered from block j, to the accumulators
// and returns them with the number of the next block. Its main loop takes
// four blocks at a time into four pairs of accumulators, so that their
// multiplies overlap (the sums are the same: addition modulo 2^64 is
// associative); absorbRef in the tests is the plain loop it must equal.
// Where the CPU has BMI2, b's whole words go through absorbWords instead,
// in assembly (the Go loops take the rest, and keys that wrap): Go's MULQ
// ties up two fixed registers, and its loop spills the accumulators to
// the stack. An AVX-512 loop (eight blocks an iteration, each product
// built from four 32x32-bit ones) hashed a 544-byte encoding faster, but
// a state in place no faster: its regions are 57 and 12 words, so most
// of it went through the scalar loop anyway. It is not kept.
func absorb(a0, a1 uint64, b []byte, j int) (uint64, uint64, int) {
	if hasMULX && len(b) >= 8 {
		// Whole words in assembly, an odd last one only if nothing
		// follows it in its block, and only while the keys do not wrap.
		w := len(b) / 8
		if len(b)%8 != 0 {
			w &^= 1
		}
		if o, n := (2*j)&255, (w+1)/2; w > 0 && o+2*n <= len(fpKeys) {
			a0, a1 = absorbWords(a0, a1, &b[0], w, &fpKeys[o])
			b, j = b[8*w:], j+n
		}
	}
	var c0, c1, d0, d1, e0, e1 uint64
	for len(b) >= 64 && (2*j)&255 <= 248 {
		q, o := b[:64:64], (2*j)&255
		k := fpKeys[o : o+8 : o+8]
		h0, l0 := bits.Mul64(binary.LittleEndian.Uint64(q[0:])^k[0], binary.LittleEndian.Uint64(q[8:])^k[1])
		h1, l1 := bits.Mul64(binary.LittleEndian.Uint64(q[16:])^k[2], binary.LittleEndian.Uint64(q[24:])^k[3])
		h2, l2 := bits.Mul64(binary.LittleEndian.Uint64(q[32:])^k[4], binary.LittleEndian.Uint64(q[40:])^k[5])
		h3, l3 := bits.Mul64(binary.LittleEndian.Uint64(q[48:])^k[6], binary.LittleEndian.Uint64(q[56:])^k[7])
		a0, a1 = a0+h0, a1+l0
		c0, c1 = c0+h1, c1+l1
		d0, d1 = d0+h2, d1+l2
		e0, e1 = e0+h3, e1+l3
		j += 4
		b = b[64:]
	}
	a0 += c0 + d0 + e0
	a1 += c1 + d1 + e1
	for ; len(b) >= 16; b = b[16:] {
		x := binary.LittleEndian.Uint64(b)
		y := binary.LittleEndian.Uint64(b[8:16])
		hi, lo := bits.Mul64(x^fpKeys[(2*j)&255], y^fpKeys[(2*j+1)&255])
		a0 += hi
		a1 += lo
		j++
	}
	if len(b) > 0 {
		// A partial last block is zero-padded; model.Words' regions end
		// in one word, which needs no copy.
		var x, y uint64
		if len(b) == 8 {
			x = binary.LittleEndian.Uint64(b)
		} else {
			var t [16]byte
			copy(t[:], b)
			x, y = binary.LittleEndian.Uint64(t[:]), binary.LittleEndian.Uint64(t[8:])
		}
		hi, lo := bits.Mul64(x^fpKeys[(2*j)&255], y^fpKeys[(2*j+1)&255])
		a0 += hi
		a1 += lo
		j++
	}
	return a0, a1, j
}

func finish(a0, a1 uint64, n int) fp {
	const (
		k0 = 0xa0761d6478bd642f
		k1 = 0xe7037ed1a0b428db
		k2 = 0x8ebc6af09c88c6e3
		k3 = 0x589965cc75374cc3
	)
	l := uint64(n)
	return fp{mix(a0^l^k0, a1^k1), mix(a1^k2, a0^l^k3)}
}

func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// fpSet is the visited set of the walk strategies (random, PCT, bounded):
// an open-addressing hash set of fingerprints with linear probing, kept
// at most half full while room allows. Slots hold fingerprints directly
// (the first word is already a hash), so a lookup is one or two cache
// lines. It is not safe for concurrent use.
type fpSet struct {
	slots []fp
	mask  uint64
	n     int
	// room, if set, says whether the set may grow to a table of the given
	// bytes. Once it says no, the set fills on past half without asking
	// again (the search stops at its next step: room records why), and
	// grows anyway at 7/8 full, so that it never fills up.
	room   func(bytes int64) bool
	denied bool
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
			if 2*s.n > len(s.slots) && s.mayGrow() {
				s.grow()
			}
			return true
		}
	}
}

// has reports whether f is in the set.
func (s *fpSet) has(f fp) bool {
	if f == (fp{}) {
		f[1] = 1
	}
	for i := f[0] & s.mask; ; i = (i + 1) & s.mask {
		switch s.slots[i] {
		case f:
			return true
		case fp{}:
			return false
		}
	}
}

// mayGrow reports whether the set, past half full, is to grow now.
func (s *fpSet) mayGrow() bool {
	switch {
	case 8*s.n > 7*len(s.slots):
		return true
	case s.denied:
		return false
	case s.room != nil && !s.room(2*s.bytes()):
		s.denied = true
		return false
	}
	return true
}

// bytes is the memory the set's table holds.
func (s *fpSet) bytes() int64 { return int64(len(s.slots)) * 16 }

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
