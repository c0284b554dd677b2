package explore

import "golang.org/x/sys/cpu"

// hasCompress: packGroup may take eight words at a time with packWords8,
// which needs AVX-512F (VPCOMPRESSQ), POPCNT and BMI2 (SHLX). A variable,
// not a constant, so that the tests run the Go loop too.
var hasCompress = cpu.X86.HasAVX512F && cpu.X86.HasPOPCNT && cpu.X86.HasBMI2

// packWords8 is packGroup's loop in assembly (pack_amd64.s), for n words,
// n a multiple of 8 and at most 64; out must have room for p+n words.
//
//go:noescape
func packWords8(out *uint64, p int, es, ps *uint64, n int) (bm uint64, next int)
