package explore

import "golang.org/x/sys/cpu"

// hasMULX: absorb's main loop may run as absorbQuads, which needs BMI2.
// A variable, not a constant, so that the tests run the Go loop too.
var hasMULX = cpu.X86.HasBMI2

// absorbQuads is absorb's main loop in assembly (absorb_amd64.s): quads
// groups of four blocks at b, keyed from k on. b must hold 64*quads bytes
// and k 8*quads keys.
//
//go:noescape
func absorbQuads(a0, a1 uint64, b *byte, quads int, k *uint64) (uint64, uint64)
