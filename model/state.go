package model

import "unsafe"

// Size limits of a State. Arrays are fixed-size so that a State is plain
// data: it is copied by assignment and compared with ==. Only the first
// Scenario.CPUs CPUs and Scenario.Tasks tasks are in use; the rest stay zero
// and are left out of Encode and Fingerprint.
const (
	MaxCPUs  = 8
	MaxTasks = 8
)

// Special values of CPU.Curr. A non-negative Curr is a task index.
const (
	CurrIdle = -1 // the CPU's idle thread (swapper) runs
	CurrMig  = -2 // the CPU's migration thread (migration/N) runs
)

// NoOwner marks a free spinlock.
const NoOwner = -1

// Context levels on a CPU's stack (spec §1).
const (
	LevelThread  = 0
	LevelSoftirq = 1
	LevelHardirq = 2
)

// Task states as the scheduler sees them (p->state).
const (
	TaskRunning         = 0 // TASK_RUNNING
	TaskInterruptible   = 1 // TASK_INTERRUPTIBLE
	TaskUninterruptible = 2 // TASK_UNINTERRUPTIBLE
)

// Ctx is one execution context: a thread's kernel stack or an interrupt
// frame. PC indexes the step table; Ret is a small return stack for the
// kernel functions the model treats as subroutines (schedule, double_rq_lock,
// double_lock_balance, try_to_wake_up, __migrate_task, active_load_balance).
type Ctx struct {
	PC    PC
	Ret   [4]PC
	SP    uint8
	Flags uint8 // saved irq flags: bit0 the outer local_irq_save, bit1 try_to_wake_up's
	Rq1   int8  // first runqueue argument (double_rq_lock rq1, busiest, task_rq)
	Rq2   int8  // second runqueue argument (double_rq_lock rq2, target)
	Task  int8  // task argument (wake-up target, task being migrated)
	Dest  int8  // destination CPU (__migrate_task)
	Req   int8  // migration request being served (index of the calling task)
	Wake  int8  // try_to_wake_up target: a task, or -1-cpu for migration/cpu
}

// LB holds the locals of one load_balance / load_balance_newidle call: the
// accumulators of find_busiest_group, filled one unlocked read at a time.
type LB struct {
	Cpus      uint8 // cpumask_t cpus (all-pinned redo clears busiest from it)
	J         uint8 // next group (CPU) find_busiest_group reads
	Busiest   int8
	ThisNr    uint8
	BusiestNr uint8
	Bits      uint8 // lbMoved, lbAllPinned, lbActive
	_         [2]byte
	ThisLoad  uint32
	MaxLoad   uint32
	BLoad     uint32 // busiest sum_weighted_load
	TotalLoad uint32
	Imbalance uint32
}

// Bits of LB.Bits.
const (
	lbMoved      = 1 << 0
	lbAllPinned  = 1 << 1
	lbActive     = 1 << 2
	lbKickPinned = 1 << 3 // busiest->curr may not run here (2826): out_one_pinned
)

// CPU is one processor together with its runqueue (struct rq), its
// sched_domain counters and its per-CPU kernel threads.
type CPU struct {
	// Processor.
	IrqsOff     bool  // interrupts disabled
	InSoft      bool  // a softirq frame is on the stack
	InHard      bool  // a hardirq frame is on the stack
	SoftPending bool  // SCHED_SOFTIRQ raised
	NeedResched bool  // TIF_NEED_RESCHED of rq->curr
	IdleAtTick  bool  // rq->idle_at_tick
	HardFlags   bool  // irq flag the hardirq will restore (the interrupted context's)
	Ticks       uint8 // timer ticks this CPU may still take

	// Runqueue.
	Lock          int8 // rq->lock owner: context id (cpu*3+level), NoOwner if free
	Curr          int8 // rq->curr: a task, CurrIdle or CurrMig
	NrRunning     uint8
	QLen          uint8
	Queue         [MaxTasks]int8 // fair tasks queued (not running), pick order first
	ActiveBalance bool
	PushCPU       int8
	MigQLen       uint8
	MigQ          [MaxTasks]int8 // migration_queue, head first: indices of requesting tasks
	MigState      uint8          // migration thread p->state
	MigOnRq       bool           // migration thread on the runqueue

	// Scheduling domain (one level).
	NrBalanceFailed uint8
	NewIdle         uint8 // idle balances this CPU may still run

	// Locals of migration_thread's thermal block (thermal-2008 only): the
	// CPU find_coolest_cpu reads next, and the patch's save_ab and save_push.
	ThermJ   int8
	SaveAB   bool
	SavePush int8

	// Contexts. The thread context that runs is Curr's.
	Hard, Soft, Mig, Idle Ctx
	SoftLB, ThreadLB      LB
}

