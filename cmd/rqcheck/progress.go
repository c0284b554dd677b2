package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/rqcheck/rqcheck/explore"
)

// progress shows a running search on stderr: states, states/s, memory
// and, for BFS and DFS, the depth (BFS's level or DFS's stack) and BFS's
// frontier progress; for the walk strategies (random, pct, bounded,
// swarm) the steps taken and the runs done of how many; and, where a
// limit or the runs make it knowable, the time left. It stays silent with
// --quiet, when stderr is not a terminal, and for the first second of a
// run. The returned done clears the line.
func progress(stderr io.Writer, quiet bool, maxStates int64, timeLimit time.Duration) (report func(explore.Progress), done func()) {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil, func() {}
	}
	max := int64(-1)
	if maxStates > 0 {
		max = maxStates
	}
	bar := progressbar.NewOptions64(max,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetWidth(20),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(false),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetRenderBlankState(false),
	)
	shown := false
	report = func(p explore.Progress) {
		if p.Elapsed < time.Second {
			return
		}
		shown = true
		bar.Describe(progressLine(p, maxStates, timeLimit))
		_ = bar.Set64(p.States)
	}
	return report, func() {
		if shown {
			_ = bar.Clear()
		}
	}
}

// progressLine is the text of one progress report.
func progressLine(p explore.Progress, maxStates int64, timeLimit time.Duration) string {
	rate := float64(p.States) / p.Elapsed.Seconds()
	eta := ""
	switch {
	case maxStates > 0 && rate > 0:
		eta = fmt.Sprintf("  ETA %s", (time.Duration(float64(maxStates-p.States)/rate) * time.Second).Round(time.Second))
	case p.ETA > 0:
		eta = fmt.Sprintf("  ETA %s", p.ETA.Round(time.Second))
	case timeLimit > 0:
		eta = fmt.Sprintf("  time left %s", (timeLimit - p.Elapsed).Round(time.Second))
	}
	where := ""
	switch p.Strategy {
	case explore.BFS, explore.DFS, "":
		where = fmt.Sprintf("  depth %d", p.Depth)
		if p.Frontier > 0 { // DFS has none: its depth is the stack's
			where += fmt.Sprintf("  frontier %d/%d", p.Done, p.Frontier)
		}
	default:
		where = fmt.Sprintf("  %d steps", p.Transitions)
		runs := "runs"
		done := p.Runs
		if p.Strategy == explore.Bounded {
			runs, done = "pass", p.Runs+1 // the pass under way
		}
		if p.TotalRuns > 0 {
			where += fmt.Sprintf("  %s %d/%d", runs, min(done, p.TotalRuns), p.TotalRuns)
		} else {
			where += fmt.Sprintf("  %s %d", runs, done)
		}
	}
	return fmt.Sprintf("%d states  %.0f/s%s  %d MiB  %s%s",
		p.States, rate, where, p.Bytes>>20, p.Elapsed.Round(time.Second), eta)
}
