package explore

import (
	"context"
	"fmt"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// ShrinkOptions configure ShrinkScenario.
type ShrinkOptions struct {
	// Reference is a variant that must show no violation of the target's
	// property on every scenario the shrinker keeps ("" for none). With
	// mainline as the reference, a smaller scenario that fails only
	// because it no longer gives the kernel the events it needs (a
	// work-conservation failure once the ticks are gone, say) is refused:
	// what is kept is a failure of the variant, not of the scenario.
	Reference string
	// MaxStates bounds each search (0: no limit). A search cut by the
	// bound counts as "not shown", so the shrinker stays sound and may
	// keep a larger scenario than needed.
	MaxStates int64
}

// Shrunk is the outcome of ShrinkScenario.
type Shrunk struct {
	Scenario *model.Scenario
	// Applied lists the reductions kept, in order.
	Applied []string
	// Tried counts the candidate scenarios searched.
	Tried int
}

// ShrinkScenario removes CPUs, tasks and events from sc while variant still
// violates the target (and the reference, if any, still does not violate
// its property). It is greedy to a fixpoint: the result is 1-minimal, that
// is, no single reduction of model.Scenario.Reductions keeps the violation
// (within MaxStates).
func ShrinkScenario(ctx context.Context, sc *model.Scenario, variant string, target Target, opt ShrinkOptions) (*Shrunk, error) {
	ok, err := Shows(ctx, sc, variant, target, opt.MaxStates)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("shrink: %s does not show %s on the scenario to shrink", variant, target)
	}
	if opt.Reference != "" {
		holds, err := Holds(ctx, sc, opt.Reference, target.Property, opt.MaxStates)
		if err != nil {
			return nil, err
		}
		if !holds {
			return nil, fmt.Errorf("shrink: reference %s does not hold %s on the scenario to shrink", opt.Reference, target.Property)
		}
	}
	out := &Shrunk{Scenario: sc.Clone()}
	for progress := true; progress; {
		progress = false
		for _, r := range out.Scenario.Reductions() {
			if ctx.Err() != nil {
				return out, nil
			}
			out.Tried++
			if ok, _ := Shows(ctx, r.Scenario, variant, target, opt.MaxStates); !ok {
				continue
			}
			if opt.Reference != "" {
				if holds, _ := Holds(ctx, r.Scenario, opt.Reference, target.Property, opt.MaxStates); !holds {
					continue
				}
			}
			out.Scenario = r.Scenario
			out.Applied = append(out.Applied, r.What)
			progress = true
			break
		}
	}
	return out, nil
}

// Shows reports whether some schedule of variant on sc violates the target.
func Shows(ctx context.Context, sc *model.Scenario, variant string, target Target, maxStates int64) (bool, error) {
	m, err := model.New(sc, variant)
	if err != nil {
		return false, err
	}
	res, err := Minimise(ctx, m, target, MinimiseOptions{Order: Shortest, MaxStates: maxStates})
	if err != nil {
		return false, err
	}
	return res.Found, nil
}

// Holds reports whether an exhaustive search of variant on sc (knobs left
// out, as the reference variant need not have them) shows no violation of
// the property. A search cut by maxStates does not hold.
func Holds(ctx context.Context, sc *model.Scenario, variant, property string, maxStates int64) (bool, error) {
	ref := sc.Clone()
	ref.Knobs = nil
	m, err := model.New(ref, variant)
	if err != nil {
		return false, err
	}
	p, err := properties.Lookup(property)
	if err != nil {
		return false, err
	}
	res, err := Run(ctx, m, Options{Props: []*properties.Property{p}, MaxStates: maxStates})
	if err != nil {
		return false, err
	}
	return res.Complete && len(res.Violations) == 0, nil
}

// Minimised is a violation after minimisation: the scenario, the model on
// it and the schedule.
type Minimised struct {
	Target   Target
	Model    *model.Model
	Scenario *model.Scenario
	// Shrink is nil when the scenario was not shrunk.
	Shrink *Shrunk
	// Violation's Trace has the fewest preemptions, then the fewest steps,
	// of every schedule of Model that violates Target.
	Violation   Violation
	Preemptions int
	// Shortest is the length of a shortest violating schedule (BFS).
	Shortest int
	// Complete: the schedule searches ran to the end, so the guarantees hold.
	Complete bool
}

// AsFound wraps a violation of m as the search found it, unminimised.
func AsFound(m *model.Model, v Violation) *Minimised {
	return &Minimised{Target: TargetOf(v), Model: m, Scenario: m.Sc, Violation: v,
		Preemptions: Preemptions(v.Trace), Shortest: len(v.Trace)}
}

// MinimiseViolationOptions configure MinimiseViolation.
type MinimiseViolationOptions struct {
	// Scenario: shrink the scenario first.
	Scenario bool
	Shrink   ShrinkOptions
	// MaxStates bounds the schedule searches (0: no limit).
	MaxStates int64
}

// MinimiseViolation minimises a violation found on m: first the scenario
// (if asked), then the schedule (fewest preemptions, then fewest steps),
// and measures the shortest schedule on the final scenario. If a search is
// cut by its bound, the violation found is kept as it was.
func MinimiseViolation(ctx context.Context, m *model.Model, v Violation, opt MinimiseViolationOptions) (*Minimised, error) {
	out := AsFound(m, v)
	target := out.Target
	if opt.Scenario {
		sh, err := ShrinkScenario(ctx, m.Sc, m.Variant.Name, target, opt.Shrink)
		if err != nil && opt.Shrink.Reference != "" {
			// The reference fails on the scenario itself: shrink without it.
			o := opt.Shrink
			o.Reference = ""
			sh, err = ShrinkScenario(ctx, m.Sc, m.Variant.Name, target, o)
		}
		if err == nil {
			nm, err := model.New(sh.Scenario, m.Variant.Name)
			if err != nil {
				return nil, err
			}
			out.Model, out.Scenario, out.Shrink = nm, sh.Scenario, sh
		}
	}
	fewest, err := Minimise(ctx, out.Model, target, MinimiseOptions{Order: FewestPreemptions, MaxStates: opt.MaxStates})
	if err != nil {
		return nil, err
	}
	if fewest.Found {
		out.Violation, out.Preemptions = fewest.Violation, fewest.Preemptions
	} else if out.Model != m {
		// The bound cut the search on the shrunk scenario: keep the
		// violation as found, on the scenario it was found on.
		out.Model, out.Scenario, out.Shrink = m, m.Sc, nil
	}
	shortest, err := Minimise(ctx, out.Model, target, MinimiseOptions{Order: Shortest, MaxStates: opt.MaxStates})
	if err != nil {
		return nil, err
	}
	if shortest.Found {
		out.Shortest = len(shortest.Violation.Trace)
	}
	out.Complete = fewest.Complete && shortest.Complete
	return out, nil
}
