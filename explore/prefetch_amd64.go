package explore

// prefetch asks the CPU to bring the cache line of p into its caches
// without waiting for it (PREFETCHT0); it never faults.
//
//go:noescape
func prefetch(p *uint64)
