package model

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unsafe"
)

var fpSweep = flag.Bool("fp.sweep", false, "check footprints on more states per configuration, and acyclicity of every scenario in full")

// fpConfig is a scenario bound to a variant and knob setting.
type fpConfig struct {
	name string
	m    *Model
}

// fpScenarios are the scenarios the footprint tests run on.
func fpScenarios(t testing.TB) map[string]*Scenario {
	t.Helper()
	out := map[string]*Scenario{"default": DefaultScenario(), "balance": BalanceScenario()}
	g, err := GenerateScenario(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	out["gen3x3"] = g
	files, _ := filepath.Glob("../corpus/scenarios/*.json")
	files = append(files, "testdata/pinned-3cpu.json")
	for _, f := range files {
		sc, err := LoadScenario(f)
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = sc
	}
	if len(files) < 2 {
		t.Fatalf("scenario files missing: %v", files)
	}
	for name, sc := range directedScenarios() {
		out[name] = sc
	}
	rng := rand.New(rand.NewPCG(3, 5))
	for i := 0; i < 16; i++ {
		out[fmt.Sprintf("random%02d", i)] = randomScenario(rng, 3, 4)
	}
	return out
}

// directedScenarios reach paths that the rules of prospects exist for:
//
//   - migwake: set_cpus_allowed wakes migration/1 over T1 running alone on
//     CPU 1, so rq[1] holds two (T1 and migration/1) and CPU 2's
//     load_balance may choose it busiest;
//   - kick: CPU 1's load_balance finds rq[0] busiest with imbalance 0
//     (the load of CPU 2's heavy task lifts the average above rq[0]'s,
//     and small_imbalance finds no gain), moves nothing and kicks CPU 0
//     (nr_balance_failed 2, cache_nice_tries 0): migration/0 pushes T1 to
//     CPU 1 by active_load_balance;
//   - retry: T1 runs on CPU 1 and is preempted by nothing, T2 waits on
//     CPU 1; CPU 2 may pull T2 while T0 on CPU 0 sets T2's affinity, so
//     task_rq_lock retries on the runqueue T2 left.
func directedScenarios() map[string]*Scenario {
	return map[string]*Scenario{
		"migwake": {CPUs: 3, Tasks: []TaskSpec{{CPU: 0, Running: true}, {CPU: 1, Running: true}, {CPU: 2, Running: true}},
			Ticks: []int{0, 0, 1}, CacheNiceTries: 1,
			Affinity: []AffinityCall{{Caller: 0, Target: 1, Mask: []int{0}}}},
		"kick": {CPUs: 3, Tasks: []TaskSpec{{CPU: 0, Running: true, Weight: 3}, {CPU: 0, Weight: 3},
			{CPU: 1, Running: true, Weight: 3}, {CPU: 2, Running: true, Weight: 88}},
			Ticks: []int{0, 1, 0}, CacheNiceTries: 0, BalanceFailed: 2},
		"retry": {CPUs: 3, Tasks: []TaskSpec{{CPU: 0, Running: true}, {CPU: 1, Running: true}, {CPU: 1}},
			Ticks: []int{0, 0, 1}, CacheNiceTries: 1,
			Affinity: []AffinityCall{{Caller: 0, Target: 2, Mask: []int{0}}}},
	}
}

// randomScenario draws a valid scenario with 2..maxCPUs CPUs and
// 1..maxTasks tasks: random placement, masks, weights, cache-hotness,
// 0-2 ticks per CPU (mostly none), idle balance, nr_balance_failed, cache_nice_tries,
// address order and up to two sched_setaffinity calls.
func randomScenario(rng *rand.Rand, maxCPUs, maxTasks int) *Scenario {
	for {
		cpus := 2 + rng.IntN(maxCPUs-1)
		ntasks := 1 + rng.IntN(maxTasks)
		sc := &Scenario{CPUs: cpus, CacheNiceTries: rng.IntN(2), BalanceFailed: rng.IntN(4)}
		running := make([]bool, cpus)
		for i := 0; i < ntasks; i++ {
			mask := 1 + rng.IntN(1<<cpus-1)
			var allowed []int
			for c := 0; c < cpus; c++ {
				if mask&(1<<c) != 0 {
					allowed = append(allowed, c)
				}
			}
			c := allowed[rng.IntN(len(allowed))]
			run := !running[c] && rng.IntN(3) > 0
			running[c] = running[c] || run
			if len(allowed) == cpus && rng.IntN(2) == 0 {
				allowed = nil
			}
			sc.Tasks = append(sc.Tasks, TaskSpec{CPU: c, Running: run, Allowed: allowed, Weight: 1 + rng.IntN(3), CacheHot: rng.IntN(4) == 0})
		}
		for c := 0; c < cpus; c++ {
			sc.Ticks = append(sc.Ticks, rng.IntN(3)*rng.IntN(2)*rng.IntN(2))
		}
		if rng.IntN(3) > 0 {
			sc.IdleBalance, sc.NewIdleMax = true, 1+rng.IntN(2)
		}
		if ntasks >= 2 {
			for k := rng.IntN(3); k > 0; k-- {
				var mask []int
				for c := 0; c < cpus; c++ {
					if rng.IntN(2) == 0 {
						mask = append(mask, c)
					}
				}
				if len(mask) == 0 {
					mask = []int{rng.IntN(cpus)}
				}
				sc.Affinity = append(sc.Affinity, AffinityCall{Caller: 0, Target: 1 + rng.IntN(ntasks-1), Mask: mask})
			}
		}
		if rng.IntN(3) == 0 {
			sc.AddrOrder = rng.Perm(cpus)
		}
		if sc.Validate() == nil {
			return sc
		}
	}
}

// knobSettings lists every combination of a variant's knob values (one
// empty setting for a variant without knobs).
func knobSettings(v *Variant) []map[string]string {
	out := []map[string]string{{}}
	for _, k := range v.Knobs {
		var next []map[string]string
		for _, prev := range out {
			for _, val := range k.Values {
				x := map[string]string{k.Name: val}
				for n, v := range prev {
					x[n] = v
				}
				next = append(next, x)
			}
		}
		out = next
	}
	return out
}

// knobCover lists, for a variant with knobs, the default setting and one
// setting per other value of each knob (every knob value at least once).
func knobCover(v *Variant) []map[string]string {
	out := []map[string]string{{}}
	for _, k := range v.Knobs {
		for _, val := range k.Values {
			if val != k.Default {
				out = append(out, map[string]string{k.Name: val})
			}
		}
	}
	return out
}

// fpConfigs binds every test scenario to every variant, with every
// combination of knob values.
func fpConfigs(t testing.TB) []fpConfig { return fpConfigsOf(t, knobSettings) }

// fpConfigsOf binds every test scenario to every variant with the knob
// settings settings lists.
func fpConfigsOf(t testing.TB, settings func(*Variant) []map[string]string) []fpConfig {
	t.Helper()
	scs := fpScenarios(t)
	names := make([]string, 0, len(scs))
	for n := range scs {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []fpConfig
	for _, name := range names {
		for _, v := range Variants() {
			for _, knobs := range settings(v) {
				sc := scs[name].Clone()
				sc.Knobs = knobs
				m, err := New(sc, v.Name)
				if err != nil {
					t.Fatal(err)
				}
				var ks []string
				for k, val := range knobs {
					ks = append(ks, k+"="+val)
				}
				sort.Strings(ks)
				out = append(out, fpConfig{fmt.Sprintf("%s/%s/%s", name, v.Name, strings.Join(ks, ",")), m})
			}
		}
	}
	return out
}

// reachable returns up to limit states reachable in m, in BFS order.
func reachable(m *Model, limit int) []State {
	init := m.Init()
	seen := map[string]bool{string(Encode(nil, &init, m.Sc)): true}
	out := []State{init}
	var buf []Step
	for i := 0; i < len(out) && len(out) < limit; i++ {
		s := out[i]
		buf = m.Enabled(&s, buf)
		for _, st := range buf {
			n := s
			m.Apply(&n, st)
			k := string(Encode(nil, &n, m.Sc))
			if !seen[k] {
				seen[k] = true
				out = append(out, n)
				if len(out) >= limit {
					break
				}
			}
		}
	}
	return out
}

var allKinds = [...]StepKind{KRun, KTick, KSyscall, KIPI}

func isEnabled(m *Model, s *State, st Step) bool {
	for _, e := range m.Enabled(s, nil) {
		if e == st {
			return true
		}
	}
	return false
}

// byteObj maps every byte of a State to what it belongs to: an object, or
// the private state of a CPU (priv >= 0), or the context of a task
// (task >= 0), or padding (none of them).
type byteObj struct {
	obj        Objs
	priv, task int
}

// fieldKinds names the object kind of every field of CPU, Task and the
// State header. A field missing here fails the test: a new field needs a
// decision about its object.
var fieldKinds = map[string]string{
	// State header.
	"State.Bug": "bug", "State.BugCPU": "bug", "State.BugLvl": "bug",
	"State.CallLock": "call", "State.CallTarget": "call", "State.CallDone": "call",
	// CPU.
	"CPU.IrqsOff": "priv", "CPU.InSoft": "priv", "CPU.InHard": "priv", "CPU.SoftPending": "priv",
	"CPU.NeedResched": "resched", "CPU.IdleAtTick": "priv", "CPU.HardFlags": "priv", "CPU.Ticks": "priv",
	"CPU.Lock": "lock", "CPU.Curr": "rq", "CPU.NrRunning": "rq", "CPU.QLen": "rq", "CPU.Queue": "rq",
	"CPU.ActiveBalance": "rq", "CPU.PushCPU": "rq", "CPU.MigQLen": "rq", "CPU.MigQ": "rq",
	"CPU.MigState": "rq", "CPU.MigOnRq": "rq", "CPU.NrBalanceFailed": "domain", "CPU.NewIdle": "priv",
	"CPU.ThermJ": "priv", "CPU.SaveAB": "priv", "CPU.SavePush": "priv",
	"CPU.Hard": "priv", "CPU.Soft": "priv", "CPU.Mig": "priv", "CPU.Idle": "priv",
	"CPU.SoftLB": "priv", "CPU.ThreadLB": "priv",
	// Task.
	"Task.CPU": "task", "Task.OnRq": "task", "Task.State": "task", "Task.Mask": "task",
	"Task.Calls": "taskctx", "Task.Ctx": "taskctx",
	"Task.ReqTask": "req", "Task.ReqDest": "req", "Task.ReqDone": "req", "Task.ReqLock": "req", "Task.ReqWaiter": "req",
}

func stateByteMap(t testing.TB) []byteObj {
	t.Helper()
	var s State
	out := make([]byteObj, unsafe.Sizeof(s))
	for i := range out {
		out[i] = byteObj{priv: -1, task: -1}
	}
	fill := func(typ reflect.Type, base uintptr, idx int) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			if f.Name == "_" || f.Name == "CPU" && typ.Name() == "State" || f.Name == "Task" && typ.Name() == "State" {
				continue
			}
			kind, ok := fieldKinds[typ.Name()+"."+f.Name]
			if !ok {
				t.Fatalf("field %s.%s has no object kind in fieldKinds", typ.Name(), f.Name)
			}
			var b byteObj
			b.priv, b.task = -1, -1
			switch kind {
			case "bug":
				b.obj = ObjBug
			case "call":
				b.obj = ObjCall
			case "priv":
				b.priv = idx
			case "resched":
				b.obj = ObjResched(idx)
			case "lock":
				b.obj = ObjRqLock(idx)
			case "rq":
				b.obj = ObjRq(idx)
			case "domain":
				b.obj = ObjDomain(idx)
			case "task":
				b.obj = ObjTask(idx)
			case "taskctx":
				b.task = idx
			case "req":
				b.obj = ObjReq(idx)
			}
			for k := uintptr(0); k < f.Type.Size(); k++ {
				out[base+f.Offset+k] = b
			}
		}
	}
	fill(reflect.TypeOf(s), 0, -1)
	for c := 0; c < MaxCPUs; c++ {
		fill(reflect.TypeOf(CPU{}), unsafe.Offsetof(s.CPU)+uintptr(c)*unsafe.Sizeof(CPU{}), c)
	}
	for i := 0; i < MaxTasks; i++ {
		fill(reflect.TypeOf(Task{}), unsafe.Offsetof(s.Task)+uintptr(i)*unsafe.Sizeof(Task{}), i)
	}
	return out
}

