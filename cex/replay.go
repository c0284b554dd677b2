package cex

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// Verdict is the outcome of a replay.
type Verdict int

const (
	// Reproduced: the schedule applies and ends in a violation of the
	// file's property.
	Reproduced Verdict = iota
	// Holds: every step applies and the property holds throughout.
	Holds
	// NoLongerApplies: a step is not enabled, or runs other code than the
	// file records; the violation is not reproduced.
	NoLongerApplies
)

func (v Verdict) String() string {
	names := [...]string{"reproduced", "property holds", "schedule no longer applies"}
	if v < 0 || int(v) >= len(names) {
		return fmt.Sprintf("verdict(%d)", int(v))
	}
	return names[v]
}

// Outcome is what a replay found.
type Outcome struct {
	Model   *model.Model
	Verdict Verdict
	// Steps are the steps that applied, with what each changed.
	Steps []ReplayedStep
	// Message is the violation at the end (Reproduced), or "".
	Message string
	// AtStep is the 1-based step at which the violation appeared
	// (Reproduced; 0 for the initial state) or the schedule stopped
	// applying (NoLongerApplies).
	AtStep int
	// Why explains NoLongerApplies.
	Why string
	// SameMessage: the violation is the one the file expects, word for word.
	SameMessage bool
	// Warnings are notes for the reader: a different step table, knobs
	// dropped for another variant.
	Warnings []string
	Final    model.State
}

// ReplayedStep is one step as it executed.
type ReplayedStep struct {
	Info    model.StepInfo
	Changes []string
}

// Options override what the file records.
type Options struct {
	Variant string            // "" keeps the file's variant
	Knobs   map[string]string // set on top of the file's knobs
}

// Replay re-executes f's schedule deterministically and judges f's
// property after each step, and at the end if no step is enabled.
//
// A file written against another step table (model.StepTableFingerprint)
// is replayed with a warning: every step must still be enabled and run
// the function:line the file records, or the replay stops with
// NoLongerApplies. The same check makes a replay on another variant
// report where the schedule stops applying.
func Replay(f *File, opt Options) (*Outcome, error) {
	out := &Outcome{}
	if f == nil || f.Scenario == nil {
		return nil, fmt.Errorf("cex: replay of a file without a scenario")
	}
	variant := f.Variant
	if opt.Variant != "" {
		variant = opt.Variant
	}
	v, err := model.Lookup(variant)
	if err != nil {
		return nil, err
	}
	sc := f.Scenario.Clone()
	sc.Knobs = map[string]string{}
	known := map[string]bool{}
	for _, k := range v.Knobs {
		known[k.Name] = true
	}
	var dropped []string
	for k, val := range f.Knobs {
		if known[k] {
			sc.Knobs[k] = val
		} else {
			dropped = append(dropped, k+"="+val)
		}
	}
	for k, val := range opt.Knobs {
		sc.Knobs[k] = val
	}
	if len(dropped) > 0 {
		sort.Strings(dropped)
		out.Warnings = append(out.Warnings, fmt.Sprintf("variant %s has no knob %s: dropped", variant, strings.Join(dropped, ", ")))
	}
	m, err := model.New(sc, variant)
	if err != nil {
		return nil, err
	}
	out.Model = m
	prop, err := properties.Lookup(f.Property)
	if err != nil {
		return nil, err
	}
	if fp := model.StepTableFingerprint(); f.StepTable != fp {
		out.Warnings = append(out.Warnings, fmt.Sprintf("the file was written against step table %s, this rqcheck has %s: replaying, and checking that every step still runs the code the file records", f.StepTable, fp))
	}
	s := m.Init()
	defer func() { out.Final = s }()
	if prop.State != nil {
		if msg := prop.State(m, &s); msg != "" {
			out.reproduced(f, msg, 0)
			return out, nil
		}
	}
	var buf []model.Step
	for i, rs := range f.Steps {
		st := rs.Step
		buf = m.Enabled(&s, buf)
		if !slices.Contains(buf, st) {
			out.Verdict, out.AtStep = NoLongerApplies, i+1
			out.Why = fmt.Sprintf("step %d (cpu%d %s) is not enabled: %s", i+1, st.CPU, st.Kind, enabledList(m, &s, buf))
			return out, nil
		}
		info := m.Describe(&s, st)
		if info.Context != rs.Context || info.Def.Where() != rs.Where {
			out.Verdict, out.AtStep = NoLongerApplies, i+1
			out.Why = fmt.Sprintf("step %d: the file records cpu%d %s at %s; %s runs cpu%d %s at %s",
				i+1, st.CPU, rs.Context, rs.Where, variant, st.CPU, info.Context, info.Def.Where())
			return out, nil
		}
		next := s
		eff := m.Apply(&next, st)
		out.Steps = append(out.Steps, ReplayedStep{Info: info, Changes: m.Changes(&s, &next)})
		prev := s
		s = next
		msg := ""
		if prop.Step != nil {
			msg = prop.Step(m, &prev, st, &eff, &s)
		}
		if msg == "" && prop.State != nil {
			msg = prop.State(m, &s)
		}
		if msg != "" {
			out.reproduced(f, msg, i+1)
			if i+1 < len(f.Steps) {
				out.Warnings = append(out.Warnings, fmt.Sprintf("the violation appears at step %d of %d: the rest of the schedule is not run", i+1, len(f.Steps)))
			}
			return out, nil
		}
	}
	if buf = m.Enabled(&s, buf); len(buf) == 0 && prop.Terminal != nil {
		if msg := prop.Terminal(m, &s); msg != "" {
			out.reproduced(f, msg, len(f.Steps))
			return out, nil
		}
	}
	out.Verdict = Holds
	return out, nil
}

