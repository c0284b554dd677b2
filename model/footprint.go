package model

import (
	"fmt"
	"math/bits"
	"strings"
)

// Objs is a set of shared objects of a State, one bit each: what a step
// reads or writes, for partial-order reduction. Objects are groups of
// fields; a step that assigns a field of an object writes the object (even
// if the value does not change), a step whose behaviour (enabledness
// included) may depend on a field reads an object that contains it.
//
// The objects, per CPU j (j < MaxCPUs) and per task t (t < MaxTasks):
//
//   - ObjRqLock(j): rq[j]->lock (CPU.Lock).
//   - ObjRqLoad(j): the values the balancer reads without rq[j]->lock:
//     rq->nr_running and weighted_cpuload(j). It is derived from NrRunning,
//     the queue, curr, curr's on_rq and MigOnRq: a step writes it when it
//     may change nr_running or the load, and only then (a context switch
//     moves a task between queue and curr and changes neither).
//   - ObjRq(j): the rest of struct rq but need_resched, and what goes
//     with it: the fair queue, QLen, NrRunning, curr, MigOnRq,
//     active_balance, push_cpu, migration_queue and the migration
//     thread's p->state.
//   - ObjResched(j): TIF_NEED_RESCHED of rq[j]->curr (CPU.NeedResched).
//   - ObjDomain(j): sd->nr_balance_failed of CPU j's domain.
//   - ObjTask(t): task t's p->state, on_rq, task_cpu and cpus_allowed.
//   - ObjReq(t): the struct migration_req on task t's stack and its
//     completion: req->task, req->dest_cpu, done, the waiter and the
//     completion's wait.lock.
//   - ObjBug: the BUG record; every step reads it (nothing is enabled
//     after a BUG).
//   - ObjCall: call_lock and call_data of smp_call_function (thermal-2008
//     with sensor=ipi).
//
// The rest of the state is private to one CPU and has no object: the
// CPU's irq flag, interrupt frames and their contexts, tick and
// idle-balance budgets, pending softirq, idle_at_tick, the load_balance
// locals, the migration and idle thread contexts, the thermal block's
// locals, and the context and Calls of the task that runs on the CPU.
// Only that CPU's steps read or write them, so they never make steps of
// two CPUs dependent (the tests check that no other CPU's step changes
// them).
type Objs uint64

// Bit layout of Objs.
const (
	objLockBase    = 0
	objLoadBase    = objLockBase + MaxCPUs
	objRqBase      = objLoadBase + MaxCPUs
	objReschedBase = objRqBase + MaxCPUs
	objDomainBase  = objReschedBase + MaxCPUs
	objTaskBase    = objDomainBase + MaxCPUs
	objReqBase     = objTaskBase + MaxTasks
	objBugBit      = objReqBase + MaxTasks
	objCallBit     = objBugBit + 1
)

var _ = [64 - objCallBit - 1]struct{}{} // the layout fits Objs

// Object constants and constructors. Each returns a set with exactly one
// object; the argument must be a CPU (resp. task) index below MaxCPUs
// (resp. MaxTasks).
const (
	ObjBug  Objs = 1 << objBugBit
	ObjCall Objs = 1 << objCallBit
)

// ObjRqLock is rq[j]->lock.
func ObjRqLock(j int) Objs { return 1 << (objLockBase + j) }

// ObjRqLoad is rq[j]'s nr_running and weighted_cpuload as the balancer
// reads them without the lock.
func ObjRqLoad(j int) Objs { return 1 << (objLoadBase + j) }

// ObjRq is rq[j]'s fields other than the lock and need_resched, and its
// migration thread's state.
func ObjRq(j int) Objs { return 1 << (objRqBase + j) }

// ObjResched is need_resched of CPU j's current thread.
func ObjResched(j int) Objs { return 1 << (objReschedBase + j) }

// ObjDomain is CPU j's sd->nr_balance_failed.
func ObjDomain(j int) Objs { return 1 << (objDomainBase + j) }

// ObjTask is task t's scheduler fields shared between CPUs.
func ObjTask(t int) Objs { return 1 << (objTaskBase + t) }

// ObjReq is the migration request and completion on task t's stack.
func ObjReq(t int) Objs { return 1 << (objReqBase + t) }

// objAll returns the set of kind base for the first k indices.
func objAll(base, k int) Objs { return Objs(1<<k-1) << base }

// Has reports whether o and x share an object.
func (o Objs) Has(x Objs) bool { return o&x != 0 }

// Len is the number of objects in o.
func (o Objs) Len() int { return bits.OnesCount64(uint64(o)) }