func stateBytes(s *State) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(s)), unsafe.Sizeof(*s))
}

// checkWrites checks that the footprint (r, w) of step st from s covers
// what Apply changes: every changed byte's object is in w; a private byte
// of CPU j changes only in a step of j; a task's context and Calls change
// only in a step of the CPU it runs on; nr_running or the load of rq[j]
// change only with ObjRqLoad(j) in w. It also checks LockedAccess: an
// access to an object that CPU st.CPU touches only under rq[j]->lock
// happens with that lock held by one of its contexts, before or after.
func checkWrites(t *testing.T, m *Model, bmap []byteObj, s *State, st Step, r, w Objs) {
	t.Helper()
	c := int(st.CPU)
	n := *s
	m.Apply(&n, st)
	a, b := stateBytes(s), stateBytes(&n)
	var changed Objs
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		x := bmap[i]
		switch {
		case x.priv >= 0 && x.priv != c:
			t.Fatalf("%s: step %+v changes private byte %d of cpu%d\n%s", m.Sc, st, i, x.priv, m.Summary(s))
		case x.task >= 0 && int(s.CPU[c].Curr) != x.task && int(n.CPU[c].Curr) != x.task:
			t.Fatalf("%s: step %+v of cpu%d changes the context of T%d, which does not run there\n%s", m.Sc, st, c, x.task, m.Summary(s))
		case x.obj == 0 && x.priv < 0 && x.task < 0:
			t.Fatalf("step %+v changes padding byte %d", st, i)
		}
		changed |= x.obj
	}
	for j := 0; j < m.n; j++ {
		if m.load(s, j) != m.load(&n, j) || s.CPU[j].NrRunning != n.CPU[j].NrRunning {
			changed |= ObjRqLoad(j)
		}
	}
	if changed&^w != 0 {
		t.Fatalf("%s: step %+v (%s) changes %v outside its write set %v\n%s",
			m.Sc, st, m.Describe(s, st).Def.Where(), changed&^w, w, m.Summary(s))
	}
	for j := 0; j < m.n; j++ {
		lr, lw := LockedAccess(j, c)
		if r&lr == 0 && w&lw == 0 {
			continue
		}
		before, after := s.CPU[j].Lock, n.CPU[j].Lock
		if (before == NoOwner || CtxCPU(before) != c) && (after == NoOwner || CtxCPU(after) != c) {
			t.Fatalf("%s: step %+v (%s) of cpu%d touches %v without rq[%d]->lock\n%s",
				m.Sc, st, m.Describe(s, st).Def.Where(), c, (r&lr)|(w&lw), j, m.Summary(s))
		}
	}
	// Only a lock's owner releases it.
	for l := 0; l < NumLocks; l++ {
		if o := s.owner(l); o != NoOwner && n.owner(l) != o && CtxCPU(o) != c {
			t.Fatalf("step %+v of cpu%d releases %s held by cpu%d", st, c, LockName(l), CtxCPU(o))
		}
	}
}

