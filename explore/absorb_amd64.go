package explore

import "golang.org/x/sys/cpu"

// hasMULX: absorb may run as absorbWords, which needs BMI2. A variable,
// not a constant, so that the tests run the Go loops too.
var hasMULX = cpu.X86.HasBMI2

// absorbWords is absorb in assembly (absorb_amd64.s) over words whole
// 8-byte words at b, keyed from k on; an odd last word is a zero-padded
// block. b must hold 8*words bytes and k 2*ceil(words/2) keys.
//
//go:noescape
func absorbWords(a0, a1 uint64, b *byte, words int, k *uint64) (uint64, uint64)
