#include "textflag.h"

// BLOCK adds the block at off(SI), keyed by off(DI), to the accumulator
// pair hi, lo; the product goes through L and H (DX and AX are scratch).
#define BLOCK(off, L, H, hi, lo) \
	MOVQ off(SI), DX \
	XORQ off(DI), DX \
	MOVQ off+8(SI), AX \
	XORQ off+8(DI), AX \
	MULXQ AX, L, H \
	ADDQ H, hi \
	ADDQ L, lo

// func absorbWords(a0, a1 uint64, b *byte, words int, k *uint64) (uint64, uint64)
//
// absorb over the first words 8-byte words at b, as 16-byte blocks keyed
// from k on (two keys a block; an odd last word is a block zero-padded to
// 16 bytes): each block (x, y) adds the high and low halves of
// (x^k[2i])·(y^k[2i+1]) to a0 and a1. It takes four blocks at a time,
// then one at a time, then the odd word, with MULX (BMI2), which leaves
// the flags and fixed registers alone, so that every running sum stays in
// a register. Two pairs of accumulators let consecutive blocks' adds
// overlap. k must hold 2*ceil(words/2) keys.
TEXT ·absorbWords(SB), NOSPLIT, $0-56
	MOVQ a0+0(FP), R8
	MOVQ a1+8(FP), R9
	MOVQ b+16(FP), SI
	MOVQ words+24(FP), CX
	MOVQ k+32(FP), DI
	XORQ R10, R10
	XORQ R11, R11
	CMPQ CX, $8
	JLT blocks

quads:
	BLOCK(0, BX, AX, R8, R9)
	BLOCK(16, R12, R13, R10, R11)
	BLOCK(32, BX, AX, R8, R9)
	BLOCK(48, R12, R13, R10, R11)
	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $8, CX
	CMPQ CX, $8
	JGE quads

blocks:
	CMPQ CX, $2
	JLT odd
	BLOCK(0, BX, AX, R8, R9)
	ADDQ $16, SI
	ADDQ $16, DI
	SUBQ $2, CX
	JMP blocks

odd:
	// A lone last word: the block's second word is zero, so y is its key.
	TESTQ CX, CX
	JEQ done
	MOVQ 0(SI), DX
	XORQ 0(DI), DX
	MOVQ 8(DI), AX
	MULXQ AX, BX, AX
	ADDQ AX, R10
	ADDQ BX, R11

done:
	ADDQ R10, R8
	ADDQ R11, R9
	MOVQ R8, ret+40(FP)
	MOVQ R9, ret1+48(FP)
	RET
