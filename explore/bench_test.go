package explore_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/rqcheck/rqcheck/explore"
)

// BenchmarkBFS is the throughput benchmark of the targets:
// mainline-2.6.24 on 3 CPUs / 4 tasks (model.GenerateScenario), one and
// two workers, each store. It reports states/s, states per CPU-second of
// the process (states/cpu-s: unlike wall time, not swung by a virtual
// machine's steal time; with one worker it is the single-core rate), the
// store's bytes per state, and transitions/s: successors generated, each
// one hashed and looked up (TLC's "states generated"; about 2.8 per
// stored state on this search). Compare runs with benchstat:
//
//	go test ./explore -run '^$' -bench '^BenchmarkBFS$/' -count 6 | tee new.txt
func BenchmarkBFS(b *testing.B) {
	m := generatedMainline(b, 3, 4)
	for _, store := range []explore.StoreKind{explore.Fingerprint, explore.Exact, explore.Bitstate} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("3cpu4task/%s/workers=%d", store, workers), func(b *testing.B) {
				var states, transitions, bytes int64
				c0 := cpuTime()
				for b.Loop() {
					res := search(b, m, explore.Options{Store: store, Workers: workers})
					if !res.Complete || len(res.Violations) > 0 {
						b.Fatal("mainline search not clean")
					}
					states += res.Stats.States
					transitions += res.Stats.Transitions
					bytes = res.StoreBytes
					b.ReportMetric(float64(bytes)/float64(res.Stats.States), "B/state")
				}
				b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
				b.ReportMetric(float64(transitions)/b.Elapsed().Seconds(), "transitions/s")
				reportPerCPU(b, states, c0)
			})
		}
	}
}

// BenchmarkBFSLarge is the large target: mainline on 4 CPUs / 5
// tasks, exhaustive, with the default reductions and the fingerprint
// store, on all cores. One iteration takes 12 to 16 minutes on a 2-core
// machine (61 million stored states), so run it alone:
// go test ./explore -run '^$' -bench BFSLarge -benchtime 1x -timeout 60m.
func BenchmarkBFSLarge(b *testing.B) {
	m := generatedMainline(b, 4, 5)
	var states, transitions int64
	for b.Loop() {
		res := search(b, m, explore.Options{Workers: runtime.GOMAXPROCS(0), POR: true, Symmetry: true, Chains: true})
		if !res.Complete || len(res.Violations) > 0 {
			b.Fatal("mainline search not clean")
		}
		states += res.Stats.States
		transitions += res.Stats.Transitions
		b.ReportMetric(float64(res.StoreBytes)/float64(res.Stats.States), "B/state")
	}
	b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(float64(transitions)/b.Elapsed().Seconds(), "transitions/s")
}

// BenchmarkBFSReduced is BenchmarkBFS with the command line's default
// reductions (POR, symmetry, chain compression) and the fingerprint store:
// states/s counts stored states, transitions/s every step taken.
func BenchmarkBFSReduced(b *testing.B) {
	m := generatedMainline(b, 3, 4)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("3cpu4task/workers=%d", workers), func(b *testing.B) {
			var states, transitions int64
			c0 := cpuTime()
			for b.Loop() {
				res := search(b, m, explore.Options{Workers: workers, POR: true, Symmetry: true, Chains: true})
				if !res.Complete || len(res.Violations) > 0 {
					b.Fatal("mainline search not clean")
				}
				states += res.Stats.States
				transitions += res.Stats.Transitions
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			b.ReportMetric(float64(transitions)/b.Elapsed().Seconds(), "transitions/s")
			reportPerCPU(b, states, c0)
		})
	}
}

// cpuTime is the process's CPU time (cputime_unix_test.go).
var cpuTime = explore.CPUTime

// reportPerCPU reports states per CPU-second used since c0 (cpuTime), if
// the platform measures CPU time.
func reportPerCPU(b *testing.B, states int64, c0 time.Duration) {
	if d := cpuTime() - c0; d > 0 {
		b.ReportMetric(float64(states)/d.Seconds(), "states/cpu-s")
	}
}
