package explore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rqcheck/rqcheck/model"
)

// TraceStep is one step of a replayed schedule: what ran and what changed.
type TraceStep struct {
	Info    model.StepInfo
	Changes []string
	After   model.State
}

// Replay re-executes a schedule from the initial state. It stops early at
// a step that is not enabled (the returned slice is then shorter than the
// schedule).
func Replay(m *model.Model, trace []model.Step) []TraceStep {
	s := m.Init()
	var out []TraceStep
	var buf []model.Step
	for _, st := range trace {
		buf = m.Enabled(&s, buf)
		if !slices.Contains(buf, st) {
			break
		}
		info := m.Describe(&s, st)
		next := s
		m.Apply(&next, st)
		out = append(out, TraceStep{Info: info, Changes: m.Changes(&s, &next), After: next})
		s = next
	}
	return out
}

// Render formats a schedule one line per step: number, CPU, context,
// function:line, and what changed.
func Render(m *model.Model, trace []model.Step) []string {
	steps := Replay(m, trace)
	lines := make([]string, 0, len(trace))
	for i, s := range steps {
		changes := strings.Join(s.Changes, ", ")
		if changes == "" {
			changes = "(no shared change)"
		}
		lines = append(lines, fmt.Sprintf("%3d  cpu%d %-12s %-28s %s", i+1, s.Info.CPU, s.Info.Context, s.Info.Def.Where(), changes))
	}
	if len(steps) < len(trace) {
		lines = append(lines, fmt.Sprintf("     schedule stops applying at step %d", len(steps)+1))
	}
	return lines
}
