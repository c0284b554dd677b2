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

// The objects that are not per CPU or per task. The constructors below
// return a set with exactly one object; their argument must be a CPU
// (resp. task) index below MaxCPUs (resp. MaxTasks).
const (
	// ObjBug is the BUG record. Invariant: every step reads it, and a
	// step writes it exactly when it fires a BUG_ON.
	ObjBug Objs = 1 << objBugBit
	// ObjCall is call_lock and call_data (CallLock, CallTarget,
	// CallDone).
	ObjCall Objs = 1 << objCallBit
)

// ObjRqLock is rq[j]->lock. Invariant: only a step that takes or
// releases the lock writes it.
func ObjRqLock(j int) Objs { return 1 << (objLockBase + j) }

// ObjRqLoad is rq[j]'s nr_running and weighted_cpuload as the balancer
// reads them without the lock. Invariant: every step that changes either
// value writes it, and every such step holds rq[j]->lock.
func ObjRqLoad(j int) Objs { return 1 << (objLoadBase + j) }

// ObjRq is rq[j]'s fields other than the lock and need_resched, and its
// migration thread's state. Invariant: CPUs other than j touch it only
// under rq[j]->lock.
func ObjRq(j int) Objs { return 1 << (objRqBase + j) }

// ObjResched is need_resched of CPU j's current thread. Invariant: CPUs
// other than j only write it, under rq[j]->lock; only j reads it.
func ObjResched(j int) Objs { return 1 << (objReschedBase + j) }

// ObjDomain is CPU j's sd->nr_balance_failed. Invariant: only j writes
// it; other CPUs read it only under rq[j]->lock.
func ObjDomain(j int) Objs { return 1 << (objDomainBase + j) }

// ObjTask is task t's p->state, on_rq, task_cpu and cpus_allowed.
func ObjTask(t int) Objs { return 1 << (objTaskBase + t) }

// ObjReq is the migration request and completion on task t's stack,
// with the completion's wait.lock.
func ObjReq(t int) Objs { return 1 << (objReqBase + t) }

// objAll returns the set of kind base for the first k indices.
func objAll(base, k int) Objs { return Objs(1<<k-1) << base }

// Has reports whether o and x share an object (o&x != 0).
func (o Objs) Has(x Objs) bool { return o&x != 0 }

// Len is the number of objects in o (its bits).
func (o Objs) Len() int { return bits.OnesCount64(uint64(o)) }

// String lists the objects of o in bit order, e.g. "{lock0 load1 rq1
// T0}"; it is for diagnostics and has no other invariant.
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

// Conflict reports whether two accesses (r1, w1) and (r2, w2) touch a
// common object with at least one of them writing it. It is symmetric:
// Conflict(r1, w1, r2, w2) == Conflict(r2, w2, r1, w1).
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
//   - ObjRqLock(j), for writes by any CPU: a step writes the lock word
//     only to take the lock (it is free before, held after) or to release
//     it (held before). Reads of it are not locked accesses:
//     double_lock_balance's spin_trylock reads a lock it may not get.
//
// Invariant: every step of CPU d whose Footprint reads (writes) an object
// of read (write) holds rq[j]->lock, through a context of d, before the
// step or after it (the step takes it). So while a context of another CPU
// holds rq[j]->lock, no step of d performs these accesses.
func LockedAccess(j, d int) (read, write Objs) {
	write = ObjRqLoad(j) | ObjRqLock(j)
	if d != j {
		read = ObjRq(j) | ObjResched(j) | ObjDomain(j)
		write |= read
	}
	return read, write
}

// Footprint returns what executing step st from s reads and writes: the
// objects its statement and the Inline statements that follow it in the
// same step read or write, plus what its enabledness depends on. For a
// step that is not enabled in s (a KRun spinning on a held lock, a KRun in
// the idle loop or a user task without need_resched, a KRun waiting for
// an IPI's handler, a KTick, KSyscall or KIPI whose guard is false), read
// is what its enabledness depends on and write is empty.
//
// Invariant: for two steps a and b of different CPUs that do not
// Conflict in s, applying a then b and b then a give equal States and
// each step equal Effects, a does not change whether b is enabled, nor b
// whether a is; and the fields a step changes all belong to objects of
// its write set (private state aside).
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
//     active-balance kick write another CPU's runqueue under its lock
//     (ObjRq); check_preempt_curr and wake_up_process of a migration
//     thread set another CPU's need_resched, which that CPU's idle loop
//     and return-to-user path read without a lock (ObjResched).
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
	var t State
	return m.footprint(s, st, &t)
}