// checkPairs checks the independence relation on s: two enabled steps of
// different CPUs whose footprints do not conflict commute (same State,
// same Effects for each step) and neither disables the other; an enabled
// step that enables a disabled step of another CPU conflicts with that
// step's guard footprint.
func checkPairs(t *testing.T, m *Model, s *State, pairs *int) {
	t.Helper()
	enabled := m.Enabled(s, nil)
	type fp struct{ r, w Objs }
	foot := map[Step]fp{}
	for c := 0; c < m.n; c++ {
		for _, k := range allKinds {
			st := Step{CPU: int8(c), Kind: k}
			r, w := m.Footprint(s, st)
			foot[st] = fp{r, w}
		}
	}
	for _, a := range enabled {
		sa := *s
		effA := m.Apply(&sa, a)
		fa := foot[a]
		for c := 0; c < m.n; c++ {
			if c == int(a.CPU) {
				continue
			}
			for _, k := range allKinds {
				b := Step{CPU: int8(c), Kind: k}
				fb := foot[b]
				if Conflict(fa.r, fa.w, fb.r, fb.w) {
					continue
				}
				bOn := isEnabled(m, s, b)
				if isEnabled(m, &sa, b) != bOn {
					t.Fatalf("%s: %+v (%s, fp r=%v w=%v) changes the enabledness of %+v (%s, fp r=%v w=%v)\n%s",
						m.Sc, a, m.Describe(s, a).Def.Where(), fa.r, fa.w, b, m.Describe(s, b).Def.Where(), fb.r, fb.w, m.Summary(s))
				}
				if !bOn {
					continue
				}
				*pairs++
				sb := *s
				effB := m.Apply(&sb, b)
				if !isEnabled(m, &sb, a) {
					t.Fatalf("%s: %+v disables %+v although their footprints do not conflict\n%s", m.Sc, b, a, m.Summary(s))
				}
				sab, sba := sa, sb
				effB2 := m.Apply(&sab, b)
				effA2 := m.Apply(&sba, a)
				if sab != sba || effA != effA2 || effB != effB2 {
					t.Fatalf("%s: %+v (%s, r=%v w=%v) and %+v (%s, r=%v w=%v) do not commute\n%s\nab: %s\nba: %s",
						m.Sc, a, m.Describe(s, a).Def.Where(), fa.r, fa.w, b, m.Describe(s, b).Def.Where(), fb.r, fb.w,
						m.Summary(s), m.Summary(&sab), m.Summary(&sba))
				}
			}
		}
	}
}

