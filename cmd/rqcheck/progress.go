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

// progress shows a running search on stderr: states, states/s, depth (BFS's
// level or DFS's stack), BFS's frontier progress, memory and, where a limit
// makes it knowable, the time left. It stays silent with --quiet, when
// stderr is not a terminal, and for the first second of a run. The
// returned done clears the line.
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
		rate := float64(p.States) / p.Elapsed.Seconds()
		eta := ""
		switch {
		case maxStates > 0 && rate > 0:
			eta = fmt.Sprintf("  ETA %s", (time.Duration(float64(maxStates-p.States)/rate) * time.Second).Round(time.Second))
		case timeLimit > 0:
			eta = fmt.Sprintf("  time left %s", (timeLimit - p.Elapsed).Round(time.Second))
		}
		frontier := "" // DFS has none: its depth is the stack's
		if p.Frontier > 0 {
			frontier = fmt.Sprintf("  frontier %d/%d", p.Done, p.Frontier)
		}
		bar.Describe(fmt.Sprintf("%d states  %.0f/s  depth %d%s  %d MiB  %s%s",
			p.States, rate, p.Depth, frontier, p.Bytes>>20, p.Elapsed.Round(time.Second), eta))
		_ = bar.Set64(p.States)
	}
	return report, func() {
		if shown {
			_ = bar.Clear()
		}
	}
}