// footprint is Footprint with t as the copy of s to run the step on: t
// must hold a state of m's scenario (or be zero), so that its CPUs and
// tasks beyond the scenario's are zero as in a fresh copy (no step
// touches them). Steps of other kinds than KRun do not use t.
func (m *Model) footprint(s *State, st Step, t *State) (read, write Objs) {
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
	CopyState(t, s, m.Sc)
	eff := Effects{AffinityDone: -1}
	for first := true; first || t.Bug == 0; first = false {
		ctx, lvl = t.Top(c)
		if !first && !Steps[ctx.PC].Inline {
			break
		}
		r, w := m.stmtFootprint(t, c, lvl, ctx)
		read |= r
		write |= w
		m.exec(t, c, lvl, ctx, &eff)
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
	case PcUser, PcIdle:
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

// CPUSet is a set of CPUs, bit c for CPU c (c < MaxCPUs).
type CPUSet uint16

// Has reports whether CPU c is in the set.
func (cs CPUSet) Has(c int) bool { return cs&(1<<c) != 0 }

// Future returns an over-approximation of everything the steps of CPU c
// may read (read) and write (write) from s on, in any execution: its next
// steps and every later one, whichever steps other CPUs take meanwhile.
// It is FutureGiven(s, c, 0). Invariant: every step CPU c takes in any
// execution from s has a Footprint within (read, write).
func (m *Model) Future(s *State, c int) (read, write Objs) {
	return m.FutureGiven(s, c, 0)
}

// FutureGiven is Future restricted to the executions from s in which the
// CPUs of frozen take no step (c must not be in frozen). Invariant: along
// any such execution, every step that CPU c takes has a Footprint whose
// read is within read and whose write is within write. A step's
// enabledness is part of its Footprint, so FutureGiven also covers how
// c's steps enable or disable other CPUs' steps and what enables or
// disables c's. A larger frozen set gives a smaller (or equal) result.
//
// It rests on an analysis of what may still happen (see prospects): which
// CPUs may still run load_balance or load_balance_newidle, run code at
// thread level, wake their migration thread; where each task may still
// be; which runqueues may still hold two tasks and so be chosen busiest.
// From those it is tighter than "everything":
//
//   - scheduler_tick and load_balance only while a tick is left, a
//     hardirq or softirq is on the stack or SCHED_SOFTIRQ is pending;
//     a run under way touches only what its phase leaves (no more pulls
//     once it has pulled, unless all tasks were pinned);
//   - load_balance and load_balance_newidle lock, pull from and kick only
//     runqueues that may be chosen busiest (find_busiest_group takes only
//     a group with nr_running > 1, and never one it has read and passed
//     over), besides the one chosen already, and move only tasks that
//     may be queued there;
//   - nothing at thread level while a task that makes no
//     sched_setaffinity call runs in user mode without need_resched and
//     migration/c can no longer be woken: only waking the RT migration
//     thread sets need_resched over a fair task (check_preempt_curr
//     preempts only the idle thread), and a task in user mode leaves it
//     only for schedule() or a sched_setaffinity call. Nobody writes such
//     a CPU's need_resched either;
//   - load_balance_newidle only with an idle balance left (and a
//     runqueue that may become empty: no task on it that stays for ever)
//     or one under way;
//   - set_cpus_allowed and wait_for_completion only if the calling task
//     may be on c, has a call left or is inside one, and is not the
//     running task of a frozen CPU (a running task stays on its CPU);
//   - migration/c only if it is runnable or may still be woken;
//   - the lock rule: nothing that needs a runqueue lock a frozen CPU
//     holds (see future), and nothing at all from a CPU whose next
//     shared step takes such a lock with no interrupt able to come in
//     (see spinsForever).
func (m *Model) FutureGiven(s *State, c int, frozen CPUSet) (read, write Objs) {
	var a FutureAnalysis
	a.Reset(m, s)
	a.Given(frozen)
	return a.Future(c)
}

// FuturesGiven is FutureGiven for every CPU not in frozen at once (it
// shares the analysis): read[c], write[c] equal FutureGiven(s, c, frozen)
// for c not in frozen, and are zero for the CPUs of frozen.
func (m *Model) FuturesGiven(s *State, frozen CPUSet, read, write *[MaxCPUs]Objs) {
	var a FutureAnalysis
	a.Reset(m, s)
	a.Given(frozen)
	for c := 0; c < m.n; c++ {
		read[c], write[c] = 0, 0
		if !frozen.Has(c) {
			read[c], write[c] = a.Future(c)
		}
	}
}

// FutureAnalysis computes FutureGiven in one state for any number of
// frozen sets and CPUs, on demand: the first Given after Reset computes
// the facts of the state that the analysis consults and that do not
// depend on the frozen set (futureFacts), each Given runs the rules of
// prospects for a frozen set, and Future(c) is then FutureGiven(s, c,
// frozen), the same result as FutureGiven's for every state, frozen set
// and CPU. It also computes Footprints in the state without allocating
// or clearing a State. The zero value is ready for Reset; an analysis
// may be reset any number of times, for any models, and the state must
// not change between a Reset and the last call that follows it.
type FutureAnalysis struct {
	m     *Model
	s     *State
	p     prospects
	facts bool // p.f holds the facts of s
	// of is the model whose states scratch has held since it was last
	// zero, and whose scenario mc describes.
	of      *Model
	scratch State
	walk    walkScratch
	mc      modelConsts
}

// walkScratch is spinsForever's walk's copy of the state and its
// Footprints' copy; like FutureAnalysis.scratch, they only ever hold
// states of one model (or are zero).
type walkScratch [2]State

// modelConsts are what the analysis consults of a model's scenario.
type modelConsts struct {
	callMask [maxCalls]CPUSet // cpuMask of each affinity call
	affMask  [MaxTasks]CPUSet // the union of the masks of the calls that target each task
	affTasks Objs             // ObjTask of every call's target
}

// maxCalls bounds the number of affinity calls of a scenario (Validate).
const maxCalls = 15

// Reset starts an analysis of state s of m.
func (a *FutureAnalysis) Reset(m *Model, s *State) {
	a.m, a.s, a.facts = m, s, false
	if a.of != m {
		if a.of != nil {
			a.scratch, a.walk, a.mc = State{}, walkScratch{}, modelConsts{}
		}
		a.of = m
		for k, c := range m.Sc.Affinity {
			mask := CPUSet(cpuMask(c.Mask, m.n))
			a.mc.callMask[k] = mask
			a.mc.affMask[c.Target] |= mask
			a.mc.affTasks |= ObjTask(c.Target)
		}
	}
}

// Given computes the prospects of the state along the executions in
// which the CPUs of frozen take no step; Future then answers for frozen.
func (a *FutureAnalysis) Given(frozen CPUSet) {
	if !a.facts {
		a.m.lockFacts(a.s, &a.p.f)
		a.m.stateFacts(a.s, &a.mc, &a.p.f)
		a.facts = true
	}
	a.m.prospects(a.s, frozen, &a.p, &a.walk)
}

// Footprint is Footprint(s, st) for the state of the last Reset.
func (a *FutureAnalysis) Footprint(st Step) (read, write Objs) {
	return a.m.footprint(a.s, st, &a.scratch)
}

// CPUFootprint is the union of Footprint(s, st) for the state of the
// last Reset over the steps st of CPU c of every kind (KRun, KTick,
// KSyscall, KIPI), enabled or not. (KTick's footprint is ObjBug alone,
// which every footprint reads: it adds nothing.)
func (a *FutureAnalysis) CPUFootprint(c int) (read, write Objs) {
	read, write = a.m.footprint(a.s, Step{CPU: int8(c), Kind: KRun}, &a.scratch)
	for _, k := range [...]StepKind{KSyscall, KIPI} {
		r, w := a.m.footprint(a.s, Step{CPU: int8(c), Kind: k}, nil)
		read, write = read|r, write|w
	}
	return read, write
}

// CPUWritesAtLeast returns a part of CPUFootprint(c)'s write computed
// without running a step: what the first statement of c's KRun step
// writes, if the step is enabled (Footprint evaluates that statement in
// s itself), and what its KIPI step writes.
func (a *FutureAnalysis) CPUWritesAtLeast(c int) Objs {
	m, s := a.m, a.s
	if s.Bug != 0 {
		return 0
	}
	var w Objs
	if ctx, lvl := s.Top(c); m.runnable(s, c, ctx) {
		_, w = m.stmtFootprint(s, c, lvl, ctx)
	}
	_, wi := m.footprint(s, Step{CPU: int8(c), Kind: KIPI}, nil)
	return w | wi
}

// FutureWriteBound returns a set of objects that contains what CPU c may
// write from the state of the last Reset on, whatever the frozen set:
// FutureGiven(s, c, frozen)'s write for every frozen set. It needs no
// prospects: it is every object but ObjBug and ObjCall, which future
// writes only in the parts of variants that may fire a BUG there
// (LBNoIrqSave's double_rq_lock, thermal-2008's block) and, for
// call_lock and call_data, where c holds call_lock (its held locks) or
// the variant sends IPIs (thermal-2008 with sensor=ipi). A step that
// writes nothing and reads neither object of the bound conflicts with
// none of c's future.
func (a *FutureAnalysis) FutureWriteBound(c int) Objs {
	m, s := a.m, a.s
	w := ^(ObjBug | ObjCall)
	if m.p.LBNoIrqSave || m.th.on && (m.th.beforeLock || m.th.ipi) {
		w |= ObjBug
	}
	if m.th.on && m.th.ipi || s.CallLock != NoOwner && CtxCPU(s.CallLock) == c {
		w |= ObjCall
	}
	return w
}

// Future is FutureGiven(s, c, frozen) for the state of the last Reset and
// the frozen set of the last Given; c must not be in frozen.
func (a *FutureAnalysis) Future(c int) (read, write Objs) {
	return a.m.future(a.s, c, &a.p)
}

// prospects are what may still happen from a state, along the executions
// in which the CPUs of frozen take no step (prospectSets), with the facts
// of the state they are computed from (f, which does not depend on
// frozen: one computation serves every frozen set).
type prospects struct {
	prospectSets
	f futureFacts
}

// prospectSets is the part of the prospects that depends on the frozen
// set. Each field over-approximates: a false (or absent) entry is a
// promise that the thing cannot happen. They form the least fixpoint of
// the rules in Model.prospects.
type prospectSets struct {
	frozen CPUSet // the frozen CPUs, and the stuck ones
	// stuck: CPUs not frozen that will spin for ever on a lock a frozen
	// CPU holds, after private steps only (see spinsForever).
	stuck  CPUSet
	caller int  // the task that calls sched_setaffinity, or -1
	active bool // it may still run code of a call: one left or under way, and it is not the running task of a frozen CPU
	first  int  // the first call whose set_cpus_allowed part may still run
	phase  callPhase
	kick   CPUSet // CPUs whose load_balance may still kick (2821) or wake busiest's migration thread after a kick
	// wakeable: migration/c runs, is runnable, has work, or may be woken.
	wakeable CPUSet
	// still: nothing will run at thread level on c, and nobody will write
	// c's need_resched: a task that makes no call runs in user mode
	// without need_resched and migration/c is not wakeable.
	still CPUSet
	moves CPUSet // CPUs whose thread level may take a step: not frozen, not still
	// pullers: CPUs that may still pull a task (see Model.pulls).
	pullers CPUSet
	// empty: CPUs whose runqueue may become empty, so that schedule()
	// may call idle_balance: no task on it is stuck there (one that never
	// sleeps and cannot be pulled, pushed or migrated away).
	empty CPUSet
	// arrive[t]: CPUs whose runqueue task t may be on (now or later).
	arrive [MaxTasks]CPUSet
	// busy: runqueues that may have nr_running > 1, so that
	// find_busiest_group may choose them.
	busy CPUSet
	// pushTo: CPUs an active_load_balance may push a task to.
	pushTo CPUSet
	// dests: CPUs a __migrate_task (or set_cpus_allowed on a task off the
	// runqueue) may move a task to.
	dests CPUSet

	// Facts of the state that the rules consult.
	callerBusy bool             // the caller has a call left or is inside one (frozen or not)
	allowed    [MaxTasks]CPUSet // allowedEver
	targets    uint16           // tasks that a call to come (from first on, if active) or a request names
	moveTo     [MaxTasks]CPUSet // where such calls and requests move each task
	wakeFixed  CPUSet           // migration threads that run, are runnable, have work, or have a wake-up under way
	// wakeSource: migration threads someone may still wake (the part of
	// wakeable that does not count their running or being runnable).
	wakeSource CPUSet

	// Derived once the fixpoint is reached, for future.
	lockedBy CPUSet          // runqueues whose lock a context of a frozen CPU holds
	arriveAt [MaxCPUs]uint16 // arriveAt[c]: the tasks t with c in arrive[t]
}

// notFrozen is a CPUSet bit that stands for "no CPU" in futureFacts.pending
// (a task that runs nowhere); no frozen set contains it (MaxCPUs < 16).
const notFrozen CPUSet = 1 << 15

// futureFacts are the facts of a state that prospects and future consult
// and that do not depend on the frozen set, computed once per state
// (FutureAnalysis) for all the frozen sets asked about. Each is what the
// rule that consults it computed from the state before; the comments say
// which.
type futureFacts struct {
	lockFacts
	stateFacts
}

// lockFacts are the facts about locks and guards (some computed on
// demand).
type lockFacts struct {
	lockCPU [MaxCPUs]int8 // the CPU whose context holds rq[j]->lock, -1 if free
	// held[c]: the objects of the locks (runqueue locks, completion
	// wait.locks, call_lock) that c's contexts hold; holders: the CPUs
	// whose contexts hold one.
	held    [MaxCPUs]Objs
	holders CPUSet
	// spinOn[c], once spinDone has c: the CPU whose context holds the
	// lock that c reaches in spinsForever's walk, -1 if none (see
	// spinOwner).
	spinOn   [MaxCPUs]int8
	spinDone CPUSet
	// guard[c], once guardDone has c: the guardReads of c's contexts.
	guard     [MaxCPUs]Objs
	guardDone CPUSet
}

// stateFacts are the other facts (the first Given computes them).
type stateFacts struct {
	caller     int       // callerBusy's task, -1 if none
	callerBusy bool      // callerBusy's verdict
	callerOn   int       // runningOn(caller) when callerBusy, else -1
	phase      callPhase // callerPhase of the caller when callerBusy
	first      int       // the first call whose set_cpus_allowed part may still run, when callerBusy
	queuedRq   int       // the caller's ctx.Rq1 when callerBusy and phase is callQueued, else -1

	kickMay CPUSet           // kickMayCome
	busiest [MaxCPUs]int8    // SoftLB.Busiest
	allowed [MaxTasks]CPUSet // allowedEver
	arrive  [MaxTasks]CPUSet // 1 << task_cpu

	// Requests queued or being served (whatever frozen), and the calls
	// from first on (which count only while the caller is active): the
	// tasks they name, where they move them, their destinations.
	reqTargets  uint16
	reqMoveTo   [MaxTasks]CPUSet
	reqDests    CPUSet
	callTargets uint16
	callMoveTo  [MaxTasks]CPUSet
	callDests   CPUSet

	pushTo    CPUSet // push_cpu of an active balance set or under way
	wakeFixed CPUSet // migration threads that run, are runnable or have work
	// pending[c]: where the contexts that are inside try_to_wake_up of
	// migration/c, before the wake-up happened, run: their CPU, or
	// notFrozen for a task that runs nowhere. A wake-up is under way in
	// a context that may still step iff pending[c] has a bit outside the
	// frozen set (a frozen CPU's contexts, and the task it runs, do not
	// move).
	pending [MaxCPUs]CPUSet

	stillCand CPUSet         // stillThread without its wakeable test
	nr2       CPUSet         // runqueues with nr_running > 1
	pinned    [MaxTasks]int8 // the CPU whose curr task t is while on its runqueue (canLeave), else -1
	// pinBit[t]: {pinned[t]}, or empty; t does not leave it while its
	// thread level does not move (canLeave).
	pinBit [MaxTasks]CPUSet
	// comes[t]: the runqueues whose nr_running task t's arrival raises:
	// all if it sleeps off the runqueues, else those but task_cpu.
	comes    [MaxTasks]CPUSet
	onRqAt   [MaxCPUs]uint16 // tasks on rq[c] (on_rq, task_cpu c) but the busy caller: mayEmpty's tasks
	affTasks Objs            // ObjTask of every call's target
	// softPh and niPh: softPhase and newidlePhase of each CPU.
	softPh, niPh [MaxCPUs]lbPhase
	// pullAlways: CPUs that pull unless frozen (a load_balance run to
	// come, or one reading); pullMaybe: those and the CPUs that may pull
	// depending on the prospects (an idle balance left, or a balancer
	// with busiest chosen or moved): pulls is false for the others.
	pullAlways, pullMaybe CPUSet
	// moved: candidates' move_tasks replay for CPU c's balancer (0: the
	// softirq's, 1: load_balance_newidle's), once movedDone has bit 2c+i:
	// whether it leaves all_pinned set.
	moved     [MaxCPUs][2]bool
	movedDone uint16
}

// lockFacts computes f.lockFacts for s (the parts computed on demand
// marked not done).
func (m *Model) lockFacts(s *State, f *futureFacts) {
	f.lockFacts = lockFacts{}
	n, nt := m.n, m.nt
	for j := 0; j < n; j++ {
		f.lockCPU[j] = -1
		if own := s.CPU[j].Lock; own != NoOwner {
			o := CtxCPU(own)
			f.lockCPU[j] = int8(o)
			f.held[o] |= ObjRqLock(j)
			f.holders |= 1 << o
		}
	}
	for t := 0; t < nt; t++ {
		if own := s.Task[t].ReqLock; own != NoOwner {
			o := CtxCPU(own)
			f.held[o] |= ObjReq(t)
			f.holders |= 1 << o
		}
	}
	if own := s.CallLock; own != NoOwner {
		o := CtxCPU(own)
		f.held[o] |= ObjCall
		f.holders |= 1 << o
	}
}

// guardOf is f.guard[c], computed on demand: what the guards of CPU c's
// contexts read (guardReads).
func (m *Model) guardOf(s *State, f *futureFacts, c int) Objs {
	if !f.guardDone.Has(c) {
		for lvl := LevelThread; lvl <= LevelHardirq; lvl++ {
			if ctx := s.Ctx(c, lvl); ctx != nil {
				f.guard[c] |= m.guardReads(s, c, ctx)
			}
		}
		f.guardDone |= 1 << c
	}
	return f.guard[c]
}

// stateFacts computes f.stateFacts for s; mc holds m's constants.
func (m *Model) stateFacts(s *State, mc *modelConsts, f *futureFacts) {
	f.stateFacts = stateFacts{caller: -1, callerOn: -1, queuedRq: -1}
	n, nt := m.n, m.nt
	caller, busy := m.callerBusy(s)
	f.caller, f.callerBusy = caller, busy
	if busy {
		f.callerOn = m.runningOn(s, caller)
		f.phase = callerPhase(&s.Task[caller].Ctx)
		f.first = int(s.Task[caller].Calls)
		if f.phase == callLock {
			f.first-- // the call under way has not decided yet
		}
		f.first = max(f.first, 0)
		if f.phase == callQueued {
			f.queuedRq = int(s.Task[caller].Ctx.Rq1)
		}
		for k := f.first; k < len(m.Sc.Affinity); k++ {
			a := m.Sc.Affinity[k]
			d := CPUSet(1) << callDest(uint8(mc.callMask[k]))
			f.callTargets |= 1 << a.Target
			f.callMoveTo[a.Target] |= d
			f.callDests |= d
		}
	}
	f.affTasks = mc.affTasks

	for c := 0; c < n; c++ {
		cpu := &s.CPU[c]
		if m.kickMayCome(s, c) {
			f.kickMay |= 1 << c
		}
		f.busiest[c] = cpu.SoftLB.Busiest
		if cpu.NrRunning > 1 {
			f.nr2 |= 1 << c
		}
		for i := 0; i < int(cpu.MigQLen); i++ {
			if q := &s.Task[cpu.MigQ[i]]; q.ReqTask >= 0 && q.ReqDest >= 0 {
				f.reqTargets |= 1 << q.ReqTask
				f.reqMoveTo[q.ReqTask] |= 1 << q.ReqDest
				f.reqDests |= 1 << q.ReqDest
			}
		}
		if t, d, ok := migServing(s, c); ok {
			f.reqTargets |= 1 << t
			f.reqMoveTo[t] |= 1 << d
			f.reqDests |= 1 << d
		}
		// Pushes: an active balance set or under way.
		if cpu.ActiveBalance {
			f.pushTo |= 1 << cpu.PushCPU
		}
		switch cpu.Mig.PC {
		case PcDLBTry, PcDLBUnlock, PcDLBLockB, PcDLBLockA, PcDLBLock2, PcALBMove, PcALBUnlock:
			f.pushTo |= 1 << cpu.Mig.Rq2
		}
		if cpu.Curr == CurrMig || cpu.MigOnRq || cpu.MigState == TaskRunning || cpu.MigQLen > 0 || cpu.ActiveBalance {
			f.wakeFixed |= 1 << c
		}
		// Wake-ups of migration threads under way in c's contexts.
		loc := CPUSet(1) << c
		if cpu.InSoft {
			f.addPending(&cpu.Soft, loc, n)
		}
		if cpu.InHard {
			f.addPending(&cpu.Hard, loc, n)
		}
		f.addPending(&cpu.Mig, loc, n)
		f.addPending(&cpu.Idle, loc, n)
		if stillThread(s, c, caller, busy) {
			f.stillCand |= 1 << c
		}
		// What pulls needs to look at.
		f.softPh[c], f.niPh[c] = softPhase(s, c), newidlePhase(s, c)
		if softRunsLeft(s, c) || f.softPh[c] == phReading || f.niPh[c] == phReading {
			f.pullAlways |= 1 << c
		}
		if cpu.NewIdle > 0 || f.softPh[c] == phChosen || f.softPh[c] == phMoved || f.niPh[c] == phChosen || f.niPh[c] == phMoved {
			f.pullMaybe |= 1 << c
		}
	}
	f.pullMaybe |= f.pullAlways
	// runningOn of every task: the lowest CPU it is curr of.
	var runOn [MaxTasks]int8
	for t := 0; t < nt; t++ {
		runOn[t] = -1
	}
	for c := n - 1; c >= 0; c-- {
		if t := int(s.CPU[c].Curr); t >= 0 && t < nt {
			runOn[t] = int8(c)
		}
	}
	all := CPUSet(1<<n - 1)
	for t := 0; t < nt; t++ {
		task := &s.Task[t]
		f.arrive[t] = 1 << task.CPU
		f.allowed[t] = m.allowedEver(s, t, mc)
		f.pinned[t] = -1
		if task.OnRq && int(s.CPU[task.CPU].Curr) == t {
			f.pinned[t] = task.CPU
			f.pinBit[t] = 1 << task.CPU
		}
		f.comes[t] = all
		if task.OnRq || task.State == TaskRunning {
			f.comes[t] &^= 1 << task.CPU
		}
		if task.OnRq && !(busy && t == caller) {
			f.onRqAt[task.CPU] |= 1 << t
		}
		loc := notFrozen
		if c := runOn[t]; c >= 0 {
			loc = 1 << c
		}
		f.addPending(&task.Ctx, loc, n)
	}
}

// addPending records in f.pending that ctx, which runs at loc, is inside
// try_to_wake_up of a migration thread before the wake-up happened.
func (f *futureFacts) addPending(ctx *Ctx, loc CPUSet, n int) {
	switch ctx.PC {
	case PcWakeSave, PcWakeLock, PcWakeRetryUnlock, PcWakeRetryRestore:
		if c := -1 - int(ctx.Wake); c >= 0 && c < n {
			f.pending[c] |= loc
		}
	}
}

// prospects computes p's sets for s and frozen from the facts p.f of s:
// base facts from the state, then the rules until nothing changes. Every
// rule only adds (still only shrinks, as wakeable grows), so the result
// is the least set closed under them. It is sound because every rule covers every way its fact
// can come about in the model, and a real event's causes happen before
// it: by induction on the length of an execution, everything that happens
// along it is in the fixpoint.
//
//   - A CPU that will spin for ever on a lock a frozen CPU holds
//     (spinsForever) counts as frozen.
//   - A task leaves a runqueue e by pull_task or active_load_balance only
//     if e may be busy (nr_running > 1: find_busiest_group takes no other
//     group, and active_load_balance returns at once) and the task may be
//     queued there (canLeave); it goes to a puller (pulls: a balancer of
//     a CPU not frozen with a pull left) or a push target that its
//     cpus_allowed, now or after an affinity call, allows. __migrate_task
//     and set_cpus_allowed move the target of a call to come, or of a
//     request queued or served, to the call's dest (any_online_cpu: the
//     lowest CPU of the mask).
//   - rq[c]->nr_running grows when c pulls (and another runqueue may be
//     busy), when a task may come to c from elsewhere, when migration/c
//     is wakeable (waking it adds one), or when a task asleep off the
//     runqueues (p->state not TASK_RUNNING) may be woken on c
//     (try_to_wake_up keeps task_cpu).
//   - migration/c may be woken by set_cpus_allowed of a call whose target
//     may be on c and whose mask excludes c (made by a caller that is not
//     frozen), by a wake-up under way, or by another CPU's kick of c (c
//     busy, or chosen busiest already).
//   - A thread level is still (stillThread) while its task runs in user
//     mode without need_resched, has no call to make, and migration/c is
//     not wakeable.
//   - A runqueue may become empty (mayEmpty) unless a task on it never
//     sleeps and cannot leave it.
//   - An active_load_balance pushes to push_cpu: a CPU's own push_cpu
//     while active_balance is set or the push is under way, a kicker
//     (the kick sets push_cpu to this_cpu), and with thermal-2008 any CPU.
//
// w is the walk's scratch (see spinsForever).
func (m *Model) prospects(s *State, frozen CPUSet, p *prospects, w *walkScratch) {
	n, nt := m.n, m.nt
	all := CPUSet(1<<n - 1)
	frozen &= all // the bits of no CPU do not count
	p.prospectSets = prospectSets{caller: -1}
	f := &p.f
	frozen, p.stuck = m.withStuck(s, f, frozen, w)
	p.frozen = frozen
	p.caller, p.callerBusy, p.active = f.caller, f.callerBusy, f.callerBusy
	if f.callerBusy {
		if c := f.callerOn; c >= 0 && frozen.Has(c) {
			p.active = false
		}
		p.phase, p.first = f.phase, f.first
	}
	p.kick = f.kickMay &^ frozen
	p.arrive, p.allowed = f.arrive, f.allowed
	// Calls to come and requests queued or being served: the tasks they
	// name and where they move them.
	p.targets, p.moveTo, p.dests = f.reqTargets, f.reqMoveTo, f.reqDests
	if p.active {
		p.targets |= f.callTargets
		for t := 0; t < nt; t++ {
			p.moveTo[t] |= f.callMoveTo[t]
		}
		p.dests |= f.callDests
	}
	// Pushes: an active balance set or under way, a kick (it sets
	// busiest->push_cpu = this_cpu), or a thermal push.
	p.pushTo = f.pushTo | p.kick
	if m.th.on {
		p.pushTo = all
	}
	// Migration threads running, runnable, with work, or with a wake-up
	// under way (in a context that may still step, or promised by
	// set_cpus_allowed after queueing a request here).
	p.wakeFixed = f.wakeFixed
	for c := 0; c < n; c++ {
		if f.pending[c]&^frozen != 0 || (p.active && f.queuedRq == c) {
			p.wakeFixed |= 1 << c
			p.wakeSource |= 1 << c
		}
	}

	p.wakeable = p.wakeFixed
	// The idle-balance and puller rules read busy, wakeable (and moves,
	// which follows from it), empty and pullers only: once a pass over
	// them changes nothing, the next one would not either until busy or
	// wakeable changes.
	var passBusy, passWake CPUSet
	passStable := false
	for changed := true; changed; {
		changed = false
		grow := func(set *CPUSet, x CPUSet) {
			if *set|x != *set {
				*set |= x
				changed = true
			}
		}
		// Migration threads that may be woken.
		grow(&p.wakeSource, m.migWokenLater(p))
		grow(&p.wakeable, p.wakeSource)
		// Thread levels that may move; idle balances.
		p.still = f.stillCand &^ p.wakeable // stillThread; shrinks only: wakeable only grows
		p.moves = all &^ frozen &^ p.still
		if !passStable || p.busy != passBusy || p.wakeable != passWake {
			empty, pullers := p.empty, p.pullers
			mayPull := f.pullMaybe &^ frozen // pulls is false for the others
			for c := 0; c < n; c++ {
				bit := CPUSet(1) << c
				if p.empty&bit == 0 && m.mayEmpty(s, c, p) {
					grow(&p.empty, bit)
				}
				if (p.pullers|^mayPull)&bit == 0 && m.pulls(s, c, p) {
					grow(&p.pullers, bit)
				}
			}
			passStable = p.empty == empty && p.pullers == pullers
			passBusy, passWake = p.busy, p.wakeable
		}
		// Where tasks may go: from a runqueue e that may be busy and that
		// it may leave (canLeave), by pull_task to a puller, by
		// active_load_balance to a push target if migration/e may run
		// (it is wakeable and not frozen).
		//
		// And runqueues that may come to hold two tasks: nr_running > 1
		// now, a puller while another runqueue may be busy, migration/c
		// wakeable (waking it adds one), a task that may come from
		// elsewhere or that sleeps off the runqueues (task t's part,
		// from arrive[t] once this round has grown it).
		oldBusy, pullers, moves, pushFrom := p.busy, p.pullers, p.moves, p.wakeable&^p.frozen
		busy := f.nr2 | p.wakeable
		switch b := oldBusy; {
		case b&(b-1) != 0:
			busy |= pullers
		case b != 0:
			busy |= pullers &^ b
		}
		for t := 0; t < nt; t++ {
			a, allowed := p.arrive[t], p.allowed[t]
			x := p.moveTo[t]
			if from := a & oldBusy &^ (f.pinBit[t] &^ moves); from != 0 { // canLeave; busy is within all
				x |= pullers & allowed // pull_task from a busiest e
				if from&pushFrom != 0 {
					x |= p.pushTo & allowed // active_load_balance from e
				}
			}
			if a|x != a {
				a |= x
				p.arrive[t] = a
				changed = true
			}
			busy |= a & f.comes[t]
		}
		grow(&p.busy, busy&all)
	}

	p.lockedBy = lockedBy(f, n, frozen)
	for t := 0; t < nt; t++ {
		for cs := p.arrive[t] & all; cs != 0; cs &= cs - 1 {
			p.arriveAt[bits.TrailingZeros16(uint16(cs))] |= 1 << t
		}
	}
}

// migServing reports the request migration/c is serving, if it is between
// taking it off the queue and __migrate_task: the task to move and the
// destination.
func migServing(s *State, c int) (task, dest int, ok bool) {
	ctx := &s.CPU[c].Mig
	switch {
	case ctx.PC == PcMigUnlockReq:
		req := &s.Task[ctx.Req]
		if req.ReqTask >= 0 && req.ReqDest >= 0 {
			return int(req.ReqTask), int(req.ReqDest), true
		}
	case ctx.PC == PcMTMove, (ctx.PC == PcDRLFirst || ctx.PC == PcDRLSecond) && ctx.SP > 0 && ctx.Ret[ctx.SP-1] == PcMTMove:
		return int(ctx.Task), int(ctx.Rq2), true
	}
	return 0, 0, false
}

// canLeave reports whether task t, if it is or comes to be on CPU e's
// runqueue, may be in e's queue, where pull_task and move_one_task take
// tasks from: it comes to e from elsewhere, or it is queued there now, or
// it sleeps off the runqueue (try_to_wake_up will queue it), or it runs
// on e and e's thread level may move (it may be preempted). A task that
// runs on a CPU whose thread level is still or frozen stays its curr.
func (m *Model) canLeave(s *State, p *prospects, t, e int) bool {
	if int(p.f.pinned[t]) != e { // t is not the curr of e on its runqueue
		return true
	}
	return p.moves.Has(e)
}

// withStuck returns frozen (a set of CPUs below m.n) with the CPUs that
// will spin for ever on a lock a frozen (or stuck) CPU holds, which take
// no more shared step and count as frozen, and those stuck CPUs.
func (m *Model) withStuck(s *State, f *futureFacts, frozen CPUSet, w *walkScratch) (CPUSet, CPUSet) {
	var stuck CPUSet
	if f.holders&frozen == 0 {
		return frozen, 0 // no frozen CPU holds a lock: spinsForever is false
	}
	for {
		more := CPUSet(0)
		for c := 0; c < m.n; c++ {
			if !frozen.Has(c) && m.spinsForever(s, f, c, frozen, w) {
				more |= 1 << c
			}
		}
		if more == 0 {
			return frozen, stuck
		}
		stuck |= more
		frozen |= more
	}
}

// lockedBy is the set of the runqueues j < n whose lock a context of a
// CPU of frozen holds.
func lockedBy(f *futureFacts, n int, frozen CPUSet) CPUSet {
	var J CPUSet
	for j := 0; j < n; j++ {
		if o := f.lockCPU[j]; o >= 0 && frozen.Has(int(o)) {
			J |= 1 << j
		}
	}
	return J
}

// spinsForever reports whether CPU c will spin for ever on a lock that a
// context of a frozen CPU holds, along executions in which the frozen
// CPUs take no step: no interrupt can come in (interrupts off, a hardirq
// running, or no tick left and no IPI in this variant), it is not in user
// mode (no sched_setaffinity entry), and its next steps are private (they
// read no object but ObjBug and need_resched while it is set, which only
// c clears, and write none, so nothing another CPU does changes them)
// until a statement that takes such a lock. Only the holder releases a
// lock, and it does not move.
//
// The walk does not depend on frozen: spinOwner does it once per state,
// and it is skipped while no frozen CPU holds a lock.
func (m *Model) spinsForever(s *State, f *futureFacts, c int, frozen CPUSet, w *walkScratch) bool {
	if f.holders&frozen == 0 {
		return false // no frozen CPU holds a lock
	}
	o := m.spinOwner(s, f, c, w)
	return o >= 0 && frozen.Has(o)
}

// spinOwner is spinsForever's walk: the CPU whose context holds the lock
// that CPU c's private steps reach (the first lock c wants, if held), or
// -1 if they reach none. It caches its answer in f.
func (m *Model) spinOwner(s *State, f *futureFacts, c int, w *walkScratch) int {
	if !f.spinDone.Has(c) {
		f.spinOn[c] = int8(m.spinWalk(s, c, w))
		f.spinDone |= 1 << c
	}
	return int(f.spinOn[c])
}

func (m *Model) spinWalk(s *State, c int, w *walkScratch) int {
	t := &w[0]
	CopyState(t, s, m.Sc)
	ipi := m.th.on && m.th.ipi
	for i := 0; i < 12; i++ {
		cpu := &t.CPU[c]
		ctx, lvl := t.Top(c)
		quiet := cpu.IrqsOff || cpu.InHard || (cpu.Ticks == 0 && !ipi)
		if t.Bug != 0 || !quiet || (lvl == LevelThread && ctx.PC == PcUser) {
			return -1
		}
		if l, ok := m.wants(t, c, ctx); ok {
			if o := t.owner(l); o != NoOwner {
				return CtxCPU(o)
			}
			return -1
		}
		if !m.runnable(t, c, ctx) {
			return -1
		}
		st := Step{CPU: int8(c), Kind: KRun}
		stable := ObjBug
		if cpu.NeedResched {
			stable |= ObjResched(c)
		}
		if r, wr := m.footprint(t, st, &w[1]); r&^stable != 0 || wr != 0 {
			return -1
		}
		m.Apply(t, st)
	}
	return -1
}

// callDest is any_online_cpu(mask): the lowest CPU in it.
func callDest(mask uint8) int {
	d := 0
	for mask&(1<<d) == 0 {
		d++
	}
	return d
}

// allowedEver is the set of CPUs task t may be allowed on from s on: its
// cpus_allowed and the masks of the calls that target it (every CPU if
// the variant ignores affinity); mc holds m's constants.
func (m *Model) allowedEver(s *State, t int, mc *modelConsts) CPUSet {
	if m.p.IgnoreAffinity {
		return 1<<m.n - 1
	}
	return CPUSet(s.Task[t].Mask) | mc.affMask[t]
}

// migWokenLater is the rule for p.wakeSource beyond the wake-ups under
// way: the CPUs c such that the caller may still call set_cpus_allowed
// on a target that may be on c with a mask excluding c (it wakes the
// migration thread of the target's runqueue), or another CPU may kick c
// (c may be busy, or is that CPU's busiest already).
func (m *Model) migWokenLater(p *prospects) CPUSet {
	n := m.n
	var w CPUSet
	if p.active {
		for k := p.first; k < len(m.Sc.Affinity); k++ {
			a := m.Sc.Affinity[k]
			w |= p.arrive[a.Target] &^ CPUSet(cpuMask(a.Mask, n))
		}
	}
	// Another CPU d kicks: c busy and some d != c in kick, or c is d's
	// busiest.
	switch k := p.kick; {
	case k&(k-1) != 0:
		w |= p.busy
	case k != 0:
		w |= p.busy &^ k
	}
	for k := p.kick; k != 0; k &= k - 1 {
		d := bits.TrailingZeros16(uint16(k))
		if b := int(p.f.busiest[d]); b >= 0 && b != d && b < n {
			w |= 1 << b
		}
	}
	return w & (1<<n - 1)
}

// stillThread is the rule for p.still but for its last condition: CPU
// c's current thread is a task in user mode without need_resched that
// has no call to make (caller and busy are callerBusy's answer). p.still
// is the CPUs where it holds and migration/c is not wakeable.
func stillThread(s *State, c, caller int, busy bool) bool {
	cpu := &s.CPU[c]
	t := int(cpu.Curr)
	if t < 0 || cpu.NeedResched {
		return false
	}
	if ctx := &s.Task[t].Ctx; ctx.PC != PcUser || ctx.SP != 0 {
		return false
	}
	return !(busy && t == caller)
}

// future is FutureGiven for CPU c from the prospects p: the union of its
// parts, less what the lock rule rules out.
//
// The lock rule: while a context of a frozen CPU holds rq[j]->lock, it
// stays held (only its holder releases a lock), so c cannot take it: c
// performs none of the accesses LockedAccess(j, c) lists (they need the
// lock), and no step of c that takes the lock ever runs, so c does not
// read the lock word either, except by double_lock_balance's
// spin_trylock, which reads it and goes on (the "trylock" parts).
func (m *Model) future(s *State, c int, p *prospects) (read, write Objs) {
	r, w, try := m.futureParts(s, c, p)
	read, write = ObjBug|r, w
	// Nobody writes need_resched of a CPU whose thread level is still.
	write &^= cpuObjs(objReschedBase, p.still)
	if J := p.lockedBy; J != 0 {
		lr, lw := lockedAccesses(J, c)
		read &^= lr | (cpuObjs(objLockBase, J) &^ try)
		write &^= lw
	}
	return read, write
}

// lockedAccesses is the union of LockedAccess(j, c) over the j of J:
// ObjRq(j), ObjResched(j) and ObjDomain(j) (read and written) for j !=
// c, and ObjRqLoad(j) and ObjRqLock(j) (written).
func lockedAccesses(J CPUSet, c int) (read, write Objs) {
	other := J &^ (1 << c)
	read = cpuObjs(objRqBase, other) | cpuObjs(objReschedBase, other) | cpuObjs(objDomainBase, other)
	return read, read | cpuObjs(objLoadBase, J) | cpuObjs(objLockBase, J)
}

// cpuObjs is the set of the objects of kind base (objLockBase, ...) of the
// CPUs of cs (which must all be below MaxCPUs).
func cpuObjs(base int, cs CPUSet) Objs {
	return Objs(cs) << base
}

// taskObjs is the set of the ObjTask of the tasks of ts (below MaxTasks).
func taskObjs(ts uint16) Objs {
	return Objs(ts) << objTaskBase
}

// futureParts returns the union of what CPU c may read and write in each
// activity it may still perform (the parts below), before future drops
// the writes of need_resched of still CPUs and applies the lock rule, and
// try, the reads of its "trylock" parts (double_lock_balance's
// spin_trylock).
func (m *Model) futureParts(s *State, c int, p *prospects) (read, write, try Objs) {
	if s.Bug != 0 {
		return 0, 0, 0 // nothing is ever enabled again
	}
	if p.stuck.Has(c) {
		// Private steps, reading need_resched while it is set, then
		// spinning.
		return ObjResched(c), 0, 0
	}
	f := &p.f
	cpu := &s.CPU[c]
	n := m.n

	// Locks held by c's contexts: c releases them. Locks c's contexts
	// spin on, need_resched, call_data: c's guards read them.
	read = f.held[c] | m.guardOf(s, f, c)
	write = f.held[c]

	// scheduler_tick: rq[c]->lock.
	if cpu.Ticks > 0 || cpu.InHard {
		read |= ObjRqLock(c)
		write |= ObjRqLock(c)
	}

	// load_balance from SCHED_SOFTIRQ: the rest of the run under way,
	// and runs to come. (balanceFuture of a union of candidates and of
	// reads, with the same kick, is the union of balanceFutures.)
	all := CPUSet(1<<n - 1)
	var cand, reads CPUSet
	if ph := f.softPh[c]; ph != phNone {
		cand, reads = m.candidates(s, p, c, ph, &cpu.SoftLB, true)
		if m.p.LBNoIrqSave && (ph == phReading || ph == phChosen || ph == phMoved) {
			write |= ObjBug // double_rq_lock with interrupts on (2090)
		}
		if b := cpu.SoftLB.Busiest; b >= 0 && (kicking(s, c) || p.kick.Has(c) && ph != phAfter) {
			r, w := m.kickFuture(int(b), p)
			read, write = read|r, write|w
		}
	}
	if softRunsLeft(s, c) {
		cand, reads = cand|p.busy&^(1<<c), all
		if m.p.LBNoIrqSave {
			write |= ObjBug
		}
	}
	if f.softPh[c] != phNone || softRunsLeft(s, c) {
		r, w := m.balanceFuture(s, c, p, cand, reads, p.kick.Has(c))
		read, write = read|r, write|w
	}

	// The CALL_FUNCTION_VECTOR handler: someone may send c an IPI.
	if m.th.on && m.th.ipi && (s.CallTarget >= 0 || p.wakeable&^p.frozen != 0) {
		read |= ObjCall
		write |= ObjCall
	}

	if !p.moves.Has(c) {
		return read, write, try
	}
	// schedule() on c: rq[c]->lock, its queue, curr, need_resched;
	// prev's state and on_rq (any task that may be here).
	read |= ObjRqLock(c) | ObjRq(c) | ObjResched(c) | ObjRqLoad(c) | taskObjs(p.arriveAt[c])
	write |= ObjRqLock(c) | ObjRq(c) | ObjResched(c)

	// idle_balance → load_balance_newidle: the rest of the run under way,
	// and runs to come; both with double_lock_balance's trylock.
	cand, reads = 0, 0
	if ph := f.niPh[c]; ph != phNone {
		cand, reads = m.candidates(s, p, c, ph, &cpu.ThreadLB, false)
	}
	if cpu.NewIdle > 0 && p.empty.Has(c) {
		cand, reads = cand|p.busy&^(1<<c), all
	}
	if f.niPh[c] != phNone || cpu.NewIdle > 0 && p.empty.Has(c) {
		r, w := m.balanceFuture(s, c, p, cand, reads, false)
		read, write = read|r, write|w
		try |= rqLocks(cand)
	}

	// The task that calls sched_setaffinity.
	if p.active && p.arrive[p.caller].Has(c) {
		r, w := m.callerFuture(s, c, p)
		read, write = read|r, write|w
	}

	// migration/c, if it will run its own code again: it is on the
	// runqueue, or it may be woken. (Running but off the runqueue, it is
	// in the schedule() that puts it to sleep.) Its active_load_balance
	// tries the lock of a push target (double_lock_balance).
	if cpu.MigOnRq || p.wakeSource.Has(c) {
		r, w := m.migFuture(s, c, p)
		read, write = read|r, write|w
		try |= rqLocks(p.pushTo)
	}
	read |= try
	return read, write, try
}

// rqLocks is the set of the runqueue locks of cs.
func rqLocks(cs CPUSet) Objs {
	return Objs(cs) << objLockBase
}

// rqObjs is everything of the runqueues of cs that a wake-up or an
// enqueue there touches: the lock, the queue and counts, need_resched.
func rqObjs(cs CPUSet) Objs {
	return cpuObjs(objLockBase, cs) | cpuObjs(objRqBase, cs) | cpuObjs(objLoadBase, cs) | cpuObjs(objReschedBase, cs)
}

// callerFuture is what the calling task may still touch on CPU c: the
// rest of the call under way (its runqueue, its target, whose placement
// the call's return reports), sched_setaffinity → set_cpus_allowed for
// each call to come (the
// target's task_cpu read unlocked, task_rq_lock and the retry on every
// runqueue the target may be on or that the call under way names, the
// target's cpus_allowed and cpu, the request on the caller's stack, the
// migration_queue, wake_up_process of that runqueue's migration thread),
// wait_for_completion (the completion and its wait.lock, the caller's
// p->state) and its deactivation by schedule() on c.
func (m *Model) callerFuture(s *State, c int, p *prospects) (r, w Objs) {
	caller := p.caller
	ctx := &s.Task[caller].Ctx
	var rqs CPUSet
	r = ObjReq(caller) | ObjTask(caller)
	w = ObjReq(caller)
	// It may still sleep in wait_for_completion (p->state, and its
	// deactivation by schedule() on c) in a call to come, or in the call
	// under way unless that one returns without a request or has been
	// woken already.
	sleeps := p.first < len(m.Sc.Affinity) || p.phase == callLock || p.phase == callQueued ||
		p.phase == callWait && ctx.PC != PcWFCUnlock && ctx.PC != PcWFCIrqOn
	if sleeps {
		w |= ObjTask(caller) | ObjRq(c) | ObjRqLoad(c)
	}
	for k := p.first; k < len(m.Sc.Affinity); k++ {
		t := m.Sc.Affinity[k].Target
		r |= ObjTask(t)
		w |= ObjTask(t)
		rqs |= p.arrive[t]
	}
	if p.phase == callLock || p.phase == callQueued || p.phase == callOut {
		rqs |= 1 << ctx.Rq1
	}
	if p.phase != callUser {
		r |= ObjTask(int(ctx.Task)) // the call's return names its target (Effects)
	}
	r |= rqObjs(rqs)
	w |= rqObjs(rqs)
	return r, w
}

// migFuture is what migration/c may still touch: schedule() to sleep (its
// p->state and deactivation), its migration_queue; for requests (queued,
// being served, or from calls to come) the request on the caller's stack,
// double_rq_lock with the destination, __migrate_task of the target
// (both runqueues, the task), complete() (the completion and its
// wait.lock) and waking the caller wherever it may be; active_load_balance
// towards a push target (the target's runqueue and sd->nr_balance_failed,
// the tasks that may be on c); thermal-2008's block (call_lock and
// call_data with sensor=ipi; its BUGs).
func (m *Model) migFuture(s *State, c int, p *prospects) (r, w Objs) {
	own := ObjRqLock(c) | ObjRq(c) | ObjRqLoad(c) | ObjResched(c)
	r, w = own, own
	add := func(x, y Objs) { r, w = r|x, w|y }
	// Requests: tasks that a request may name, their destinations.
	tasks, named := p.f.affTasks, len(m.Sc.Affinity) > 0
	cpu := &s.CPU[c]
	for i := 0; i < int(cpu.MigQLen); i++ {
		if t := s.Task[cpu.MigQ[i]].ReqTask; t >= 0 {
			tasks, named = tasks|ObjTask(int(t)), true
		}
	}
	if t, _, ok := migServing(s, c); ok {
		tasks, named = tasks|ObjTask(t), true
	}
	if named {
		add(tasks, tasks)
		add(rqObjs(p.dests), rqObjs(p.dests))
		if p.caller >= 0 {
			add(ObjReq(p.caller)|ObjTask(p.caller)|rqObjs(p.arrive[p.caller]),
				ObjReq(p.caller)|ObjTask(p.caller)|rqObjs(p.arrive[p.caller]))
		}
	}
	// active_load_balance: an active balance set or under way, thermal
	// pushes, or another CPU's kick.
	alb := cpu.ActiveBalance || m.th.on || p.kick&^(1<<c) != 0
	switch cpu.Mig.PC {
	case PcDLBTry, PcDLBUnlock, PcDLBLockB, PcDLBLockA, PcDLBLock2, PcALBMove, PcALBUnlock:
		alb = true
	}
	if alb {
		add(rqObjs(p.pushTo), rqObjs(p.pushTo))
		r |= cpuObjs(objDomainBase, p.pushTo&(1<<m.n-1))
		x := taskObjs(p.arriveAt[c])
		add(x, x)
	}
	if m.th.on {
		if m.th.ipi {
			add(ObjCall, ObjCall)
		}
		if m.th.beforeLock || m.th.ipi {
			w |= ObjBug // 2090, 2135 (interrupts on), 3033 (push_cpu restored under a kick)
		}
	}
	return r, w
}

// lbPhase says where a load_balance or load_balance_newidle run of a CPU
// stands.
type lbPhase uint8

const (
	phNone    lbPhase = iota // no run under way
	phReading                // find_busiest_group's reads: busiest may still change
	phChosen                 // busiest chosen, the pull to come
	phMoved                  // the pull done: a redo follows only if all were pinned
	phAfter                  // no pull left in this run (failed, kick, done)
)

// softPhase is the phase of CPU c's load_balance from SCHED_SOFTIRQ.
func softPhase(s *State, c int) lbPhase {
	cpu := &s.CPU[c]
	if !cpu.InSoft {
		return phNone
	}
	switch cpu.Soft.PC {
	case PcLBStart, PcLBRead:
		return phReading
	case PcLBFbq, PcLBNr, PcLBIrqSave, PcLBMove, PcDRLFirst, PcDRLSecond:
		return phChosen
	case PcDRUFirst, PcDRUSecond, PcLBIrqRestore:
		return phMoved
	}
	return phAfter
}

// kicking reports whether CPU c's softirq is in the active-balance kick or
// the wake-up of busiest's migration thread after it.
func kicking(s *State, c int) bool {
	cpu := &s.CPU[c]
	if !cpu.InSoft {
		return false
	}
	switch cpu.Soft.PC {
	case PcLBKickSave, PcLBKickLock, PcLBKickUnlock, PcLBKickRestore,
		PcWakeSave, PcWakeLock, PcWakeRetryUnlock, PcWakeRetryRestore, PcWakeUnlock, PcWakeRestore:
		return true
	}
	return false
}

// newidlePhase is the phase of CPU c's load_balance_newidle.
func newidlePhase(s *State, c int) lbPhase {
	if s.CPU[c].ThreadLB.Cpus == 0 {
		return phNone
	}
	switch s.threadCtx(c).PC {
	case PcNIStart, PcNIRead:
		return phReading
	case PcNIFbq, PcNINr, PcNIMove, PcDLBTry, PcDLBUnlock, PcDLBLockB, PcDLBLockA, PcDLBLock2:
		return phChosen
	case PcNIUnlock:
		return phMoved
	}
	return phAfter
}

// softRunsLeft reports whether CPU c may start another load_balance from
// SCHED_SOFTIRQ: a tick is left or under way, or the softirq is pending.
func softRunsLeft(s *State, c int) bool {
	cpu := &s.CPU[c]
	return cpu.Ticks > 0 || cpu.InHard || cpu.SoftPending
}

// candidates are the runqueues the current run of a balancer of CPU c in
// phase ph with locals lb may still pull from (lock, move from, kick),
// and reads those whose nr_running and load it may still read. While
// find_busiest_group reads, busiest is the one found so far or one of
// the groups still to read that may be busy (a group read already and
// not taken cannot be taken later); once chosen, busiest. A redo (the
// all-pinned retry, 2807 and 2945) may choose any busy CPU left in
// lb.Cpus, unless redoMay rules it out.
func (m *Model) candidates(s *State, p *prospects, c int, ph lbPhase, lb *LB, includeSelf bool) (cand, reads CPUSet) {
	cpus := CPUSet(lb.Cpus)
	b := int(lb.Busiest)
	redo := false
	switch ph {
	case phReading:
		for k := int(lb.J); k < m.n; k++ {
			if j := (c + k) % m.n; cpus.Has(j) && (j != c || includeSelf) {
				reads |= 1 << j
			}
		}
		cand = p.busy & reads
		if b >= 0 {
			cand |= 1 << b
		}
		cand &^= 1 << c
		reads |= cand
		redo = m.redoMay(s, p, c, cand, -1)
	case phChosen:
		cand, reads = 1<<b, 1<<b
		redo = m.redoMay(s, p, c, cand, int64(lb.Imbalance))
		if pc := s.Ctx(c, m.lbLevel(s, c, lb)).PC; pc == PcLBMove || pc == PcNIMove {
			// Both runqueues are locked: move_tasks' outcome is fixed.
			redo = m.movePinned(s, &p.f, c, lb)
		}
	case phMoved:
		redo = lb.Bits&lbAllPinned != 0
	}
	if redo {
		// The retry leaves out the busiest whose tasks were all pinned.
		left := cpus
		if b >= 0 && ph != phReading {
			left &^= 1 << b
		}
		cand |= p.busy & left
		reads |= cpus
	}
	return cand &^ (1 << c), reads
}

// movePinned reports whether move_tasks, run now by CPU c's balancer with
// locals lb (whose busiest is chosen), leaves all_pinned set. It does not
// depend on the frozen set: f caches it.
func (m *Model) movePinned(s *State, f *futureFacts, c int, lb *LB) bool {
	i := 2 * c
	if lb != &s.CPU[c].SoftLB {
		i++
	}
	if f.movedDone&(1<<i) == 0 {
		var t State
		CopyState(&t, s, m.Sc)
		x := *lb
		var eff Effects
		m.moveTasks(&t, c, int(lb.Busiest), &x, &eff)
		f.moved[c][i&1] = x.Bits&lbAllPinned != 0
		f.movedDone |= 1 << i
	}
	return f.moved[c][i&1]
}

// lbLevel is the stack level of the context whose balancer locals lb are.
func (m *Model) lbLevel(s *State, c int, lb *LB) int {
	if lb == &s.CPU[c].SoftLB {
		return LevelSoftirq
	}
	return LevelThread
}

// redoMay reports whether a move from a busiest among bs may find every
// task pinned (move_tasks leaves all_pinned set when no task it looks at
// passes the cpus_allowed test of can_migrate_task, the tasks it skips
// for their weight (2289) included, or the queue is empty). It rules a
// redo out only when every b in bs has an anchored task in its queue: one
// that stays there until the move (b's thread level does not move,
// migration/b does not run, no other CPU may pull it, no call or request
// names it), whose cpus_allowed allows c now and after every call to
// come, and that is not skipped for its weight (imbalance is the
// imbalance if known, -1 if not: then any weight above 2*SCHED_LOAD_SCALE
// may be skipped when c runs a fair or RT task). With imbalance 0,
// move_tasks returns before it sets all_pinned.
func (m *Model) redoMay(s *State, p *prospects, c int, bs CPUSet, imbalance int64) bool {
	if imbalance == 0 {
		return false
	}
	best := prio(s, c)
	for b := 0; b < m.n; b++ {
		if bs.Has(b) && !m.anchored(s, p, c, b, best, imbalance) {
			return true
		}
	}
	return false
}

func (m *Model) anchored(s *State, p *prospects, c, b, best int, imbalance int64) bool {
	if p.moves.Has(b) || (p.wakeable.Has(b) && !p.frozen.Has(b)) {
		return false
	}
	others := p.pullers &^ (1 << c)
	cpu := &s.CPU[b]
	for i := 0; i < int(cpu.QLen); i++ {
		t := int(cpu.Queue[i])
		if !m.allowedAlways(s, p, t, c) || others&p.allowed[t] != 0 || p.targets&(1<<t) != 0 {
			continue
		}
		if w := int64(m.weight[t]); prioFair >= best && (imbalance < 0 && w>>1 > loadScaleFuzz || w>>1 > imbalance+loadScaleFuzz) {
			continue
		}
		return true
	}
	return false
}

// allowedAlways reports whether task t's cpus_allowed allows CPU c now and
// after every call that may still change it (or the variant ignores
// affinity).
func (m *Model) allowedAlways(s *State, p *prospects, t, c int) bool {
	if m.p.IgnoreAffinity {
		return true
	}
	if s.Task[t].Mask&(1<<c) == 0 {
		return false
	}
	if p.callerBusy {
		for k := max(int(s.Task[p.caller].Calls)-1, 0); k < len(m.Sc.Affinity); k++ {
			if a := m.Sc.Affinity[k]; a.Target == t && cpuMask(a.Mask, m.n)&(1<<c) == 0 {
				return false
			}
		}
	}
	return true
}

// pulls reports whether CPU c may still pull tasks: a load_balance or
// load_balance_newidle run that has not pulled yet (or may redo), or one
// to come.
//
// The facts pullAlways and pullMaybe settle the cases that do not depend
// on the prospects: a run to come, or a balancer reading, pulls; a
// balancer in phase phNone or phAfter has no candidates.
func (m *Model) pulls(s *State, c int, p *prospects) bool {
	f := &p.f
	switch {
	case p.frozen.Has(c) || !f.pullMaybe.Has(c):
		return false
	case f.pullAlways.Has(c): // softRunsLeft, or a balancer reading
		return true
	}
	cpu := &s.CPU[c]
	if p.moves.Has(c) && cpu.NewIdle > 0 && p.empty.Has(c) {
		return true
	}
	if ph := f.softPh[c]; ph == phChosen || ph == phMoved {
		if cand, _ := m.candidates(s, p, c, ph, &cpu.SoftLB, true); cand != 0 {
			return true
		}
	}
	if ph := f.niPh[c]; ph == phChosen || ph == phMoved {
		if cand, _ := m.candidates(s, p, c, ph, &cpu.ThreadLB, false); cand != 0 {
			return true
		}
	}
	return false
}

// kickFuture is what load_balance's active-balance kick of busiest b
// touches: rq[b]->lock, its active_balance and push_cpu, curr's
// cpus_allowed; and waking migration/b (its state, nr_running and load,
// need_resched).
func (m *Model) kickFuture(b int, p *prospects) (r, w Objs) {
	r = ObjRqLock(b) | ObjRq(b) | taskObjs(p.arriveAt[b])
	w = ObjRqLock(b) | ObjRq(b) | ObjRqLoad(b) | ObjResched(b)
	return r, w
}

// balanceFuture is what a balancer of CPU c may still touch: unlocked
// reads of the nr_running and load of the runqueues of reads; and for
// each runqueue b of cand double_rq_lock / double_lock_balance with c's,
// pull_task from b (the tasks' cpus_allowed, cpu and on_rq, both queues
// and counts, c's need_resched), with kick the active-balance kick
// (busiest's active_balance, push_cpu, curr's cpus_allowed) and waking
// busiest's migration thread; sd->nr_balance_failed of c.
func (m *Model) balanceFuture(s *State, c int, p *prospects, cand, reads CPUSet, kick bool) (r, w Objs) {
	all := CPUSet(1<<m.n - 1)
	r = ObjDomain(c) | cpuObjs(objLoadBase, reads&all)
	w = ObjDomain(c)
	if cand == 0 {
		return r, w
	}
	own := ObjRqLock(c) | ObjRq(c) | ObjRqLoad(c) | ObjResched(c)
	r |= own
	w |= own
	cand &= all
	x := cpuObjs(objLockBase, cand) | cpuObjs(objRqBase, cand) | cpuObjs(objLoadBase, cand)
	if kick {
		x |= cpuObjs(objReschedBase, cand)
	}
	r |= x
	w |= x
	// The tasks that may be on a runqueue of cand: pulled if they may
	// leave it (canLeave), else read by the kick (busiest->curr's
	// cpus_allowed).
	for t := 0; t < m.nt; t++ {
		from := p.arrive[t] & cand
		if from == 0 {
			continue
		}
		from &^= p.f.pinBit[t] &^ p.moves // canLeave
		switch {
		case from != 0:
			r |= ObjTask(t)
			w |= ObjTask(t)
		case kick:
			r |= ObjTask(t)
		}
	}
	return r, w
}

// callerBusy returns the task that calls sched_setaffinity (-1 if none)
// and whether it has a call left or is inside one (anywhere but user
// mode).
func (m *Model) callerBusy(s *State) (int, bool) {
	aff := m.Sc.Affinity
	if len(aff) == 0 {
		return -1, false
	}
	t := aff[0].Caller
	task := &s.Task[t]
	if int(task.Calls) < len(aff) {
		return t, true
	}
	return t, !inUserMode(&task.Ctx)
}

// callPhase says where the calling task stands in a sched_setaffinity
// call.
type callPhase uint8

const (
	callUser   callPhase = iota // in user mode, or in the schedule() that preempted it there
	callLock                    // task_rq_lock of the target's runqueue and its retry; the call has not decided
	callQueued                  // a request queued on rq[ctx.Rq1]: unlock, restore, wake_up_process of its migration thread
	callOut                     // set_cpus_allowed returns without a request: unlock, restore
	callWait                    // wait_for_completion, and the schedule() it sleeps in
)

// callerPhase is the phase of the calling task's context.
func callerPhase(ctx *Ctx) callPhase {
	if inUserMode(ctx) {
		return callUser
	}
	switch ctx.PC {
	case PcSCALock, PcSCARetryUnlock, PcSCARetryRestore, PcSCARetrySave:
		return callLock
	case PcSCAUnlock, PcSCARestore:
		return callQueued
	case PcSCAOutUnlock, PcSCAOutRestore:
		return callOut
	case PcWakeSave, PcWakeLock, PcWakeRetryUnlock, PcWakeRetryRestore, PcWakeUnlock, PcWakeRestore:
		if ctx.SP > 0 && ctx.Ret[ctx.SP-1] == PcSCAWait {
			return callQueued
		}
	}
	return callWait
}

// mayEmpty is the rule for p.empty[c]: no task on rq[c] is stuck there. A
// task is stuck if it is on the runqueue, never sleeps (only the caller
// sleeps, in wait_for_completion) and cannot leave: it cannot be pulled
// (queued now, or running on a CPU whose thread level may move, with a
// puller elsewhere that its mask may allow), pushed by active balance
// (migration/c wakeable and a push target elsewhere allowed), nor
// migrated (a call to come or a request names it).
func (m *Model) mayEmpty(s *State, c int, p *prospects) bool {
	for ts := p.f.onRqAt[c]; ts != 0; ts &= ts - 1 {
		t := bits.TrailingZeros16(ts) // on rq[c], and not the busy caller
		allowed := p.allowed[t] &^ (1 << c)
		leave := p.busy.Has(c) && m.canLeave(s, p, t, c)
		switch {
		case leave && p.pullers&allowed != 0:
		case leave && p.wakeable.Has(c) && p.pushTo&allowed != 0:
		case p.targets&(1<<t) != 0:
		default:
			return false // stuck
		}
	}
	return true
}

// inUserMode reports whether a task context is in user mode: at PcUser, or
// in the schedule() that preempted it there.
func inUserMode(ctx *Ctx) bool {
	if ctx.SP == 0 {
		return ctx.PC == PcUser
	}
	return ctx.Ret[0] == PcUser
}

// runningOn returns the CPU whose curr task t is, or -1.
func (m *Model) runningOn(s *State, t int) int {
	for c := 0; c < m.n; c++ {
		if int(s.CPU[c].Curr) == t {
			return c
		}
	}
	return -1
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
