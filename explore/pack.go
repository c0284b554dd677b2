package explore

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"unsafe"
)

// Frontier states are stored packed. A record is the XOR of a state's
// encoding with the previous state of the same chunk (zeros for a chunk's
// first), with its zero words elided: neighbours in a level are siblings
// and cousins that differ in a few words, and a word that does not differ
// costs one bit. For an encoding of n bytes read as w = ceil(n/8) words
// (the last one zero-padded), in native byte order:
//
//	bitmap   ceil(w/64) words, bit i set iff word i of the XOR is not zero
//	words    the non-zero words of the XOR, in order
//
// Records are whole words and level buffers are word-aligned, so packing
// and unpacking are one pass of aligned word loads with no byte loops and
// no branch per word. On 4 CPUs / 5 tasks the 715-byte encodings of a
// level pack to about 100 bytes. The length is implied by the encoding
// size, so records are self-delimiting: a chunk is a plain concatenation
// of them, decoded in order. Records never leave the process, so native
// byte order is fine.

// tailWord reads the bytes of b past its last whole word as one
// little-endian word.
func tailWord(b []byte) uint64 {
	n := len(b)
	r := n % 8
	if n >= 8 {
		// One 8-byte read ending at n, shifted: no byte loop.
		return binary.LittleEndian.Uint64(b[n-8:]) >> (8 * (8 - r))
	}
	var x uint64
	for j := n - 1; j >= 0; j-- {
		x = x<<8 | uint64(b[j])
	}
	return x
}

// packBound is the most bytes pack writes for an encoding of n bytes.
func packBound(n int) int {
	w := (n + 7) / 8
	return 8 * ((w+63)/64 + w)
}

// words views b, which must be 8-byte aligned, as words; a partial last
// word is left out.
func words(b []byte) []uint64 {
	if len(b) < 8 {
		return nil
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	if uintptr(p)%8 != 0 {
		panic("explore: packed frontier buffer not word-aligned")
	}
	return unsafe.Slice((*uint64)(p), len(b)/8)
}

// alignedBytes returns n zero bytes, word-aligned whatever n is.
func alignedBytes(n int) []byte {
	w := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), 8*len(w))[:n:n]
}

// pack appends the record of enc to dst, whose length must be a multiple
// of 8. prev holds the previous state of the chunk (all zero at a chunk's
// start; len(prev) == len(enc)) and is overwritten with enc. enc and prev
// must be word-aligned (alignedBytes).
func pack(dst, enc, prev []byte) []byte {
	n := len(enc)
	full := n / 8
	w := (n + 7) / 8
	nb := (w + 63) / 64
	start := len(dst)
	dst = growLen(dst, packBound(n))
	out := words(dst[start:])
	ew, pw := words(enc), words(prev[:n])
	ew, pw = ew[:full], pw[:full]
	// Pass 1 writes every XOR word at its place in the worst-case layout
	// and builds the bitmap: no dependency between words. Pass 2 moves
	// the non-zero ones down into place (to a slot at or below their own,
	// so nothing is overwritten before it is moved).
	for g := 0; g < nb; g++ {
		var bm uint64
		xs := out[nb+64*g:]
		for i := 64 * g; i < min(64*g+64, full); i++ {
			e := ew[i]
			x := e ^ pw[i]
			pw[i] = e
			xs[i-64*g] = x
			bm |= (x | -x) >> 63 << (i & 63)
		}
		out[g] = bm
	}
	if n%8 != 0 {
		x := tailWord(enc) ^ tailWord(prev[:n])
		copy(prev[8*full:n], enc[8*full:])
		out[nb+full] = x
		out[full/64] |= (x | -x) >> 63 << (full % 64)
	}
	p := nb
	for g := 0; g < nb; g++ {
		for bm := out[g]; bm != 0; bm &= bm - 1 {
			out[p] = out[nb+64*g+bits.TrailingZeros64(bm)]
			p++
		}
	}
	return dst[:start+8*p]
}

// unpack decodes the record at the start of src (word-aligned) into enc,
// which holds the previous state of the chunk (zeros at a chunk's start),
// and returns the bytes of src it used.
func unpack(enc, src []byte) (int, error) {
	n := len(enc)
	full := n / 8
	w := (n + 7) / 8
	nb := (w + 63) / 64
	sw := words(src)
	if len(sw) < nb {
		return 0, fmt.Errorf("packed state: %d bytes, the bitmap needs %d", len(src), 8*nb)
	}
	ew := words(enc)[:full]
	p := nb
	for g := 0; g < nb; g++ {
		for bm := sw[g]; bm != 0; bm &= bm - 1 {
			i := 64*g + bits.TrailingZeros64(bm)
			if i >= w {
				return 0, fmt.Errorf("packed state: word %d past the end of the encoding", i)
			}
			if p >= len(sw) {
				return 0, fmt.Errorf("packed state: truncated at word %d", i)
			}
			x := sw[p]
			p++
			if i < full {
				ew[i] ^= x
				continue
			}
			for j := 8 * i; j < n; j++ {
				enc[j] ^= byte(x)
				x >>= 8
			}
			if x != 0 {
				return 0, fmt.Errorf("packed state: bytes past the end of the encoding")
			}
		}
	}
	return 8 * p, nil
}

// growLen extends b by n bytes (contents undefined), growing its capacity
// geometrically. New buffers come from make, so they are word-aligned.
func growLen(b []byte, n int) []byte {
	if len(b)+n <= cap(b) {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, max(2*cap(b), len(b)+n, 4096))
	copy(nb, b)
	return nb
}
