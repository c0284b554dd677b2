package explore

import (
	"context"
	"math"
	"runtime"
	"slices"
	"sync"
)

// SwarmSize is the number of configurations of a swarm without a time
// limit. With Options.TimeLimit the list goes on (SwarmSize, SwarmSize+1,
// ...) until the time is up.
const SwarmSize = 64

// swarmSettings are the diversified settings that configurations take
// round-robin: config j gets swarmSettings[j%len(swarmSettings)].
var swarmSettings = []struct {
	strategy Strategy
	maxDepth int // random walks: depth bound (0: the default)
	pctDepth int
}{
	{Random, 0, 0}, {PCT, 0, 1}, {Random, 100, 0}, {PCT, 0, 2},
	{Random, 1000, 0}, {PCT, 0, 3}, {Random, 50, 0}, {PCT, 0, 4},
}

// swarmConfig is configuration j of the swarm that opt describes: the
// options of one sequential search (random walks or PCT) with its own seed
// (a hash of opt.Seed and j) and the j-th setting of a fixed diversified
// list (random walks bounded at 10000, 100, 1000, 50 steps; PCT of depth
// 1, 2, 3, 4). It runs opt.Walks runs (0: 100); opt.MaxDepth, if set,
// caps its depth bound; opt.PCTDepth is not used. It depends on opt and j
// only, not on the shard or the workers.
func swarmConfig(opt Options, j int) Options {
	s := swarmSettings[j%len(swarmSettings)]
	o := opt
	o.Strategy, o.PCTDepth = s.strategy, s.pctDepth
	o.Seed = splitmix64(opt.Seed ^ splitmix64(uint64(j)+0x243f6a8885a308d3))
	if s.maxDepth > 0 && (o.MaxDepth == 0 || s.maxDepth < o.MaxDepth) {
		o.MaxDepth = s.maxDepth
	}
	if o.Walks <= 0 {
		o.Walks = 100
	}
	o.TimeLimit, o.Workers, o.Shard = 0, 1, Shard{}
	return o
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// swarm runs the configurations swarmConfig(opt, j) of its shard (every j
// with j%Shard.N == Shard.I; all j if Shard.N is 0) on Options.Workers
// goroutines (0: GOMAXPROCS), each config a separate explorer with its own
// visited set. So N shards 0..N-1 together run exactly the configs of the
// unsharded swarm.
//
// Invariants, for configs run to completion (no time limit, MaxStates or
// cancellation cutting them):
//   - the result does not depend on Workers: configs are merged in index
//     order, and per property the violation of the lowest config index is
//     kept;
//   - without All, the search ends at the lowest-index config that finds a
//     violation (configs below it all finish; configs above it are
//     cancelled or never started, and their results dropped); with All,
//     once every property has been found, at the largest of their lowest
//     indices.
//
// Stats.States and Transitions are sums over the configs kept (a state seen
// by two configs counts twice); Stats.MaxDepth is their maximum. MaxStates
// applies to each config and, as a total over finished configs, stops
// starting new ones. The memory cap (Options.Memory) holds for the whole
// swarm: near it the running configs stop and no new one starts, with
// Stopped "memory". Complete is never set.
func (e *explorer) swarm() {
	opt := e.opt
	if sh := opt.Shard; sh.N < 0 || (sh.N > 0 && (sh.I < 0 || sh.I >= sh.N)) {
		e.res.Stopped = "bad-shard"
		return
	}
	n := SwarmSize
	if opt.TimeLimit > 0 {
		n = math.MaxInt
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	e.res.Workers = workers
	if n == SwarmSize {
		total := 0
		for j := range n {
			if opt.Shard.N == 0 || j%opt.Shard.N == opt.Shard.I {
				total++
			}
		}
		e.totalRuns.Store(int64(total))
		// A worker with no configuration to run exits at once.
		e.res.Workers = max(1, min(workers, total))
	}
	var (
		mu       sync.Mutex
		next     = 0           // next config index to consider
		cut      = math.MaxInt // configs above cut are not needed
		results  = map[int]*Result{}
		running  = map[int]context.CancelFunc{}
		first    = map[string]int{} // property → lowest config index finding it
		states   int64              // over finished configs
		overfull bool               // states reached MaxStates
	)
	// lower sets cut to c and cancels the configs above it.
	lower := func(c int) {
		cut = min(cut, c)
		for j, cancel := range running {
			if j > cut {
				cancel()
			}
		}
	}
	worker := func() {
		for {
			mu.Lock()
			for next < n && opt.Shard.N > 0 && next%opt.Shard.N != opt.Shard.I {
				next++
			}
			if next >= n || next > cut || overfull || e.ctx.Err() != nil || e.memHigh.Load() {
				mu.Unlock()
				return
			}
			j := next
			next++
			ctx, cancel := context.WithCancel(e.ctx)
			running[j] = cancel
			mu.Unlock()

			o := swarmConfig(opt, j)
			sub := newExplorer(e.m, o, ctx)
			sub.root = e // the swarm's memory cap and progress counters
			if o.Strategy == PCT {
				sub.pct()
			} else {
				sub.random()
			}
			cancel()
			sub.publish()
			e.runs.Add(1)

			mu.Lock()
			delete(running, j)
			if j <= cut {
				results[j] = &sub.res
				states += sub.res.Stats.States
				overfull = overfull || (opt.MaxStates > 0 && states >= opt.MaxStates)
				for _, v := range sub.res.Violations {
					if f, ok := first[v.Property]; !ok || j < f {
						first[v.Property] = j
					}
				}
				if len(sub.res.Violations) > 0 && !opt.All {
					lower(j)
				} else if len(first) == len(opt.Props) {
					last := 0
					for _, f := range first {
						last = max(last, f)
					}
					lower(last)
				}
			}
			mu.Unlock()
		}
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(worker)
	}
	wg.Wait()

	idx := make([]int, 0, len(results))
	for j := range results {
		if j <= cut {
			idx = append(idx, j)
		}
	}
	slices.Sort(idx)
	kept := map[string]bool{}
	for _, j := range idx {
		r := results[j]
		e.res.Stats.States += r.Stats.States
		e.res.Stats.Transitions += r.Stats.Transitions
		e.res.Stats.Reached.Union(&r.Stats.Reached)
		e.res.Stats.MaxDepth = max(e.res.Stats.MaxDepth, r.Stats.MaxDepth)
		for _, v := range r.Violations {
			if !kept[v.Property] && (opt.All || len(e.res.Violations) == 0) {
				kept[v.Property] = true
				e.res.Violations = append(e.res.Violations, v)
			}
		}
	}
	switch err := e.ctx.Err(); {
	case len(e.res.Violations) > 0 && (!opt.All || len(kept) == len(opt.Props)):
		e.res.Stopped = "violation"
	case e.memHigh.Load():
		e.res.Stopped = "memory"
	case err == context.DeadlineExceeded:
		e.res.Stopped = "time-limit"
	case err != nil:
		e.res.Stopped = "cancelled"
	case overfull:
		e.res.Stopped = "max-states"
	default:
		e.res.Stopped = "walks"
	}
}
