package model

import "fmt"

// Load weights (kernel/sched.c prio_to_weight, set_load_weight).
const (
	NiceZeroLoad    = 1024      // NICE_0_LOAD = SCHED_LOAD_SCALE
	rtLoad          = 88761 * 2 // set_load_weight: RT tasks get prio_to_weight[0]*2
	loadScaleFuzz   = 1024      // SCHED_LOAD_SCALE_FUZZ
	imbalancePct    = 125       // SD_CPU_INIT .imbalance_pct
	prioFair        = 120       // nice 0
	prioIdle        = 140       // MAX_PRIO
	prioMig         = 0         // migration/N: SCHED_FIFO, MAX_RT_PRIO-1
	sysctlNrMigrate = 32        // sysctl_sched_nr_migrate
)

// StepKind says what kind of event a Step is.
type StepKind uint8

const (
	// KRun: the top context of the CPU executes the statement at its PC.
	KRun StepKind = iota
	// KTick: a timer interrupt arrives on the CPU.
	KTick
	// KSyscall: the CPU's current task, in user mode, calls sched_setaffinity.
	KSyscall
	// KIPI: the CALL_FUNCTION_VECTOR interrupt sent to the CPU arrives and
	// its handler runs.
	KIPI
)

func (k StepKind) String() string {
	switch k {
	case KRun:
		return "run"
	case KTick:
		return "tick"
	case KSyscall:
		return "syscall"
	case KIPI:
		return "ipi"
	}
	return fmt.Sprintf("kind%d", k)
}

// Step is one enabled transition: which CPU acts and how. Applying a Step to
// a State is deterministic; the explorer chooses among the enabled Steps.
type Step struct {
	CPU  int8
	Kind StepKind
}

// Bug identifies a kernel BUG_ON by its v2.6.24 kernel/sched.c line.
type Bug struct {
	Line int
	Func string
	Cond string
}

// Bugs lists the modelled BUG_ONs.
var Bugs = map[int]Bug{
	2090: {2090, "double_rq_lock", "BUG_ON(!irqs_disabled())"},
	2135: {2135, "double_lock_balance", "BUG_ON(1) /* !irqs_disabled() */"},
	2781: {2781, "load_balance", "BUG_ON(busiest == this_rq)"},
	2930: {2930, "load_balance_newidle", "BUG_ON(busiest == this_rq)"},
	3033: {3033, "active_load_balance", "BUG_ON(busiest_rq == target_rq)"},
}

// Effects are what a step did that properties judge on the transition
// rather than on the state: tasks enqueued by a balancing or migration path,
// and a sched_setaffinity call returning.
type Effects struct {
	NEnq uint8
	Enq  [2]struct{ Task, CPU int8 }
	// AffinityDone is the task whose sched_setaffinity call returned, or -1.
	AffinityDone int8
}

func (e *Effects) enqueued(t, cpu int) {
	if int(e.NEnq) < len(e.Enq) {
		e.Enq[e.NEnq].Task, e.Enq[e.NEnq].CPU = int8(t), int8(cpu)
		e.NEnq++
	}
}

// Model is a scenario bound to a variant: it builds the initial state,
// lists the enabled steps of a state and applies one. It holds no search
// state and is safe for concurrent use.
type Model struct {
	Sc      *Scenario
	Variant *Variant
	Knobs   map[string]string
	p       Patches
	n       int // CPUs
	nt      int // tasks
	weight  [MaxTasks]uint32
	hot     [MaxTasks]bool
	rank    [MaxCPUs]int
	th      thermal
}

// thermal is the thermal-2008 patch as its knobs configure it.
type thermal struct {
	on         bool
	beforeLock bool // placement=before-lock
	ipi        bool // sensor=ipi
	alb        bool // alb=on
	iter       bool // iterator=thermal
}

// New binds a validated scenario to a variant.
func New(sc *Scenario, variant string) (*Model, error) {
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	v, err := Lookup(variant)
	if err != nil {
		return nil, err
	}
	knobs, err := v.resolveKnobs(sc.Knobs)
	if err != nil {
		return nil, err
	}
	m := &Model{Sc: sc, Variant: v, Knobs: knobs, p: v.Patches, n: sc.CPUs, nt: len(sc.Tasks)}
	if v.Patches.Thermal {
		m.th = thermal{
			on:         true,
			beforeLock: knobs["placement"] == "before-lock",
			ipi:        knobs["sensor"] == "ipi",
			alb:        knobs["alb"] == "on",
			iter:       knobs["iterator"] == "thermal",
		}
	}
	for i := range sc.Tasks {
		m.weight[i] = sc.Weight(i)
		m.hot[i] = sc.Tasks[i].CacheHot
	}
	for c := 0; c < m.n; c++ {
		m.rank[c] = sc.AddrRank(c)
	}
	return m, nil
}

// NumCPUs and NumTasks give the scenario's sizes.
func (m *Model) NumCPUs() int  { return m.n }
func (m *Model) NumTasks() int { return m.nt }

