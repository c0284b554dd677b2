//go:build !amd64

package explore

// hasMULX is false where absorb has no assembly main loop.
var hasMULX = false

func absorbQuads(a0, a1 uint64, b *byte, quads int, k *uint64) (uint64, uint64) {
	panic("explore: absorbQuads without assembly")
}
