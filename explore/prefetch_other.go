//go:build !amd64

package explore

// prefetch does nothing where the explorer has no prefetch instruction.
func prefetch(p *uint64) {}
