#include "textflag.h"

// func packWords8(out *uint64, p int, es, ps *uint64, n int) (bm uint64, next int)
//
// packGroup's loop eight words at a time with AVX-512: XOR es with ps
// (ps is then set to es), compress the non-zero words of each eight
// (VPCOMPRESSQ) and store all eight lanes at out[p], then advance p by
// how many were kept. n is a multiple of 8 and at most 64; out must have
// room for eight words past the last kept one (packWords8's caller
// checks). Bit i of bm is set iff word i of the XOR is not zero.
TEXT ·packWords8(SB), NOSPLIT, $0-56
	MOVQ out+0(FP), DI
	MOVQ p+8(FP), R8
	MOVQ es+16(FP), SI
	MOVQ ps+24(FP), DX
	MOVQ n+32(FP), CX
	XORQ R9, R9
	XORQ R10, R10
	TESTQ CX, CX
	JEQ done

loop:
	VMOVDQU64 (SI)(R10*8), Z0
	VMOVDQU64 (DX)(R10*8), Z1
	VMOVDQU64 Z0, (DX)(R10*8)
	VPXORQ Z1, Z0, Z2
	VPTESTMQ Z2, Z2, K1
	VPCOMPRESSQ.Z Z2, K1, Z3
	VMOVDQU64 Z3, (DI)(R8*8)
	KMOVW K1, AX
	POPCNTL AX, BX
	ADDQ BX, R8
	SHLXQ R10, AX, AX
	ORQ AX, R9
	ADDQ $8, R10
	CMPQ R10, CX
	JLT loop
	VZEROUPPER

done:
	MOVQ R9, bm+40(FP)
	MOVQ R8, next+48(FP)
	RET
