package model

import (
	"fmt"
	"sort"
	"strings"
)

// A Variant is a version of the kernel code paths: mainline v2.6.24, a patch
// on top of it, or a deliberately broken copy for testing the checker. A
// variant does not copy the model: it sets Patches that the step functions
// consult at the points where the variant's code differs, and declares the
// knobs a scenario may set.
type Variant struct {
	Name    string
	Kernel  string // the kernel version whose line numbers the steps carry
	Doc     string
	Knobs   []Knob
	Patches Patches
	// Broken marks variants that exist to test the checker.
	Broken bool
}

// Knob is a named setting of a variant, settable from flags and scenarios.
type Knob struct {
	Name    string
	Doc     string
	Values  []string
	Default string
}

// Patches are the differences from mainline v2.6.24 that step functions
// consult. The zero value is mainline.
type Patches struct {
	// DRLUnordered: double_rq_lock takes rq1 then rq2, ignoring address order.
	DRLUnordered bool
	// IgnoreAffinity: can_migrate_task does not check cpus_allowed.
	IgnoreAffinity bool
	// MigrateNoEnqueue: __migrate_task dequeues the task and never enqueues it.
	MigrateNoEnqueue bool
	// LBNoIrqSave: load_balance calls double_rq_lock without local_irq_save.
	LBNoIrqSave bool
	// Thermal: the April 2008 thermal push in migration_thread (seed 000),
	// configured by the variant's knobs.
	Thermal bool
}

var variants = map[string]*Variant{}

// Register adds a variant to the registry. It panics on a duplicate name.
func Register(v *Variant) {
	if _, dup := variants[v.Name]; dup {
		panic("model: duplicate variant " + v.Name)
	}
	variants[v.Name] = v
}

// Lookup finds a registered variant by name.
func Lookup(name string) (*Variant, error) {
	v, ok := variants[name]
	if !ok {
		return nil, fmt.Errorf("unknown variant %q (known: %s)", name, strings.Join(VariantNames(), ", "))
	}
	return v, nil
}

// Variants lists the registered variants, sorted by name.
func Variants() []*Variant {
	out := make([]*Variant, 0, len(variants))
	for _, v := range variants {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// VariantNames lists the registered variant names, sorted.
func VariantNames() []string {
	var names []string
	for _, v := range Variants() {
		names = append(names, v.Name)
	}
	return names
}

// resolveKnobs checks a scenario's knob settings against the variant and
// fills in defaults.
func (v *Variant) resolveKnobs(set map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, k := range v.Knobs {
		out[k.Name] = k.Default
	}
	for name, val := range set {
		var knob *Knob
		for i := range v.Knobs {
			if v.Knobs[i].Name == name {
				knob = &v.Knobs[i]
			}
		}
		if knob == nil {
			return nil, fieldErr("knobs."+name, "variant %s has no knob %q", v.Name, name)
		}
		ok := false
		for _, allowed := range knob.Values {
			ok = ok || allowed == val
		}
		if !ok {
			return nil, fieldErr("knobs."+name, "value %q: need one of %s", val, strings.Join(knob.Values, ", "))
		}
		out[name] = val
	}
	return out, nil
}

func init() {
	Register(&Variant{
		Name:   "mainline-2.6.24",
		Kernel: "v2.6.24",
		Doc:    "vanilla v2.6.24 kernel/sched.c: load_balance, active balancing by the migration thread, set_cpus_allowed, idle_balance",
	})
	Register(&Variant{
		Name:   "thermal-2008",
		Kernel: "v2.6.24",
		Doc: "the thermal push posted to LKML in April 2008 (seed 000) on v2.6.24: with sched_thermal == 3, " +
			"migration_thread calls find_coolest_cpu, saves and restores rq->active_balance and rq->push_cpu around " +
			"a commented-out active_load_balance; active balancing uses the posted thermal iterator",
		Patches: Patches{Thermal: true},
		Knobs: []Knob{
			{Name: "placement", Values: []string{"locked", "before-lock"}, Default: "locked",
				Doc: "where the thermal block runs: under rq->lock after the offline check (as posted), or before spin_lock_irq"},
			{Name: "sensor", Values: []string{"ipi", "irq-safe"}, Default: "ipi",
				Doc: "find_coolest_cpu's sensor read: rdmsr_on_cpu → smp_call_function_single (v2.6.24 x86-64), or a read that neither touches the interrupt flag nor waits for another CPU"},
			{Name: "alb", Values: []string{"off", "on"}, Default: "off",
				Doc: "the active_load_balance(rq, cpu) call inside the block: commented out (as posted) or called"},
			{Name: "iterator", Values: []string{"thermal", "mainline"}, Default: "thermal",
				Doc: "active balancing's move_one_task_fair iterator: the posted thermal iterator (it begins with return NULL) or mainline's"},
		},
	})
	Register(&Variant{
		Name: "broken-drl-unordered", Kernel: "v2.6.24", Broken: true,
		Doc:     "double_rq_lock locks rq1 then rq2 without address ordering (tests no-deadlock)",
		Patches: Patches{DRLUnordered: true},
	})
	Register(&Variant{
		Name: "broken-move-affinity", Kernel: "v2.6.24", Broken: true,
		Doc:     "can_migrate_task ignores cpus_allowed (tests affinity)",
		Patches: Patches{IgnoreAffinity: true},
	})
	Register(&Variant{
		Name: "broken-migrate-lost", Kernel: "v2.6.24", Broken: true,
		Doc:     "__migrate_task dequeues the task and never enqueues it (tests no-lost-task)",
		Patches: Patches{MigrateNoEnqueue: true},
	})
	Register(&Variant{
		Name: "broken-lb-irqs-on", Kernel: "v2.6.24", Broken: true,
		Doc:     "load_balance calls double_rq_lock without local_irq_save (tests kernel-bug at 2090)",
		Patches: Patches{LBNoIrqSave: true},
	})
}