// String lists the objects of o, e.g. "{lock0 load1 rq1 T0}".
func (o Objs) String() string {
	var parts []string
	for b := 0; b < 64; b++ {
		if o&(1<<b) == 0 {
			continue
		}
		switch {
		case b < objLoadBase:
			parts = append(parts, fmt.Sprintf("lock%d", b-objLockBase))
		case b < objRqBase:
			parts = append(parts, fmt.Sprintf("load%d", b-objLoadBase))
		case b < objReschedBase:
			parts = append(parts, fmt.Sprintf("rq%d", b-objRqBase))
		case b < objDomainBase:
			parts = append(parts, fmt.Sprintf("resched%d", b-objReschedBase))
		case b < objTaskBase:
			parts = append(parts, fmt.Sprintf("sd%d", b-objDomainBase))
		case b < objReqBase:
			parts = append(parts, fmt.Sprintf("T%d", b-objTaskBase))
		case b < objBugBit:
			parts = append(parts, fmt.Sprintf("req%d", b-objReqBase))
		case b == objBugBit:
			parts = append(parts, "bug")
		case b == objCallBit:
			parts = append(parts, "call")
		default:
			parts = append(parts, fmt.Sprintf("bit%d", b))
		}
	}
	return "{" + strings.Join(parts, " ") + "}"
}

// Conflict reports whether two accesses (r1, w1) and (r2, w2) touch a common
// object with at least one of them writing it.
func Conflict(r1, w1, r2, w2 Objs) bool {
	return w1&(r2|w2) != 0 || r1&w2 != 0
}

// LockedAccess returns the objects that CPU d reads (read) and writes
// (write) only while one of its contexts holds rq[j]->lock:
//
//   - ObjRq(j), ObjResched(j) and ObjDomain(j), for d != j: other CPUs
//     touch another runqueue's queue, curr, need_resched, active_balance, push_cpu,
//     migration_queue and migration thread state only under its lock
//     (try_to_wake_up, pull_task, __migrate_task, set_cpus_allowed,
//     load_balance's active-balance kick), and read its
//     sd->nr_balance_failed only in active_load_balance with both
//     runqueues locked (move_one_task's can_migrate_task). CPU j itself
//     reads need_resched, writes its migration thread's state
//     (set_current_state) and sd->nr_balance_failed, and, in thermal-2008
//     with placement=before-lock, writes active_balance and push_cpu, all
//     without the lock: these are not locked accesses for d == j.
//   - ObjRqLoad(j), for writes by any CPU: nr_running and the load change
//     only under rq[j]->lock. The balancer's reads of them are unlocked
//     (find_busiest_group, find_busiest_queue, the nr_running > 1 test),
//     so reads are never locked accesses.
//
// Invariant: every step of CPU d whose Footprint reads (writes) an object
// of read (write) holds rq[j]->lock, through a context of d, before the
// step or after it (the step takes it). So while a context of another CPU
// holds rq[j]->lock, no step of d performs these accesses.
func LockedAccess(j, d int) (read, write Objs) {
	write = ObjRqLoad(j)
	if d != j {
		read = ObjRq(j) | ObjResched(j) | ObjDomain(j)
		write |= read
	}
	return read, write
}

