//go:build !unix

package explore

import "time"

// cpuTime is not measured here; the benchmarks then leave out the
// per-CPU-second figure.
func cpuTime() time.Duration { return 0 }
