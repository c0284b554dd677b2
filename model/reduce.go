package model

import (
	"fmt"
	"slices"
)

// Reduction is a scenario made smaller by one change, and that change in
// words.
type Reduction struct {
	What     string
	Scenario *Scenario
}

// Clone returns a deep copy of sc.
func (sc *Scenario) Clone() *Scenario {
	c := *sc
	c.Tasks = make([]TaskSpec, len(sc.Tasks))
	for i, t := range sc.Tasks {
		t.Allowed = slices.Clone(t.Allowed)
		c.Tasks[i] = t
	}
	c.Ticks = slices.Clone(sc.Ticks)
	c.Affinity = make([]AffinityCall, len(sc.Affinity))
	for i, a := range sc.Affinity {
		a.Mask = slices.Clone(a.Mask)
		c.Affinity[i] = a
	}
	c.AddrOrder = slices.Clone(sc.AddrOrder)
	if sc.Knobs != nil {
		c.Knobs = make(map[string]string, len(sc.Knobs))
		for k, v := range sc.Knobs {
			c.Knobs[k] = v
		}
	}
	return &c
}

// Reductions lists every valid scenario one step smaller than sc, in a
// fixed order: without one CPU (its tasks go with it), without one task,
// with one timer tick fewer on one CPU, without one sched_setaffinity call
// (the last first), without idle balance, with one idle balance fewer.
func (sc *Scenario) Reductions() []Reduction {
	var out []Reduction
	add := func(what string, c *Scenario) {
		if c != nil && c.Validate() == nil {
			out = append(out, Reduction{what, c})
		}
	}
	for c := sc.CPUs - 1; c >= 0; c-- {
		add(fmt.Sprintf("drop cpu%d", c), sc.withoutCPU(c))
	}
	for t := len(sc.Tasks) - 1; t >= 0; t-- {
		add(fmt.Sprintf("drop T%d", t), sc.withoutTasks(func(i int) bool { return i == t }))
	}
	for c := range sc.Ticks {
		if sc.Ticks[c] > 0 {
			x := sc.Clone()
			x.Ticks[c]--
			add(fmt.Sprintf("one tick fewer on cpu%d", c), x)
		}
	}
	for k := len(sc.Affinity) - 1; k >= 0; k-- {
		x := sc.Clone()
		x.Affinity = slices.Delete(x.Affinity, k, k+1)
		add(fmt.Sprintf("drop sched_setaffinity call %d", k), x)
	}
	if sc.IdleBalance {
		x := sc.Clone()
		x.IdleBalance, x.NewIdleMax = false, 0
		add("idle balance off", x)
		if sc.NewIdleMax > 1 {
			x := sc.Clone()
			x.NewIdleMax--
			add("one idle balance fewer", x)
		}
	}
	return out
}

// withoutTasks drops the tasks drop selects, renumbering the rest and
// dropping the affinity calls that name a dropped task.
func (sc *Scenario) withoutTasks(drop func(int) bool) *Scenario {
	x := sc.Clone()
	tasks, calls := x.Tasks, x.Affinity
	newIdx := make([]int, len(sc.Tasks))
	x.Tasks = make([]TaskSpec, 0, len(tasks))
	for i, t := range tasks {
		if drop(i) {
			newIdx[i] = -1
			continue
		}
		newIdx[i] = len(x.Tasks)
		x.Tasks = append(x.Tasks, t)
	}
	x.Affinity = make([]AffinityCall, 0, len(calls))
	for _, a := range calls {
		if newIdx[a.Caller] < 0 || newIdx[a.Target] < 0 {
			continue
		}
		a.Caller, a.Target = newIdx[a.Caller], newIdx[a.Target]
		x.Affinity = append(x.Affinity, a)
	}
	return x
}

// withoutCPU drops CPU c and the tasks placed on it, and renumbers the
// CPUs above it. It returns nil if a mask would become empty.
func (sc *Scenario) withoutCPU(c int) *Scenario {
	x := sc.withoutTasks(func(i int) bool { return sc.Tasks[i].CPU == c })
	renum := func(list []int, allIfEmpty bool) ([]int, bool) {
		if len(list) == 0 {
			return nil, allIfEmpty
		}
		var out []int
		for _, v := range list {
			switch {
			case v < c:
				out = append(out, v)
			case v > c:
				out = append(out, v-1)
			}
		}
		return out, len(out) > 0
	}
	x.CPUs--
	for i := range x.Tasks {
		t := &x.Tasks[i]
		if t.CPU > c {
			t.CPU--
		}
		var ok bool
		if t.Allowed, ok = renum(t.Allowed, true); !ok {
			return nil
		}
	}
	for i := range x.Affinity {
		var ok bool
		if x.Affinity[i].Mask, ok = renum(x.Affinity[i].Mask, false); !ok {
			return nil
		}
	}
	if len(x.Ticks) > c {
		x.Ticks = slices.Delete(x.Ticks, c, c+1)
	}
	if len(x.AddrOrder) > 0 {
		x.AddrOrder, _ = renum(x.AddrOrder, false)
	}
	return x
}

// Size is a scenario's size for minimisation reports: CPUs, tasks, and
// events (ticks, sched_setaffinity calls, idle balances).
func (sc *Scenario) Size() (cpus, tasks, events int) {
	for _, t := range sc.Ticks {
		events += t
	}
	events += len(sc.Affinity)
	if sc.IdleBalance {
		events += sc.NewIdleMax * sc.CPUs
	}
	return sc.CPUs, len(sc.Tasks), events
}