// Footprint returns what executing step st from s reads and writes: the
// objects its statement and the Inline statements that follow it in the
// same step read or write, plus what its enabledness depends on. st must
// be enabled in s, or be a step of a CPU that is not enabled in s (a KRun
// spinning on a held lock, a KRun in the idle loop or a user task without
// need_resched, a KRun waiting for an IPI's handler, a KTick, KSyscall or
// KIPI whose guard is false): then read is what its enabledness depends
// on and write is empty.
//
// # The independence relation
//
// Two steps of different CPUs are independent in s when their footprints
// do not conflict (Conflict): neither writes an object the other reads or
// writes. Then they commute (either order gives the same State and the
// same Effects) and neither enables or disables the other. This holds
// because:
//
//   - read contains every object whose fields the step's code or guard
//     reads, except CPU c's reads of fields only CPU c writes (rq[c]->curr,
//     read to find the running context, is written only by c's
//     context_switch) and reads of the scenario, which never changes;
//   - read also contains the tasks the step's Effects name (enqueued
//     tasks, the target of a returning sched_setaffinity): a Step
//     property judges their cpus_allowed and cpu in the next state;
//   - write contains every object a field of which the step assigns, and
//     ObjRqLoad(j) whenever nr_running or weighted_cpuload(j) may change;
//     which fields the step assigns is decided by what it reads.
//
// The objects are shared because of these kernel functions:
//
//   - find_busiest_group and find_busiest_queue read other runqueues'
//     nr_running and weighted_cpuload without their locks, and
//     load_balance / load_balance_newidle re-read busiest->nr_running
//     unlocked (ObjRqLoad); every enqueue or dequeue (activate_task,
//     deactivate_task, pull_task, __migrate_task) and a migration thread
//     waking or sleeping writes it.
//   - double_rq_lock, double_lock_balance, task_rq_lock, schedule's and
//     scheduler_tick's spin_lock, and the kick of load_balance take
//     runqueue locks (ObjRqLock).
//   - try_to_wake_up, pull_task, __migrate_task, set_cpus_allowed and the
//     active-balance kick write another CPU's runqueue under its lock;
//     check_preempt_curr and wake_up_process of a migration thread set
//     another CPU's need_resched, which that CPU's idle loop and
//     return-to-user path read without a lock (ObjRq).
//   - move_one_task (active_load_balance) reads the target CPU's
//     sd->nr_balance_failed (ObjDomain).
//   - try_to_wake_up and set_cpus_allowed read task_cpu(p) unlocked; the
//     balancer reads cpus_allowed; schedule reads prev->state
//     (ObjTask).
//   - set_cpus_allowed fills the caller's migration_req; migration_thread
//     reads it and calls complete(); wait_for_completion takes the
//     completion's wait.lock (ObjReq).
//   - smp_call_function_single and the CALL_FUNCTION_VECTOR handler share
//     call_lock and call_data (ObjCall).
//   - a BUG_ON stops the machine: a step that fires one writes ObjBug,
//     which every step reads.
//
// Footprint executes the step on a copy of s to follow its Inline
// continuation; s is not modified.
func (m *Model) Footprint(s *State, st Step) (read, write Objs) {
	c := int(st.CPU)
	read = ObjBug
	if s.Bug != 0 {
		return read, 0
	}
	cpu := &s.CPU[c]
	switch st.Kind {
	case KTick:
		return read, 0 // private: the budget, the irq flag, the hardirq frame
	case KSyscall:
		ctx, lvl := s.Top(c)
		if lvl != LevelThread || ctx.PC != PcUser || !m.wantsSyscall(s, int(cpu.Curr)) {
			return read, 0
		}
		k := int(s.Task[cpu.Curr].Calls)
		return read | ObjTask(m.Sc.Affinity[k].Target), 0
	case KIPI:
		read |= ObjCall
		if int(s.CallTarget) == c && !s.CallDone && !cpu.IrqsOff && !cpu.InHard {
			write = ObjCall
		}
		return read, write
	}
	ctx, lvl := s.Top(c)
	if !m.runnable(s, c, ctx) {
		return read | m.guardReads(s, c, ctx), 0
	}
	var t State
	CopyState(&t, s, m.Sc)
	eff := Effects{AffinityDone: -1}
	for first := true; first || t.Bug == 0; first = false {
		ctx, lvl = t.Top(c)
		if !first && !Steps[ctx.PC].Inline {
			break
		}
		r, w := m.stmtFootprint(&t, c, lvl, ctx)
		read |= r
		write |= w
		m.exec(&t, c, lvl, ctx, &eff)
	}
	if t.Bug != 0 {
		write |= ObjBug
	}
	// A step's Effects name tasks whose cpus_allowed and cpu a Step
	// property judges in the next state: the step observes them.
	for i := 0; i < int(eff.NEnq); i++ {
		read |= ObjTask(int(eff.Enq[i].Task))
	}
	if eff.AffinityDone >= 0 {
		read |= ObjTask(int(eff.AffinityDone))
	}
	return read, write
}

// guardReads is what the KRun guard of a context that cannot step reads:
// need_resched in the idle loop or in user mode, call_data while waiting
// for an IPI's handler, the owner of the lock it spins on.
func (m *Model) guardReads(s *State, c int, ctx *Ctx) Objs {
	switch ctx.PC {
	case PcUser, PcIdle, PcSchedIrqOn:
		return ObjResched(c)
	case PcThWait:
		return ObjCall
	}
	if l, ok := m.wants(s, c, ctx); ok {
		return lockObj(l)
	}
	return 0
}

// lockObj maps a lock identifier to its object.
func lockObj(l int) Objs {
	switch {
	case l < MaxCPUs:
		return ObjRqLock(l)
	case l == CallLockID:
		return ObjCall
	}
	return ObjReq(l - MaxCPUs)
}

// pullFootprint is what moving task t from src to dst in s reads and
// writes: both queues and counts, the task's cpu and on_rq, and dst's
// need_resched if dst idles (check_preempt_curr reads dst's curr).
func pullFootprint(s *State, t, src, dst int) (r, w Objs) {
	w = ObjRq(src) | ObjRqLoad(src) | ObjRq(dst) | ObjRqLoad(dst) | ObjTask(t) | reschedIfIdle(s, dst)
	return ObjRq(dst) | ObjRq(src) | ObjTask(t), w
}