func (o *Outcome) reproduced(f *File, msg string, at int) {
	o.Verdict, o.Message, o.AtStep = Reproduced, msg, at
	o.SameMessage = msg == f.Expect
}

func enabledList(m *model.Model, s *model.State, buf []model.Step) string {
	if len(buf) == 0 {
		return "no step is enabled"
	}
	var parts []string
	for _, st := range buf {
		info := m.Describe(s, st)
		parts = append(parts, fmt.Sprintf("cpu%d %s %s at %s", st.CPU, st.Kind, info.Context, info.Def.Where()))
	}
	return "enabled are " + strings.Join(parts, "; ")
}

// Render writes the replay for people, deterministically (golden files
// test it): a header, one line per step with what it changed, then the
// verdict; for a violation, the kernel-style report and the model's call
// chain of every CPU's contexts.
func (o *Outcome) Render(f *File) string {
	var b strings.Builder
	m := o.Model
	fmt.Fprintf(&b, "rqcheck replay: variant %s", m.Variant.Name)
	if len(m.Knobs) > 0 {
		var kv []string
		for _, k := range slices.Sorted(maps.Keys(m.Knobs)) {
			kv = append(kv, k+"="+m.Knobs[k])
		}
		fmt.Fprintf(&b, " (%s)", strings.Join(kv, " "))
	}
	fmt.Fprintf(&b, ", property %s\n", f.Property)
	sc := m.Sc.Clone()
	sc.Knobs = nil
	fmt.Fprintf(&b, "scenario: %s\n", sc)
	for _, w := range o.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	fmt.Fprintf(&b, "schedule: %d steps, %d preemptions\n", len(f.Steps), preemptions(f.Steps))
	for i, s := range o.Steps {
		ch := strings.Join(s.Changes, ", ")
		if ch == "" {
			ch = "(no shared change)"
		}
		fmt.Fprintf(&b, "%4d  cpu%d %-12s %-30s %s\n", i+1, s.Info.CPU, s.Info.Context, s.Info.Def.Where(), ch)
	}
	switch o.Verdict {
	case Reproduced:
		fmt.Fprintf(&b, "\n%s\n", o.Message)
		fmt.Fprintf(&b, "call chains in the model at step %d:\n", o.AtStep)
		for c := 0; c < m.NumCPUs(); c++ {
			for lvl := model.LevelHardirq; lvl >= model.LevelThread; lvl-- {
				chain := o.Final.CallChain(c, lvl)
				if ctx := o.Final.Ctx(c, lvl); ctx == nil || (ctx.SP == 0 && (ctx.PC == model.PcUser || ctx.PC == model.PcIdle)) {
					continue // not on the stack, or at rest
				}
				fmt.Fprintf(&b, "  cpu%d %s:\n", c, o.Final.ContextName(c, lvl))
				for _, fn := range chain {
					fmt.Fprintf(&b, "    %s\n", fn)
				}
			}
		}
		if o.SameMessage {
			fmt.Fprintf(&b, "verdict: reproduced %s, as the file expects\n", f.Property)
		} else {
			fmt.Fprintf(&b, "verdict: reproduced %s, with another message than the file expects:\n  expected %s\n", f.Property, f.Expect)
		}
	case Holds:
		fmt.Fprintf(&b, "\nverdict: every step applies and %s holds: the violation is not reproduced\n", f.Property)
	case NoLongerApplies:
		fmt.Fprintf(&b, "\nverdict: the schedule no longer applies at %s; the violation is not reproduced\n", o.Why)
	}
	return b.String()
}