// Task is one user task plus, since a migration request lives on its caller's
// stack, the request and completion of the sched_setaffinity call it makes.
type Task struct {
	CPU   int8  // task_cpu(p)
	OnRq  bool  // p->se.on_rq
	State uint8 // p->state
	Mask  uint8 // cpus_allowed
	Calls uint8 // affinity calls this task has started
	// struct migration_req on this task's stack.
	ReqTask   int8  // req->task
	ReqDest   int8  // req->dest_cpu
	ReqDone   uint8 // req->done.done
	ReqLock   int8  // req->done.wait.lock owner
	ReqWaiter bool  // the caller is on req->done.wait
	Ctx       Ctx
}

// State is the whole machine. It is plain data: copy it by assignment,
// compare it with ==. Bug records a kernel BUG: the machine stops there.
type State struct {
	Bug    uint16 // kernel/sched.c line of the BUG_ON that fired, 0 if none
	BugCPU int8
	BugLvl int8
	// The one cross-CPU function call in flight (arch/x86/kernel/smp_64.c):
	// call_lock serialises smp_call_function_mask, so there is at most one
	// call_data at a time.
	CallLock   int8 // call_lock owner (a context id), NoOwner if free
	CallTarget int8 // CPU the CALL_FUNCTION_VECTOR IPI was sent to, -1 if none
	CallDone   bool // call_data->started and ->finished have been incremented
	_          byte
	CPU        [MaxCPUs]CPU
	Task       [MaxTasks]Task
}

// ctxID names a context on a CPU's stack: cpu*3+level. It is the owner
// value of a spinlock.
func ctxID(cpu, level int) int8 { return int8(cpu*3 + level) }

// CtxCPU and CtxLevel split a context id.
func CtxCPU(id int8) int   { return int(id) / 3 }
func CtxLevel(id int8) int { return int(id) % 3 }

var (
	headerSize = int(unsafe.Offsetof(State{}.CPU))
	cpuSize    = int(unsafe.Sizeof(CPU{}))
	taskSize   = int(unsafe.Sizeof(Task{}))
)

// EncodedSize is the length of Encode's output for a scenario.
func EncodedSize(sc *Scenario) int {
	return headerSize + sc.CPUs*cpuSize + len(sc.Tasks)*taskSize
}

// Encode appends the used part of s (header, the scenario's CPUs and tasks)
// to buf. Two states of one scenario are equal iff their encodings are.
func Encode(buf []byte, s *State, sc *Scenario) []byte {
	base := unsafe.Slice((*byte)(unsafe.Pointer(s)), unsafe.Sizeof(*s))
	buf = append(buf, base[:headerSize+sc.CPUs*cpuSize]...)
	toff := int(unsafe.Offsetof(s.Task))
	return append(buf, base[toff:toff+len(sc.Tasks)*taskSize]...)
}

// Decode is the inverse of Encode: it overwrites the used part of s with
// the encoded state. The unused CPUs and tasks of s must be zero, as they
// are in every State built by Init, Decode or CopyState.
func Decode(b []byte, s *State, sc *Scenario) {
	base := unsafe.Slice((*byte)(unsafe.Pointer(s)), unsafe.Sizeof(*s))
	n := headerSize + sc.CPUs*cpuSize
	copy(base, b[:n])
	toff := int(unsafe.Offsetof(s.Task))
	copy(base[toff:], b[n:])
}

// Words returns the used part of s in place, with no copy, as two byte
// slices of whole 8-byte words: the header and the scenario's CPUs, and
// the scenario's tasks. A slice ends at the next word boundary, so it may
// include the first bytes of the next, unused (zero) CPU or task; the two
// slices are therefore a function of the used part alone, as Encode is,
// and two states of one scenario are equal iff their slices are. The
// slices alias s: they change with it.
func Words(s *State, sc *Scenario) (cpus, tasks []byte) {
	base := unsafe.Slice((*byte)(unsafe.Pointer(s)), unsafe.Sizeof(*s))
	n := roundWord(headerSize + sc.CPUs*cpuSize)
	toff := int(unsafe.Offsetof(s.Task))
	m := roundWord(len(sc.Tasks) * taskSize)
	return base[:n:n], base[toff : toff+m : toff+m]
}

func roundWord(n int) int { return (n + 7) &^ 7 }

// The task region starts, and the State ends, on a word boundary, so
// Words never reads past the State.
var (
	_ = [1 - unsafe.Offsetof(State{}.Task)%8]struct{}{}
	_ = [1 - unsafe.Sizeof(State{})%8]struct{}{}
)

// CopyState copies the used part of src to dst; it is `*dst = *src` for the
// states of one scenario, without copying the unused (zero) CPUs and tasks.
func CopyState(dst, src *State, sc *Scenario) {
	d := unsafe.Slice((*byte)(unsafe.Pointer(dst)), unsafe.Sizeof(*dst))
	s := unsafe.Slice((*byte)(unsafe.Pointer(src)), unsafe.Sizeof(*src))
	n := headerSize + sc.CPUs*cpuSize
	copy(d[:n], s[:n])
	toff := int(unsafe.Offsetof(src.Task))
	m := toff + len(sc.Tasks)*taskSize
	copy(d[toff:m], s[toff:m])
}