// reschedIfIdle is the write of check_preempt_curr for a fair task on
// CPU j: need_resched, if the idle thread runs there.
func reschedIfIdle(s *State, j int) Objs {
	if s.CPU[j].Curr == CurrIdle {
		return ObjResched(j)
	}
	return 0
}

// stmtFootprint is the footprint of the one statement at ctx.PC on CPU c,
// evaluated in s just before exec runs it; it mirrors exec. CPU c's
// private state has no object.
func (m *Model) stmtFootprint(s *State, c, lvl int, ctx *Ctx) (r, w Objs) {
	cpu := &s.CPU[c]
	switch ctx.PC {
	case PcUser, PcIdle, PcSchedIrqOn:
		r = ObjResched(c)
	case PcSchedIrqOff, PcSCARetryRestore, PcSCARestore, PcSCAWait,
		PcWFCSleepIrq, PcWFCRelock, PcWFCIrqOn, PcSCAOutRestore,
		PcWakeRetryRestore, PcWakeRestore, PcMigIrqOff, PcMigOffline,
		PcMigEmptyIrqOn, PcMigIrqOn, PcMigCompSave, PcMigCompRestore,
		PcThStart, PcThStartEarly, PcThRead, PcThSelf, PcIrqExit,
		PcSoftExit, PcLBStart, PcLBIrqSave, PcLBIrqRestore, PcLBKickSave,
		PcLBKickRestore, PcLBDone:
		// Private: irq flag, contexts, the balancer's locals.

	case PcSchedLock:
		r = ObjRqLock(c) | ObjRq(c)
		w = ObjRqLock(c) | ObjResched(c)
		switch prev := cpu.Curr; {
		case prev >= 0:
			r |= ObjTask(int(prev))
			if t := &s.Task[prev]; t.State != TaskRunning && t.OnRq {
				w |= ObjTask(int(prev)) | ObjRq(c) | ObjRqLoad(c)
			}
		case prev == CurrMig:
			if cpu.MigState != TaskRunning && cpu.MigOnRq {
				w |= ObjRq(c) | ObjRqLoad(c)
			}
		}
	case PcSchedPick:
		r = ObjRq(c)
		w = ObjRq(c) | ObjRqLock(c)
		if prev := cpu.Curr; prev >= 0 {
			r |= ObjTask(int(prev))
		}
		if !cpu.MigOnRq && cpu.QLen > 0 {
			next := int(cpu.Queue[0])
			r |= ObjTask(next)
			if !s.Task[next].OnRq {
				w |= ObjRqLoad(c) // the load would gain a task that is not on_rq
			}
		}

	case PcSCALock:
		rq := int(ctx.Rq1)
		p := int(ctx.Task)
		r = ObjRqLock(rq) | ObjTask(p)
		w = ObjRqLock(rq)
		task := &s.Task[p]
		if int(task.CPU) != rq {
			break
		}
		w |= ObjTask(p)
		mask := m.Sc.CallMask(int(ctx.Req))
		if mask&(1<<task.CPU) != 0 {
			break
		}
		r |= ObjRq(rq)
		if !task.OnRq && s.CPU[rq].Curr != ctx.Task {
			break
		}
		w |= ObjReq(int(cpu.Curr)) | ObjRq(rq)
	case PcSCARetryUnlock, PcSCAUnlock, PcSCAOutUnlock, PcWakeRetryUnlock, PcWakeUnlock, PcDRUFirst, PcDLBUnlock:
		w = ObjRqLock(int(ctx.Rq1))
	case PcDRUSecond, PcALBUnlock:
		w = ObjRqLock(int(ctx.Rq2))
	case PcSCARetrySave:
		r = ObjTask(int(ctx.Task))
	case PcWFCLock:
		t := int(cpu.Curr)
		r = ObjReq(t)
		w = ObjReq(t)
		if s.Task[t].ReqDone == 0 {
			w |= ObjTask(t)
		}
	case PcWFCSleepUnlock, PcWFCUnlock:
		w = ObjReq(int(cpu.Curr))

	case PcWakeSave:
		if ctx.Wake >= 0 {
			r = ObjTask(int(ctx.Wake))
		}
	case PcWakeLock:
		j := int(ctx.Rq1)
		r = ObjRqLock(j)
		w = ObjRqLock(j)
		if ctx.Wake >= 0 {
			r |= ObjTask(int(ctx.Wake))
		}
		if s.wakeCPU(ctx.Wake) != j {
			break
		}
		rq := &s.CPU[j]
		r |= ObjRq(j)
		if ctx.Wake < 0 {
			if rq.MigState != TaskRunning {
				w |= ObjRq(j)
				if !rq.MigOnRq {
					w |= ObjRqLoad(j)
					if rq.Curr != CurrMig {
						w |= ObjResched(j)
					}
				}
			}
			break
		}
		if t := &s.Task[ctx.Wake]; t.State != TaskRunning {
			w |= ObjTask(int(ctx.Wake))
			if !t.OnRq {
				w |= ObjRq(j) | ObjRqLoad(j) | reschedIfIdle(s, j)
			}
		}

	case PcDRLFirst:
		if !cpu.IrqsOff {
			break // BUG_ON: ObjBug is added by Footprint
		}
		first, _ := m.drlOrder(ctx)
		r = ObjRqLock(first)
		w = ObjRqLock(first)
	case PcDRLSecond:
		_, second := m.drlOrder(ctx)
		r = ObjRqLock(second)
		w = ObjRqLock(second)
	case PcDLBTry:
		if !cpu.IrqsOff {
			l := int(ctx.Rq1)
			r = ObjRqLock(l)
			if s.owner(l) == ctxID(c, lvl) {
				w = ObjRqLock(l)
			}
			break
		}
		r = ObjRqLock(int(ctx.Rq2))
		if s.owner(int(ctx.Rq2)) == NoOwner {
			w = ObjRqLock(int(ctx.Rq2))
		}
	case PcDLBLockB, PcDLBLock2:
		r = ObjRqLock(int(ctx.Rq2))
		w = r
	case PcDLBLockA:
		r = ObjRqLock(int(ctx.Rq1))
		w = r

	case PcMigSetState, PcMigClearAB, PcThSetPush, PcThRestoreAB, PcThRestorePush:
		w = ObjRq(c)
	case PcMigLock, PcTickLock:
		r = ObjRqLock(c)
		w = r
	case PcMigActive, PcMigQueue, PcALBStart, PcThSavePush:
		r = ObjRq(c)
		if ctx.PC == PcMigQueue && cpu.MigQLen > 0 {
			w = ObjRq(c)
		}
	case PcThSaveAB:
		r = ObjRq(c)
		if !m.th.beforeLock {
			w = ObjRq(c) // save_push, push_cpu = coolest, and the restores
		}
	case PcALBMove:
		if m.th.iter {
			break
		}
		target, busiest := int(ctx.Rq2), int(ctx.Rq1)
		r = ObjDomain(target) | ObjRq(busiest)
		src := &s.CPU[busiest]
		var pinned bool
		failed := s.CPU[target].NrBalanceFailed
		for i := 0; i < int(src.QLen); i++ {
			p := src.Queue[i]
			r |= ObjTask(int(p))
			if m.canMigrate(s, p, target, failed, &pinned) {
				pr, pw := pullFootprint(s, int(p), busiest, target)
				r, w = r|pr, w|pw
				break
			}
		}
	case PcMigEmptyUnlock, PcTickUnlock:
		w = ObjRqLock(c)
	case PcMigUnlockReq:
		w = ObjRqLock(c)
		r = ObjReq(int(ctx.Req))
	case PcMTMove:
		t, src, dest := int(ctx.Task), int(ctx.Rq1), int(ctx.Rq2)
		r = ObjTask(t)
		p := &s.Task[t]
		if int(p.CPU) != src || p.Mask&(1<<dest) == 0 {
			break
		}
		w = ObjTask(t)
		if p.OnRq {
			r |= ObjRq(src)
			w |= ObjRq(src) | ObjRqLoad(src)
			if !m.p.MigrateNoEnqueue {
				r |= ObjRq(dest)
				w |= ObjRq(dest) | ObjRqLoad(dest) | reschedIfIdle(s, dest)
			}
		}
	case PcMigCompLock:
		r = ObjReq(int(ctx.Req))
		w = r
	case PcMigCompUnlock:
		w = ObjReq(int(ctx.Req))

	case PcThCallLock, PcThWait:
		r = ObjCall
		w = ObjCall

	case PcLBRead, PcNIRead:
		lb := &cpu.SoftLB
		if ctx.PC == PcNIRead {
			lb = &cpu.ThreadLB
		}
		if j, ok := m.nextGroup(c, lb, ctx.PC == PcLBRead); ok {
			r = ObjRqLoad(j)
		}
	case PcNIStart:
		r = ObjRqLoad(c)
	case PcLBFbq, PcNIFbq:
		lb := &cpu.SoftLB
		if ctx.PC == PcNIFbq {
			lb = &cpu.ThreadLB
		}
		if b := int(lb.Busiest); lb.Cpus&(1<<b) != 0 {
			r = ObjRqLoad(b)
		}
	case PcLBNr:
		r = ObjRqLoad(int(cpu.SoftLB.Busiest))
	case PcNINr:
		r = ObjRqLoad(int(cpu.ThreadLB.Busiest))
	case PcLBMove, PcNIMove:
		lb := &cpu.SoftLB
		if ctx.PC == PcNIMove {
			lb = &cpu.ThreadLB
		}
		b := int(lb.Busiest)
		r = ObjDomain(c) | ObjRq(b)
		if lb.Imbalance == 0 {
			break
		}
		src := &s.CPU[b]
		for i := 0; i < int(src.QLen); i++ {
			r |= ObjTask(int(src.Queue[i]))
		}
		// Which tasks move is decided by what was just read; run it to see.
		var t State
		CopyState(&t, s, m.Sc)
		var tlb LB = *lb
		var eff Effects
		m.moveTasks(&t, c, b, &tlb, &eff)
		for i := 0; i < m.nt; i++ {
			if t.Task[i].CPU != s.Task[i].CPU {
				pr, pw := pullFootprint(s, i, b, c)
				r, w = r|pr, w|pw
			}
		}
	case PcLBFailed:
		r = ObjDomain(c)
		w = ObjDomain(c)
	case PcLBOutBalanced, PcLBKickReset, PcNIOut:
		w = ObjDomain(c)
	case PcNIFailed:
		if cpu.ThreadLB.Bits&lbMoved != 0 {
			w = ObjDomain(c)
		}
	case PcLBKickLock:
		b := int(cpu.SoftLB.Busiest)
		r = ObjRqLock(b) | ObjRq(b)
		w = ObjRqLock(b)
		if cur := s.CPU[b].Curr; cur >= 0 {
			r |= ObjTask(int(cur))
			if m.currAllowed(s, b, c) && !s.CPU[b].ActiveBalance {
				w |= ObjRq(b)
			}
		}
	case PcLBKickUnlock:
		w = ObjRqLock(int(cpu.SoftLB.Busiest))
	case PcNIUnlock:
		w = ObjRqLock(int(cpu.ThreadLB.Busiest))

	default:
		// An unknown statement touches everything.
		r, w = ^Objs(0), ^Objs(0)
	}
	return r, w
}