// TestFootprintIndependence checks Footprint on reachable states of every
// scenario, variant and knob setting: non-conflicting steps commute and
// do not enable or disable each other; the write set covers what a step
// changes; LockedAccess holds; only owners release locks.
func TestFootprintIndependence(t *testing.T) {
	limit := 1500
	if *fpSweep {
		limit = 20000
	}
	if testing.Short() {
		limit = 300
	}
	bmap := stateByteMap(t)
	totalPairs := 0
	for _, cfg := range fpConfigs(t) {
		m := cfg.m
		pairs := 0
		for _, s := range reachable(m, limit) {
			checkPairs(t, m, &s, &pairs)
			for _, st := range m.Enabled(&s, nil) {
				r, w := m.Footprint(&s, st)
				checkWrites(t, m, bmap, &s, st, r, w)
			}
		}
		if t.Failed() {
			t.Fatalf("config %s", cfg.name)
		}
		totalPairs += pairs
	}
	t.Logf("%d independent pairs checked", totalPairs)
	if totalPairs == 0 {
		t.Fatal("no independent pair checked")
	}
}

// TestFutureCoversWalks checks FutureGiven: along random walks from
// reachable states in which the CPUs of a frozen set take no step, every
// step enabled for CPU c has a footprint within FutureGiven(start, c,
// frozen) (frozen empty is Future).
func TestFutureCoversWalks(t *testing.T) {
	starts, walks, length := 60, 4, 400
	if *fpSweep {
		starts, walks = 400, 8
	}
	if testing.Short() {
		starts, walks = 10, 2
	}
	rng := rand.New(rand.NewPCG(7, 11))
	checked := 0
	for _, cfg := range fpConfigs(t) {
		m := cfg.m
		states := reachable(m, 3000)
		for i := 0; i < starts; i++ {
			s0 := states[rng.IntN(len(states))]
			for w := 0; w < walks; w++ {
				frozen := CPUSet(0)
				if w > 0 {
					frozen = CPUSet(rng.IntN(1<<m.n)) &^ (1 << rng.IntN(m.n)) // leave at least one CPU
				}
				var fr, fw [MaxCPUs]Objs
				m.FuturesGiven(&s0, frozen, &fr, &fw)
				for c := 0; c < m.n; c++ {
					if frozen.Has(c) {
						continue
					}
					r1, w1 := m.FutureGiven(&s0, c, frozen)
					if r1 != fr[c] || w1 != fw[c] {
						t.Fatalf("FuturesGiven and FutureGiven differ for cpu%d", c)
					}
				}
				s := s0
				var buf []Step
				for k := 0; k < length; k++ {
					buf = m.Enabled(&s, buf)
					var live []Step
					for _, st := range buf {
						if frozen.Has(int(st.CPU)) {
							continue
						}
						live = append(live, st)
						r, wr := m.Footprint(&s, st)
						c := int(st.CPU)
						checked++
						if r&^fr[c] != 0 || wr&^fw[c] != 0 {
							t.Fatalf("%s: from\n%s\nwith cpus %b frozen, cpu%d later steps %+v (%s) with r=%v w=%v, beyond its future r=%v w=%v (missing r=%v w=%v)\nnow:\n%s",
								cfg.name, m.Summary(&s0), frozen, c, st, m.Describe(&s, st).Def.Where(), r, wr, fr[c], fw[c], r&^fr[c], wr&^fw[c], m.Summary(&s))
						}
					}
					if len(live) == 0 {
						break
					}
					m.Apply(&s, live[rng.IntN(len(live))])
				}
			}
		}
	}
	t.Logf("%d steps checked against futures", checked)
}

