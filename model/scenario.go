package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Scenario fixes everything a search starts from: the machine, the tasks, the
// event sources and the bounds that keep the state space finite (spec §7).
type Scenario struct {
	// CPUs is the number of online CPUs, 2..MaxCPUs.
	CPUs int `json:"cpus"`
	// Tasks are the user tasks, at most MaxTasks.
	Tasks []TaskSpec `json:"tasks"`
	// Ticks is the number of timer ticks each CPU may take (one entry per CPU).
	Ticks []int `json:"ticks"`
	// IdleBalance turns on idle_balance from schedule() (SD_BALANCE_NEWIDLE).
	IdleBalance bool `json:"idle_balance"`
	// NewIdleMax bounds the idle balances per CPU when IdleBalance is on.
	NewIdleMax int `json:"newidle_max"`
	// Affinity lists the sched_setaffinity calls, made in order by one task.
	Affinity []AffinityCall `json:"affinity"`
	// CacheNiceTries is sd->cache_nice_tries (SD_CPU_INIT: 1).
	CacheNiceTries int `json:"cache_nice_tries"`
	// BalanceFailed is the initial sd->nr_balance_failed of every CPU.
	BalanceFailed int `json:"nr_balance_failed"`
	// AddrOrder lists the CPUs by increasing address of their struct rq;
	// empty means rq[i] addresses increase with i.
	AddrOrder []int `json:"addr_order,omitempty"`
	// Knobs sets variant knobs by name.
	Knobs map[string]string `json:"knobs,omitempty"`
}

// TaskSpec describes one user task at the start.
type TaskSpec struct {
	// CPU the task is on.
	CPU int `json:"cpu"`
	// Running: the task is rq->curr of its CPU (at most one per CPU);
	// otherwise it is queued behind it.
	Running bool `json:"running"`
	// Allowed is cpus_allowed as a list of CPUs; empty means all.
	Allowed []int `json:"allowed,omitempty"`
	// Weight is the load weight in units of NICE_0_LOAD (1024); 0 means 1.
	Weight int `json:"weight,omitempty"`
	// CacheHot: task_hot() holds for the task (it ran recently).
	CacheHot bool `json:"cache_hot,omitempty"`
}

// AffinityCall is one sched_setaffinity(Target, Mask) made by task Caller
// from its own thread context.
type AffinityCall struct {
	Caller int   `json:"caller"`
	Target int   `json:"target"`
	Mask   []int `json:"mask"`
}

// DefaultScenario is the built-in scenario: the smallest that shows the 2008
// oops (spec §7). Two CPUs; T0 runs on CPU 0 and T1 waits behind it; T0
// calls sched_setaffinity(T1, {1}), so set_cpus_allowed queues a migration
// request for migration/0. No ticks and no idle balance: mainline serves
// the request cleanly, thermal-2008 reaches double_rq_lock with interrupts
// on.
func DefaultScenario() *Scenario {
	return &Scenario{
		CPUs: 2,
		Tasks: []TaskSpec{
			{CPU: 0, Running: true},
			{CPU: 0},
		},
		Ticks:          []int{0, 0},
		Affinity:       []AffinityCall{{Caller: 0, Target: 1, Mask: []int{1}}},
		CacheNiceTries: 1,
	}
}

// BalanceScenario is the built-in scenario that drives every mainline code
// path the 2008 report touches: 2 CPUs, 3 tasks, a tick on each CPU (so
// load_balance runs from the softirq), the sched_setaffinity call of
// DefaultScenario, and idle balance.
func BalanceScenario() *Scenario {
	return &Scenario{
		CPUs: 2,
		Tasks: []TaskSpec{
			{CPU: 0, Running: true},
			{CPU: 0},
			{CPU: 1, Running: true},
		},
		Ticks:          []int{1, 1},
		IdleBalance:    true,
		NewIdleMax:     1,
		Affinity:       []AffinityCall{{Caller: 0, Target: 1, Mask: []int{1}}},
		CacheNiceTries: 1,
	}
}

// BuiltinScenario returns a built-in scenario by name: "default" or
// "balance".
func BuiltinScenario(name string) (*Scenario, bool) {
	switch name {
	case "default":
		return DefaultScenario(), true
	case "balance":
		return BalanceScenario(), true
	}
	return nil, false
}

// LoadScenario reads a scenario from a JSON file. Unknown fields are errors.
// Every error names the file and, where it can, the field.
func LoadScenario(path string) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	sc, err := ParseScenario(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sc, nil
}