// nextGroup is the group (CPU) the next find_busiest_group read of lb
// reads: lbReadNext's choice, without changing lb.
func (m *Model) nextGroup(c int, lb *LB, includeSelf bool) (int, bool) {
	for k := int(lb.J); k < m.n; k++ {
		j := (c + k) % m.n
		if lb.Cpus&(1<<j) == 0 || (j == c && !includeSelf) {
			continue
		}
		return j, true
	}
	return 0, false
}

// Future returns an over-approximation of everything the steps of CPU c
// may read (read) and write (write) from s on, in any execution: its next
// steps and every later one, whichever steps other CPUs take meanwhile.
// Invariant: every step that CPU c can take in any state reachable from
// s has a Footprint whose read is within read and whose write is within
// write. Its enabledness is part of a step's Footprint, so Future covers
// how c's steps enable or disable other CPUs' steps and what enables or
// disables c's.
//
// Future is tighter than "everything" where the state rules code out:
//
//   - scheduler_tick and load_balance only while a tick is left, a
//     hardirq or softirq is on the stack or SCHED_SOFTIRQ is pending;
//   - nothing at thread level while a task that makes no
//     sched_setaffinity call runs in user mode without need_resched and
//     nobody can wake migration/c (only waking an RT migration thread
//     preempts a fair task; a fair task never preempts another);
//   - load_balance_newidle only with an idle balance left or one under
//     way;
//   - set_cpus_allowed and wait_for_completion only if the calling task
//     may run on c and has a call left or is inside one;
//   - migration/c only if it runs, is runnable, has work, or may still be
//     woken (a call whose target may be on c and whose mask excludes c;
//     an active-balance kick, which needs sd->nr_balance_failed to pass
//     cache_nice_tries+2 within the ticks left).
func (m *Model) Future(s *State, c int) (read, write Objs) {
	read = ObjBug
	if s.Bug != 0 {
		return read, 0 // nothing is ever enabled again
	}
	cpu := &s.CPU[c]
	n, nt := m.n, m.nt
	allLock, allLoad, allRq := objAll(objLockBase, n), objAll(objLoadBase, n), objAll(objRqBase, n)
	allResched, allDomain := objAll(objReschedBase, n), objAll(objDomainBase, n)
	allTask, allReq := objAll(objTaskBase, nt), objAll(objReqBase, nt)
	add := func(r, w Objs) { read, write = read|r, write|w }

	// Locks held by c's contexts: c releases them. Locks c's contexts
	// spin on, need_resched, call_data: c's guards read them.
	for l := 0; l < NumLocks; l++ {
		if o := s.owner(l); o != NoOwner && CtxCPU(o) == c {
			add(lockObj(l), lockObj(l))
		}
	}
	for lvl := LevelThread; lvl <= LevelHardirq; lvl++ {
		if ctx := s.Ctx(c, lvl); ctx != nil {
			read |= m.guardReads(s, c, ctx)
		}
	}

	// scheduler_tick: rq[c]->lock.
	tick := cpu.Ticks > 0 || cpu.InHard
	if tick {
		add(ObjRqLock(c), ObjRqLock(c))
	}

	// load_balance from SCHED_SOFTIRQ.
	if tick || cpu.InSoft || cpu.SoftPending {
		add(m.balanceFuture(c, m.kickMayCome(s, c)))
		if m.p.LBNoIrqSave {
			write |= ObjBug // double_rq_lock with interrupts on (2090)
		}
	}

	if m.threadFrozen(s, c) {
		return read, write
	}

	// schedule() on c: rq[c]->lock, its queue, curr, need_resched;
	// prev's state and on_rq (any task that may run here); deactivation
	// of a sleeping prev is counted below with the sleepers.
	add(ObjRqLock(c)|ObjRq(c)|ObjResched(c), ObjRqLock(c)|ObjRq(c)|ObjResched(c))
	for t := 0; t < nt; t++ {
		if m.mayRunOn(s, t, c) {
			read |= ObjTask(t)
		}
	}
	// idle_balance → load_balance_newidle.
	if cpu.NewIdle > 0 || cpu.ThreadLB.Cpus != 0 {
		add(m.balanceFuture(c, false))
	}

	// The task that calls sched_setaffinity, if it may run here and has a
	// call left or is inside one: task_rq_lock of the target's rq, its
	// cpus_allowed and cpu, the request on the caller's stack, the
	// migration_queue, wake_up_process of that rq's migration thread, and
	// wait_for_completion (the completion, the caller's p->state and its
	// deactivation in schedule()).
	if caller, ok := m.callerBusy(s); ok && m.mayRunOn(s, caller, c) {
		add(allLock|allTask|allRq|ObjReq(caller), allLock|allTask|allRq|allLoad|allResched|ObjReq(caller)|ObjRqLoad(c))
	}

	// migration/c: schedule() to sleep (its deactivation), its request
	// queue, __migrate_task to any CPU, complete() and waking the caller
	// wherever it is, active_load_balance towards push_cpu (the target's
	// sd->nr_balance_failed), and thermal-2008's block.
	if m.migMayRun(s, c) {
		add(allLock|allRq|allTask|allReq|allDomain|allLoad, allLock|allRq|allLoad|allTask|allReq|allResched)
		if m.th.on {
			if m.th.ipi {
				add(ObjCall, ObjCall)
			}
			if m.th.beforeLock || m.th.ipi {
				write |= ObjBug // 2090, 2135 (interrupts on), 3033 (push_cpu restored under a kick)
			}
		}
	}

	// The CALL_FUNCTION_VECTOR handler: someone may send c an IPI.
	if m.th.on && m.th.ipi && (s.CallTarget >= 0 || m.anyMigMayRun(s)) {
		add(ObjCall, ObjCall)
	}
	return read, write
}