// Init builds the initial state: every runqueue after sched_init with the
// scenario's tasks placed, migration threads asleep in schedule() at 5179,
// push_cpu 0 everywhere.
func (m *Model) Init() State {
	var s State
	sc := m.Sc
	s.CallLock, s.CallTarget = NoOwner, -1
	for c := 0; c < m.n; c++ {
		cpu := &s.CPU[c]
		cpu.Lock = NoOwner
		cpu.Curr = CurrIdle
		cpu.Ticks = uint8(sc.Ticks[c])
		if sc.IdleBalance {
			cpu.NewIdle = uint8(sc.NewIdleMax)
		}
		cpu.NrBalanceFailed = uint8(sc.BalanceFailed)
		cpu.MigState = TaskInterruptible
		cpu.Mig = sleepingCtx(PcMigSetState)
		cpu.Soft.Rq1, cpu.Hard.Rq1 = -1, -1
	}
	for i, t := range sc.Tasks {
		task := &s.Task[i]
		task.CPU = int8(t.CPU)
		task.OnRq = true
		task.Mask = sc.TaskMask(i)
		task.ReqTask, task.ReqDest, task.ReqLock = -1, -1, NoOwner
		cpu := &s.CPU[t.CPU]
		cpu.NrRunning++
		if t.Running {
			cpu.Curr = int8(i)
			task.Ctx = Ctx{PC: PcUser}
		} else {
			cpu.Queue[cpu.QLen] = int8(i)
			cpu.QLen++
			task.Ctx = sleepingCtx(PcUser)
		}
	}
	for c := 0; c < m.n; c++ {
		cpu := &s.CPU[c]
		if cpu.Curr == CurrIdle {
			cpu.Idle = Ctx{PC: PcIdle}
		} else {
			cpu.Idle = sleepingCtx(PcIdle)
		}
	}
	return s
}

// sleepingCtx is a thread switched out inside schedule(), resuming at ret.
func sleepingCtx(ret PC) Ctx {
	c := Ctx{PC: PcSchedIrqOn, SP: 1}
	c.Ret[0] = ret
	return c
}

// threadCtx returns the context of the thread that runs on cpu.
func (s *State) threadCtx(cpu int) *Ctx {
	c := &s.CPU[cpu]
	switch c.Curr {
	case CurrIdle:
		return &c.Idle
	case CurrMig:
		return &c.Mig
	}
	return &s.Task[c.Curr].Ctx
}

// Top returns the context that runs on cpu and its level.
func (s *State) Top(cpu int) (*Ctx, int) {
	c := &s.CPU[cpu]
	if c.InHard {
		return &c.Hard, LevelHardirq
	}
	if c.InSoft {
		return &c.Soft, LevelSoftirq
	}
	return s.threadCtx(cpu), LevelThread
}

// Ctx returns the context at a level of cpu's stack, or nil if that level
// is not on the stack.
func (s *State) Ctx(cpu, level int) *Ctx {
	c := &s.CPU[cpu]
	switch level {
	case LevelHardirq:
		if c.InHard {
			return &c.Hard
		}
		return nil
	case LevelSoftirq:
		if c.InSoft {
			return &c.Soft
		}
		return nil
	}
	return s.threadCtx(cpu)
}

// ThreadName names the thread running on cpu: "T1", "migration/0", "swapper/1".
func (s *State) ThreadName(cpu int) string {
	switch cur := s.CPU[cpu].Curr; cur {
	case CurrIdle:
		return fmt.Sprintf("swapper/%d", cpu)
	case CurrMig:
		return fmt.Sprintf("migration/%d", cpu)
	default:
		return fmt.Sprintf("T%d", cur)
	}
}

// ContextName names a context: the thread's name, "softirq" or "hardirq".
func (s *State) ContextName(cpu, level int) string {
	switch level {
	case LevelHardirq:
		return "hardirq"
	case LevelSoftirq:
		return "softirq"
	}
	return s.ThreadName(cpu)
}

// Lock identifiers: rq[c].lock is c; the wait.lock of the completion in
// task t's migration request is MaxCPUs+t; call_lock
// (arch/x86/kernel/smp_64.c:302) is CallLockID.
func rqLock(c int) int  { return c }
func reqLock(t int) int { return MaxCPUs + t }

// CallLockID is the lock identifier of smp_64.c's call_lock.
const CallLockID = MaxCPUs + MaxTasks

func (s *State) owner(l int) int8 {
	switch {
	case l < MaxCPUs:
		return s.CPU[l].Lock
	case l == CallLockID:
		return s.CallLock
	}
	return s.Task[l-MaxCPUs].ReqLock
}
func (s *State) setOwner(l int, o int8) {
	switch {
	case l < MaxCPUs:
		s.CPU[l].Lock = o
	case l == CallLockID:
		s.CallLock = o
	default:
		s.Task[l-MaxCPUs].ReqLock = o
	}
}

// LockName renders a lock identifier.
func LockName(l int) string {
	switch {
	case l < MaxCPUs:
		return fmt.Sprintf("rq[%d]->lock", l)
	case l == CallLockID:
		return "call_lock"
	}
	return fmt.Sprintf("T%d.req.done.wait.lock", l-MaxCPUs)
}

// Owner returns the context id holding lock l, or NoOwner.
func (s *State) Owner(l int) int8 { return s.owner(l) }

// NumLocks is the size of the lock identifier space.
const NumLocks = MaxCPUs + MaxTasks + 1
