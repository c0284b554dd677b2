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
	// One pass, no branch per word: every XOR word is written at the
	// next free slot, which advances only past a non-zero word, so a zero
	// word is overwritten by the next one. The writes touch only the
	// words the record keeps (plus one, or up to eight with packWords8),
	// not the worst-case layout, and there is no second pass to move the
	// kept words down. With packWordsGo's register-only loop,
	// BenchmarkPack went from about 400 to 280 ns a state; packWords8
	// (AVX-512) takes 84.
	p := nb
	for g := 0; g < nb; g++ {
		lo, hi := 64*g, min(64*g+64, full)
		out[g], p = packGroup(out, p, ew[lo:hi], pw[lo:hi])
	}
	if n%8 != 0 {
		x := tailWord(enc) ^ tailWord(prev[:n])
		copy(prev[8*full:n], enc[8*full:])
		out[p] = x
		nz := (x | -x) >> 63
		out[full/64] |= nz << (full % 64)
		p += int(nz)
	}
	return dst[:start+8*p]
}

// packGroup writes the XOR of es and ps (at most 64 words; ps is then
// set to es) to out from slot p on, keeping the non-zero words, and
// returns their bitmap and the next free slot. Where the CPU has
// AVX-512 it takes whole eights of words in assembly (packWords8), which
// writes all eight lanes at the next free slot; there is room for them,
// since a record has a slot for every word of the encoding and p is at
// most the number of words before es. The rest go through packWordsGo.
func packGroup(out []uint64, p int, es, ps []uint64) (uint64, int) {
	n := len(es) &^ 7
	if !hasCompress || n == 0 || p+n > len(out) || len(ps) < len(es) {
		return packWordsGo(out, p, es, ps)
	}
	bm, p := packWords8(&out[0], p, &es[0], &ps[0], n)
	if n == len(es) {
		return bm, p
	}
	tail, p := packWordsGo(out, p, es[n:], ps[n:])
	return bm | tail<<n, p
}

// packWordsGo is packGroup in Go. It is a function of its own so that
// its loop keeps every variable in a register: the bitmap is shifted in
// from the top by a constant, not set by the word index, and it is not
// inlined (inside pack the bitmap went through the stack).
//
//go:noinline
func packWordsGo(out []uint64, p int, es, ps []uint64) (uint64, int) {
	ps = ps[:len(es)]
	var bm uint64
	for i, e := range es {
		x := e ^ ps[i]
		ps[i] = e
		out[p] = x
		nz := (x | -x) >> 63
		bm = bm>>1 | nz<<63
		p += int(nz)
	}
	if len(es) > 0 {
		bm >>= 64 - len(es)
	}
	return bm, p
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