// balanceFuture is what a load_balance or load_balance_newidle of CPU c
// may touch: unlocked reads of every runqueue's nr_running and load,
// double_rq_lock / double_lock_balance with any busiest, pull_task from
// it (the queued tasks' cpus_allowed, their cpu and on_rq, c's
// need_resched), sd->nr_balance_failed; and with kick the active-balance
// kick (busiest's active_balance, push_cpu, curr's cpus_allowed) and
// waking busiest's migration thread.
func (m *Model) balanceFuture(c int, kick bool) (r, w Objs) {
	n, nt := m.n, m.nt
	allLock, allLoad, allRq := objAll(objLockBase, n), objAll(objLoadBase, n), objAll(objRqBase, n)
	allTask := objAll(objTaskBase, nt)
	r = allLoad | allLock | allRq | allTask | ObjDomain(c)
	w = allLock | allRq | allLoad | allTask | ObjDomain(c) | ObjResched(c)
	if kick {
		w |= objAll(objReschedBase, n)
	}
	return r, w
}

// threadFrozen reports whether nothing will ever run at thread level on c:
// a task that has no sched_setaffinity call to make runs in user mode
// without need_resched, and migration/c can never be woken. Only waking
// migration/c sets need_resched over a fair task (check_preempt_curr
// preempts only the idle thread), and a task in user mode leaves it only
// for schedule() or a sched_setaffinity call.
func (m *Model) threadFrozen(s *State, c int) bool {
	cpu := &s.CPU[c]
	t := int(cpu.Curr)
	if t < 0 || cpu.NeedResched {
		return false
	}
	if ctx := &s.Task[t].Ctx; ctx.PC != PcUser || ctx.SP != 0 {
		return false
	}
	if caller, ok := m.callerBusy(s); ok && caller == t {
		return false
	}
	return !m.migMayRun(s, c)
}