// TestStateGraphAcyclic checks that every scenario's state graph has no
// cycle (every event has a budget), for every variant and knob setting, by
// DFS with on-stack detection. Without -fp.sweep the larger scenarios are
// searched up to a state limit (a cycle within the explored part is still
// found).
func TestStateGraphAcyclic(t *testing.T) {
	limit := 60000
	if *fpSweep {
		limit = 0
	}
	if testing.Short() {
		limit = 20000
	}
	for _, cfg := range fpConfigs(t) {
		m := cfg.m
		if cyc, n := findCycle(m, limit); cyc != "" {
			t.Fatalf("%s: cycle after %d states: %s", cfg.name, n, cyc)
		}
	}
}

// findCycle runs a DFS over m's states (at most limit, 0 for all) and
// describes a cycle if it finds one.
func findCycle(m *Model, limit int) (string, int) {
	type frame struct {
		s    State
		key  string
		next int
		st   []Step
	}
	color := map[string]uint8{} // 1 on stack, 2 done
	init := m.Init()
	key := string(Encode(nil, &init, m.Sc))
	stack := []frame{{s: init, key: key, st: m.Enabled(&init, nil)}}
	color[key] = 1
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next == len(top.st) {
			color[top.key] = 2
			stack = stack[:len(stack)-1]
			continue
		}
		st := top.st[top.next]
		top.next++
		n := top.s
		m.Apply(&n, st)
		k := string(Encode(nil, &n, m.Sc))
		switch color[k] {
		case 1:
			return fmt.Sprintf("step %+v from\n%s\nreturns to a state on the stack", st, m.Summary(&top.s)), len(color)
		case 2:
			continue
		}
		if limit > 0 && len(color) >= limit {
			continue
		}
		color[k] = 1
		stack = append(stack, frame{s: n, key: k, st: m.Enabled(&n, nil)})
	}
	return "", len(color)
}

