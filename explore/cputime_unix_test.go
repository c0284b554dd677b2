//go:build unix

package explore

import (
	"syscall"
	"time"
)

// cpuTime is the user and system CPU time the process has used. The
// throughput benchmarks divide by it as well as by wall time: on a shared
// virtual machine the hypervisor's steal time swings wall-clock figures
// by tens of percent from run to run, and CPU time leaves it out.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