// mayRunOn reports whether task t may ever run on CPU c from s: it is
// there, or its mask, now or after one of the scenario's affinity calls,
// allows c, or the variant ignores affinity.
func (m *Model) mayRunOn(s *State, t, c int) bool {
	task := &s.Task[t]
	if int(task.CPU) == c || task.Mask&(1<<c) != 0 || m.p.IgnoreAffinity {
		return true
	}
	for _, a := range m.Sc.Affinity {
		if a.Target == t && cpuMask(a.Mask, m.n)&(1<<c) != 0 {
			return true
		}
	}
	return false
}

// callerBusy returns the task that calls sched_setaffinity and whether it
// has a call left or is inside one (anywhere but user mode).
func (m *Model) callerBusy(s *State) (int, bool) {
	aff := m.Sc.Affinity
	if len(aff) == 0 {
		return 0, false
	}
	t := aff[0].Caller
	task := &s.Task[t]
	if int(task.Calls) < len(aff) {
		return t, true
	}
	return t, !inUserMode(&task.Ctx)
}

// inUserMode reports whether a task context is in user mode: at PcUser, or
// in the schedule() that preempted it there.
func inUserMode(ctx *Ctx) bool {
	if ctx.SP == 0 {
		return ctx.PC == PcUser
	}
	return ctx.Ret[0] == PcUser
}

