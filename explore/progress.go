package explore

import "time"

// progress is the snapshot of the search that watch reports, with bytes
// the memory the process holds. It reads only atomic counters: BFS's and
// DFS's level counters, or what the walk strategies publish.
func (e *explorer) progress(bytes int64) Progress {
	p := Progress{Strategy: e.opt.Strategy, Bytes: bytes, Elapsed: time.Since(e.start)}
	switch e.opt.Strategy {
	case BFS, DFS:
		p.States = e.base.Load() + e.found.Load()
		p.Depth, p.Frontier, p.Done = int(e.depth.Load()), e.frontier.Load(), e.done.Load()
	default:
		p.States, p.Transitions = e.liveStates.Load(), e.liveTransitions.Load()
		p.Runs, p.TotalRuns = e.runs.Load(), e.totalRuns.Load()
	}
	p.ETA = eta(p, e.opt.TimeLimit)
	return p
}

// eta is Progress.ETA: the smaller of the time left before limit (0: no
// limit) and, for the strategies whose runs are alike, the time the runs
// left take at the pace of those done; 0 if neither is known.
func eta(p Progress, limit time.Duration) time.Duration {
	var left time.Duration
	if limit > 0 {
		left = max(limit-p.Elapsed, 1)
	}
	alike := p.Strategy == Random || p.Strategy == PCT || p.Strategy == Swarm
	if alike && p.TotalRuns > 0 && p.Runs > 0 {
		byRuns := time.Duration(float64(p.Elapsed) * float64(max(p.TotalRuns-p.Runs, 0)) / float64(p.Runs))
		if left == 0 || byRuns < left {
			left = max(byRuns, 1)
		}
	}
	return left
}
