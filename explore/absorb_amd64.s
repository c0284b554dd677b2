#include "textflag.h"

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
	MOVQ 0(SI), DX
	XORQ 0(DI), DX
	MOVQ 8(SI), AX
	XORQ 8(DI), AX
	MULXQ AX, BX, AX
	ADDQ AX, R8
	ADDQ BX, R9

	MOVQ 16(SI), DX
	XORQ 16(DI), DX
	MOVQ 24(SI), AX
	XORQ 24(DI), AX
	MULXQ AX, R12, R13
	ADDQ R13, R10
	ADDQ R12, R11

	MOVQ 32(SI), DX
	XORQ 32(DI), DX
	MOVQ 40(SI), AX
	XORQ 40(DI), AX
	MULXQ AX, BX, AX
	ADDQ AX, R8
	ADDQ BX, R9

	MOVQ 48(SI), DX
	XORQ 48(DI), DX
	MOVQ 56(SI), AX
	XORQ 56(DI), AX
	MULXQ AX, R12, R13
	ADDQ R13, R10
	ADDQ R12, R11

	ADDQ $64, SI
	ADDQ $64, DI
	SUBQ $8, CX
	CMPQ CX, $8
	JGE quads

blocks:
	CMPQ CX, $2
	JLT odd
	MOVQ 0(SI), DX
	XORQ 0(DI), DX
	MOVQ 8(SI), AX
	XORQ 8(DI), AX
	MULXQ AX, BX, AX
	ADDQ AX, R8
	ADDQ BX, R9
	ADDQ $16, SI
	ADDQ $16, DI
	SUBQ $2, CX
	JMP blocks

odd:
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