// migMayRun reports whether migration/c may run again from s: it is
// running or runnable, it has work, a wake-up of it is under way, or
// someone may still wake it: set_cpus_allowed wakes the migration thread
// of the target's runqueue when the new mask excludes that CPU, and
// load_balance's kick wakes busiest's.
func (m *Model) migMayRun(s *State, c int) bool {
	cpu := &s.CPU[c]
	if cpu.Curr == CurrMig || cpu.MigOnRq || cpu.MigState == TaskRunning || cpu.MigQLen > 0 || cpu.ActiveBalance {
		return true
	}
	if m.wakePending(s, int8(-1-c)) {
		return true
	}
	if caller, ok := m.callerBusy(s); ok {
		first := int(s.Task[caller].Calls)
		if !inUserMode(&s.Task[caller].Ctx) {
			first-- // the call under way
		}
		for k := max(first, 0); k < len(m.Sc.Affinity); k++ {
			a := m.Sc.Affinity[k]
			if cpuMask(a.Mask, m.n)&(1<<c) == 0 && m.mayRunOn(s, a.Target, c) {
				return true
			}
		}
	}
	for d := 0; d < m.n; d++ {
		if d != c && m.kickMayCome(s, d) {
			return true
		}
	}
	return false
}

// wakePending reports whether some context is inside try_to_wake_up of w
// (a task, or -1-cpu for a migration thread) before its wake-up happened.
func (m *Model) wakePending(s *State, w int8) bool {
	pending := func(ctx *Ctx) bool {
		switch ctx.PC {
		case PcWakeSave, PcWakeLock, PcWakeRetryUnlock, PcWakeRetryRestore:
			return ctx.Wake == w
		}
		return false
	}
	for c := 0; c < m.n; c++ {
		cpu := &s.CPU[c]
		if (cpu.InSoft && pending(&cpu.Soft)) || (cpu.InHard && pending(&cpu.Hard)) || pending(&cpu.Mig) || pending(&cpu.Idle) {
			return true
		}
	}
	for t := 0; t < m.nt; t++ {
		if pending(&s.Task[t].Ctx) {
			return true
		}
	}
	return false
}

// anyMigMayRun reports whether some migration thread may run again.
func (m *Model) anyMigMayRun(s *State) bool {
	for c := 0; c < m.n; c++ {
		if m.migMayRun(s, c) {
			return true
		}
	}
	return false
}

// kickMayCome reports whether CPU c's load_balance may still reach the
// active-balance kick (2821) or the wake-up after it: that needs
// sd->nr_balance_failed above cache_nice_tries+2 after the increment at
// 2817, and each run of load_balance increments it at most once.
func (m *Model) kickMayCome(s *State, c int) bool {
	cpu := &s.CPU[c]
	runs := int(cpu.Ticks)
	if cpu.InHard {
		runs++
	}
	if cpu.SoftPending {
		runs++
	}
	if cpu.InSoft {
		runs++
		switch cpu.Soft.PC {
		case PcLBKickSave, PcLBKickLock, PcLBKickUnlock, PcLBKickRestore,
			PcWakeSave, PcWakeLock, PcWakeRetryUnlock, PcWakeRetryRestore, PcWakeUnlock, PcWakeRestore:
			return true
		}
	}
	return runs > 0 && int(cpu.NrBalanceFailed)+runs > m.Sc.CacheNiceTries+2
}