// stateGraph is a whole state space: states, and for each the steps out
// with their successors.
type stateGraph struct {
	states []State
	edges  [][]graphEdge
	order  []int32 // a topological order (every edge goes forward)
}

type graphEdge struct {
	st   Step
	next int32
}

// buildGraph explores m completely; it returns nil if there are more than
// limit states.
func buildGraph(m *Model, limit int) *stateGraph {
	g := &stateGraph{}
	index := map[string]int32{}
	init := m.Init()
	index[string(Encode(nil, &init, m.Sc))] = 0
	g.states = append(g.states, init)
	var buf []Step
	for i := 0; i < len(g.states); i++ {
		s := g.states[i]
		buf = m.Enabled(&s, buf)
		var out []graphEdge
		for _, st := range buf {
			n := s
			m.Apply(&n, st)
			k := string(Encode(nil, &n, m.Sc))
			j, ok := index[k]
			if !ok {
				if len(g.states) >= limit {
					return nil
				}
				j = int32(len(g.states))
				index[k] = j
				g.states = append(g.states, n)
			}
			out = append(out, graphEdge{st, j})
		}
		g.edges = append(g.edges, out)
	}
	// Topological order by iterative DFS post-order, reversed.
	seen := make([]uint8, len(g.states))
	type frame struct{ v, next int32 }
	post := make([]int32, 0, len(g.states))
	stack := []frame{{0, 0}}
	seen[0] = 1
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if int(top.next) == len(g.edges[top.v]) {
			post = append(post, top.v)
			stack = stack[:len(stack)-1]
			continue
		}
		w := g.edges[top.v][top.next].next
		top.next++
		if seen[w] == 0 {
			seen[w] = 1
			stack = append(stack, frame{w, 0})
		}
	}
	for i := len(post) - 1; i >= 0; i-- {
		g.order = append(g.order, post[i])
	}
	return g
}

