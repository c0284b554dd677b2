#include "textflag.h"

// func absorbQuads(a0, a1 uint64, b *byte, quads int, k *uint64) (uint64, uint64)
//
// For each of quads groups of four 16-byte blocks at b, with keys from k
// on (eight per group), adds the high and low halves of
// (x^k[2i])·(y^k[2i+1]) to a0 and a1: absorb's main loop, with MULX
// (BMI2), which leaves the flags and fixed registers alone, so that the
// eight running sums stay in registers. Two pairs of accumulators let
// consecutive blocks' adds overlap.
TEXT ·absorbQuads(SB), NOSPLIT, $0-56
	MOVQ a0+0(FP), R8
	MOVQ a1+8(FP), R9
	MOVQ b+16(FP), SI
	MOVQ quads+24(FP), CX
	MOVQ k+32(FP), DI
	XORQ R10, R10
	XORQ R11, R11
	TESTQ CX, CX
	JEQ done

loop:
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
	DECQ CX
	JNE loop

done:
	ADDQ R10, R8
	ADDQ R11, R9
	MOVQ R8, ret+40(FP)
	MOVQ R9, ret1+48(FP)
	RET
