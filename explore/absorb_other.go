//go:build !amd64

package explore

// hasMULX is false where absorb has no assembly loop.
var hasMULX = false

func absorbWords(a0, a1 uint64, b *byte, words int, k *uint64) (uint64, uint64) {
	panic("explore: absorbWords without assembly")
}