// ParseScenario decodes and validates a JSON scenario.
func ParseScenario(data []byte) (*Scenario, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var sc Scenario
	if err := dec.Decode(&sc); err != nil {
		return nil, jsonError(data, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the scenario object")
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	return &sc, nil
}

func jsonError(data []byte, err error) error {
	switch e := err.(type) {
	case *json.SyntaxError:
		line := 1 + bytes.Count(data[:min(int(e.Offset), len(data))], []byte("\n"))
		return fmt.Errorf("line %d: JSON syntax: %v", line, e)
	case *json.UnmarshalTypeError:
		return fmt.Errorf("field %q: cannot use JSON %s as %s", e.Field, e.Value, e.Type)
	}
	if s := err.Error(); strings.HasPrefix(s, "json: unknown field ") {
		return fmt.Errorf("field %s: unknown field", strings.TrimPrefix(s, "json: unknown field "))
	}
	return fmt.Errorf("JSON: %w", err)
}

// FieldError is a validation error that names the offending field.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return "field " + e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Validate refuses impossible scenarios with an error naming the field.
func (sc *Scenario) Validate() error {
	if sc.CPUs < 2 || sc.CPUs > MaxCPUs {
		return fieldErr("cpus", "%d CPUs: need 2..%d", sc.CPUs, MaxCPUs)
	}
	if len(sc.Tasks) == 0 || len(sc.Tasks) > MaxTasks {
		return fieldErr("tasks", "%d tasks: need 1..%d", len(sc.Tasks), MaxTasks)
	}
	running := make([]int, sc.CPUs)
	for i := range running {
		running[i] = -1
	}
	for i, t := range sc.Tasks {
		f := fmt.Sprintf("tasks[%d]", i)
		if t.CPU < 0 || t.CPU >= sc.CPUs {
			return fieldErr(f+".cpu", "CPU %d does not exist (cpus = %d)", t.CPU, sc.CPUs)
		}
		for j, c := range t.Allowed {
			if c < 0 || c >= sc.CPUs {
				return fieldErr(fmt.Sprintf("%s.allowed[%d]", f, j), "CPU %d does not exist (cpus = %d)", c, sc.CPUs)
			}
		}
		if sc.TaskMask(i)&(1<<t.CPU) == 0 {
			return fieldErr(f+".cpu", "task placed on CPU %d, which its allowed mask %v forbids", t.CPU, t.Allowed)
		}
		if t.Weight < 0 || t.Weight > 88 {
			return fieldErr(f+".weight", "weight %d: need 0..88 (units of NICE_0_LOAD)", t.Weight)
		}
		if t.Running {
			if running[t.CPU] >= 0 {
				return fieldErr(f+".running", "CPU %d already runs task %d", t.CPU, running[t.CPU])
			}
			running[t.CPU] = i
		}
	}
	if len(sc.Ticks) != sc.CPUs {
		return fieldErr("ticks", "%d entries for %d CPUs", len(sc.Ticks), sc.CPUs)
	}
	for i, n := range sc.Ticks {
		if n < 0 || n > 100 {
			return fieldErr(fmt.Sprintf("ticks[%d]", i), "%d ticks: need 0..100", n)
		}
	}
	if sc.NewIdleMax < 0 || sc.NewIdleMax > 100 {
		return fieldErr("newidle_max", "%d: need 0..100", sc.NewIdleMax)
	}
	if sc.CacheNiceTries < 0 || sc.CacheNiceTries > 10 {
		return fieldErr("cache_nice_tries", "%d: need 0..10", sc.CacheNiceTries)
	}
	if sc.BalanceFailed < 0 || sc.BalanceFailed > 10 {
		return fieldErr("nr_balance_failed", "%d: need 0..10", sc.BalanceFailed)
	}
	for i, a := range sc.Affinity {
		f := fmt.Sprintf("affinity[%d]", i)
		if a.Caller < 0 || a.Caller >= len(sc.Tasks) {
			return fieldErr(f+".caller", "task %d does not exist", a.Caller)
		}
		if a.Target < 0 || a.Target >= len(sc.Tasks) {
			return fieldErr(f+".target", "task %d does not exist", a.Target)
		}
		if a.Target == a.Caller {
			return fieldErr(f+".target", "a task changing its own affinity is not modelled yet")
		}
		if a.Caller != sc.Affinity[0].Caller {
			return fieldErr(f+".caller", "all calls must come from one task (sched_hotcpu_mutex is not modelled)")
		}
		if len(a.Mask) == 0 {
			return fieldErr(f+".mask", "empty mask")
		}
		for j, c := range a.Mask {
			if c < 0 || c >= sc.CPUs {
				return fieldErr(fmt.Sprintf("%s.mask[%d]", f, j), "CPU %d does not exist (cpus = %d)", c, sc.CPUs)
			}
		}
	}
	if len(sc.Affinity) > 15 {
		return fieldErr("affinity", "%d calls: at most 15", len(sc.Affinity))
	}
	if len(sc.AddrOrder) > 0 {
		if len(sc.AddrOrder) != sc.CPUs {
			return fieldErr("addr_order", "%d entries for %d CPUs", len(sc.AddrOrder), sc.CPUs)
		}
		seen := make([]bool, sc.CPUs)
		for i, c := range sc.AddrOrder {
			if c < 0 || c >= sc.CPUs || seen[c] {
				return fieldErr(fmt.Sprintf("addr_order[%d]", i), "not a permutation of 0..%d", sc.CPUs-1)
			}
			seen[c] = true
		}
	}
	return nil
}

// TaskMask returns task i's initial cpus_allowed as a bit mask.
func (sc *Scenario) TaskMask(i int) uint8 { return cpuMask(sc.Tasks[i].Allowed, sc.CPUs) }

// CallMask returns the mask of affinity call k.
func (sc *Scenario) CallMask(k int) uint8 { return cpuMask(sc.Affinity[k].Mask, sc.CPUs) }

func cpuMask(cpus []int, n int) uint8 {
	if len(cpus) == 0 {
		return uint8(1<<n - 1)
	}
	var m uint8
	for _, c := range cpus {
		m |= 1 << c
	}
	return m
}

// Weight returns task i's load weight (se.load.weight).
func (sc *Scenario) Weight(i int) uint32 {
	w := sc.Tasks[i].Weight
	if w == 0 {
		w = 1
	}
	return uint32(w) * NiceZeroLoad
}

// AddrRank returns the position of cpu's struct rq in address order.
func (sc *Scenario) AddrRank(cpu int) int {
	if len(sc.AddrOrder) == 0 {
		return cpu
	}
	for i, c := range sc.AddrOrder {
		if c == cpu {
			return i
		}
	}
	return cpu
}

// String renders the scenario in one line, for reports.
func (sc *Scenario) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d CPUs, %d tasks [", sc.CPUs, len(sc.Tasks))
	for i, t := range sc.Tasks {
		if i > 0 {
			b.WriteString(" ")
		}
		state := "queued"
		if t.Running {
			state = "running"
		}
		fmt.Fprintf(&b, "T%d:cpu%d,%s,allowed=%s", i, t.CPU, state, MaskString(sc.TaskMask(i)))
		if t.CacheHot {
			b.WriteString(",hot")
		}
		if t.Weight > 1 {
			fmt.Fprintf(&b, ",w%d", t.Weight)
		}
	}
	fmt.Fprintf(&b, "], ticks %v, idle_balance=%v", sc.Ticks, sc.IdleBalance)
	for _, a := range sc.Affinity {
		fmt.Fprintf(&b, ", T%d: sched_setaffinity(T%d, %s)", a.Caller, a.Target, MaskString(cpuMask(a.Mask, sc.CPUs)))
	}
	for _, k := range slices.Sorted(maps.Keys(sc.Knobs)) {
		fmt.Fprintf(&b, ", %s=%s", k, sc.Knobs[k])
	}
	return b.String()
}

// MaskString renders a cpumask as {0,2}.
func MaskString(m uint8) string {
	var parts []string
	for c := 0; c < 8; c++ {
		if m&(1<<c) != 0 {
			parts = append(parts, strconv.Itoa(c))
		}
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// GenerateScenario builds a scenario of the default's shape for cpus CPUs
// and tasks tasks: T0 runs on CPU 0 with T1 queued behind it, every other
// task goes round the other CPUs (running if the CPU has no task yet), one
// tick per CPU, idle balance on, and T0 calls sched_setaffinity(T1, {last
// CPU}) when there are two tasks or more.
func GenerateScenario(cpus, tasks int) (*Scenario, error) {
	if cpus < 2 || cpus > MaxCPUs {
		return nil, fieldErr("cpus", "%d CPUs: need 2..%d", cpus, MaxCPUs)
	}
	if tasks < 1 || tasks > MaxTasks {
		return nil, fieldErr("tasks", "%d tasks: need 1..%d", tasks, MaxTasks)
	}
	sc := &Scenario{CPUs: cpus, IdleBalance: true, NewIdleMax: 1, CacheNiceTries: 1}
	busy := make([]bool, cpus)
	for i := 0; i < tasks; i++ {
		c := 0
		if i >= 2 {
			c = 1 + (i-2)%(cpus-1)
		}
		sc.Tasks = append(sc.Tasks, TaskSpec{CPU: c, Running: !busy[c]})
		busy[c] = true
	}
	for range cpus {
		sc.Ticks = append(sc.Ticks, 1)
	}
	if tasks >= 2 {
		sc.Affinity = []AffinityCall{{Caller: 0, Target: 1, Mask: []int{cpus - 1}}}
	}
	return sc, sc.Validate()
}