// TestFutureExact checks FutureGiven exhaustively on scenarios small
// enough: for every reachable state s, every set F of frozen CPUs and
// every CPU c outside F, the union of the footprints of c's enabled steps
// over all states reachable from s by steps of CPUs outside F (s
// included) lies within FutureGiven(s, c, F). It runs every variant with
// each knob value (every combination with -fp.sweep).
func TestFutureExact(t *testing.T) {
	limit := 40000
	if *fpSweep {
		limit = 400000
	}
	if testing.Short() {
		limit = 5000
	}
	configs := fpConfigsOf(t, knobCover)
	if *fpSweep {
		configs = fpConfigs(t)
	}
	checked, skipped := 0, 0
	for _, cfg := range configs {
		m := cfg.m
		t0 := time.Now()
		g := buildGraph(m, limit)
		if g == nil {
			skipped++
			continue
		}
		n := m.n
		own := make([][MaxCPUs][2]Objs, len(g.states))
		for i := range g.states {
			s := &g.states[i]
			for _, st := range m.Enabled(s, nil) {
				r, w := m.Footprint(s, st)
				own[i][st.CPU][0] |= r
				own[i][st.CPU][1] |= w
			}
		}
		acc := make([][MaxCPUs][2]Objs, len(g.states))
		for F := CPUSet(0); F < CPUSet(1<<n)-1; F++ {
			for k := len(g.order) - 1; k >= 0; k-- {
				v := g.order[k]
				a := own[v]
				for _, e := range g.edges[v] {
					if F.Has(int(e.st.CPU)) {
						continue
					}
					for c := 0; c < n; c++ {
						a[c][0] |= acc[e.next][c][0]
						a[c][1] |= acc[e.next][c][1]
					}
				}
				acc[v] = a
			}
			for v := range g.states {
				s := &g.states[v]
				var fr, fw [MaxCPUs]Objs
				m.FuturesGiven(s, F, &fr, &fw)
				for c := 0; c < n; c++ {
					if F.Has(c) {
						continue
					}
					checked++
					if r, w := acc[v][c][0], acc[v][c][1]; r&^fr[c] != 0 || w&^fw[c] != 0 {
						t.Fatalf("%s: with cpus %b frozen, cpu%d may touch r=%v w=%v beyond FutureGiven r=%v w=%v from\n%s",
							cfg.name, F, c, r&^fr[c], w&^fw[c], fr[c], fw[c], m.Summary(s))
					}
				}
			}
		}
		if d := time.Since(t0); d > 2*time.Second {
			t.Logf("%s: %d states, %v", cfg.name, len(g.states), d)
		}
	}
	t.Logf("%d (state, frozen set, cpu) futures checked exactly; %d configurations too big", checked, skipped)
}

