//go:build !amd64

package explore

// hasCompress is false where packGroup has no assembly loop.
var hasCompress = false

func packWords8(out *uint64, p int, es, ps *uint64, n int) (uint64, int) {
	panic("explore: packWords8 without assembly")
}