// TestFutureReductionBound (with -fp.sweep) measures how much the
// precision of FutureGiven limits partial-order reduction: on
// GenerateScenario(3, 3), mainline-2.6.24, it runs the persistent-set
// closure of explore's persistent (seed each CPU, grow T by conflicts
// with the futures given T, keep the smallest) once with FutureGiven and
// once with the exact futures computed from the whole state graph, and
// logs the states each reduced search visits.
func TestFutureReductionBound(t *testing.T) {
	if !*fpSweep {
		t.Skip("run with -fp.sweep")
	}
	sc, err := GenerateScenario(3, 3)
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(sc, "mainline-2.6.24")
	if err != nil {
		t.Fatal(err)
	}
	g := buildGraph(m, 2000000)
	n := m.n
	own := make([][MaxCPUs][2]Objs, len(g.states))
	for i := range g.states {
		s := &g.states[i]
		for _, st := range m.Enabled(s, nil) {
			r, w := m.Footprint(s, st)
			own[i][st.CPU][0] |= r
			own[i][st.CPU][1] |= w
		}
	}
	exact := make([][][MaxCPUs][2]Objs, 1<<n-1)
	for F := range exact {
		acc := make([][MaxCPUs][2]Objs, len(g.states))
		for k := len(g.order) - 1; k >= 0; k-- {
			v := g.order[k]
			a := own[v]
			for _, e := range g.edges[v] {
				if F&(1<<e.st.CPU) == 0 {
					for c := 0; c < n; c++ {
						a[c][0] |= acc[e.next][c][0]
						a[c][1] |= acc[e.next][c][1]
					}
				}
			}
			acc[v] = a
		}
		exact[F] = acc
	}
	for _, mode := range []string{"FutureGiven", "exact"} {
		seen := make([]bool, len(g.states))
		stack := []int32{0}
		seen[0] = true
		count := 0
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			count++
			s := &g.states[v]
			var fr, fw [MaxCPUs]Objs
			var active CPUSet
			for _, e := range g.edges[v] {
				active |= 1 << e.st.CPU
			}
			for c := 0; c < n; c++ {
				for _, k := range allKinds {
					r, w := m.Footprint(s, Step{CPU: int8(c), Kind: k})
					fr[c], fw[c] = fr[c]|r, fw[c]|w
				}
			}
			best, bestSize := CPUSet(1<<n-1), len(g.edges[v])
			for seed := 0; seed < n; seed++ {
				if !active.Has(seed) {
					continue
				}
				T := CPUSet(1) << seed
				for T != CPUSet(1<<n-1) {
					var r, w Objs
					for c := 0; c < n; c++ {
						if T.Has(c) {
							r, w = r|fr[c], w|fw[c]
						}
					}
					var futR, futW [MaxCPUs]Objs
					if mode == "exact" {
						for d := 0; d < n; d++ {
							futR[d], futW[d] = exact[T][v][d][0], exact[T][v][d][1]
						}
					} else {
						m.FuturesGiven(s, T, &futR, &futW)
					}
					grown := T
					for d := 0; d < n; d++ {
						if !T.Has(d) && Conflict(r, w, futR[d], futW[d]) {
							grown |= 1 << d
						}
					}
					if grown == T {
						break
					}
					T = grown
				}
				size := 0
				for _, e := range g.edges[v] {
					if T.Has(int(e.st.CPU)) {
						size++
					}
				}
				if size < bestSize {
					best, bestSize = T, size
				}
			}
			for _, e := range g.edges[v] {
				if best.Has(int(e.st.CPU)) && !seen[e.next] {
					seen[e.next] = true
					stack = append(stack, e.next)
				}
			}
		}
		t.Logf("%s futures: %d of %d states (%.2fx)", mode, count, len(g.states), float64(len(g.states))/float64(count))
	}
}
