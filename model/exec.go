package model

import "fmt"

// Enabled appends to buf the steps enabled in s and returns it. A context
// spinning on a held lock has no enabled step; nothing is enabled after a
// kernel BUG.
func (m *Model) Enabled(s *State, buf []Step) []Step {
	buf = buf[:0]
	if s.Bug != 0 {
		return buf
	}
	for c := 0; c < m.n; c++ {
		cpu := &s.CPU[c]
		ctx, lvl := s.Top(c)
		if m.runnable(s, c, ctx) {
			buf = append(buf, Step{CPU: int8(c), Kind: KRun})
		}
		if cpu.Ticks > 0 && !cpu.IrqsOff && !cpu.InHard {
			buf = append(buf, Step{CPU: int8(c), Kind: KTick})
		}
		if lvl == LevelThread && ctx.PC == PcUser && m.wantsSyscall(s, int(cpu.Curr)) {
			buf = append(buf, Step{CPU: int8(c), Kind: KSyscall})
		}
		if int(s.CallTarget) == c && !s.CallDone && !cpu.IrqsOff && !cpu.InHard {
			buf = append(buf, Step{CPU: int8(c), Kind: KIPI})
		}
	}
	return buf
}

func (m *Model) wantsSyscall(s *State, t int) bool {
	aff := m.Sc.Affinity
	return t >= 0 && len(aff) > 0 && aff[0].Caller == t && int(s.Task[t].Calls) < len(aff)
}

func (m *Model) runnable(s *State, c int, ctx *Ctx) bool {
	switch ctx.PC {
	case PcUser, PcIdle:
		return s.CPU[c].NeedResched
	case PcNone:
		return false
	case PcThWait:
		return s.CallDone
	}
	if l, ok := m.wants(s, c, ctx); ok && s.owner(l) != NoOwner {
		return false
	}
	return true
}

// Wait is what a context that cannot step waits for: the owner of a held
// lock it spins on, or the context of another CPU that must let an IPI in.
type Wait struct {
	Lock int  // the lock spun on, or -1 for an IPI
	On   int8 // the context id waited for: the lock's owner, or the top context of the IPI's CPU
	IPI  int  // the CPU the IPI was sent to (Lock == -1)
}

// WaitOf reports what the context at level of cpu waits for, if it waits.
// A sender waits for an IPI only while the target CPU cannot take it
// (interrupts off, or a hardirq running); otherwise the KIPI step is
// enabled and nobody is stuck.
func (m *Model) WaitOf(s *State, cpu, level int) (Wait, bool) {
	if l, ok := m.Blocked(s, cpu, level); ok {
		return Wait{Lock: l, On: s.owner(l)}, true
	}
	ctx := s.Ctx(cpu, level)
	if ctx == nil || ctx.PC != PcThWait || s.CallDone || s.CallTarget < 0 {
		return Wait{}, false
	}
	j := int(s.CallTarget)
	if t := &s.CPU[j]; !t.IrqsOff && !t.InHard {
		return Wait{}, false
	}
	_, lvl := s.Top(j)
	return Wait{Lock: -1, On: ctxID(j, lvl), IPI: j}, true
}

// MayWait is a cheap necessary condition for WaitOf: some context can wait
// only while some lock is held (it spins on a held lock) or a cross-CPU
// call is in flight (its sender waits for the IPI). Judges that look for
// waiting contexts check it first.
func (m *Model) MayWait(s *State) bool {
	if s.CallLock != NoOwner || (s.CallTarget >= 0 && !s.CallDone) {
		return true
	}
	for c := 0; c < m.NumCPUs(); c++ {
		if s.CPU[c].Lock != NoOwner {
			return true
		}
	}
	for t := 0; t < m.NumTasks(); t++ {
		if s.Task[t].ReqLock != NoOwner {
			return true
		}
	}
	return false
}

// Blocked reports whether the context at level of cpu spins on a held lock,
// and which.
func (m *Model) Blocked(s *State, cpu, level int) (lock int, blocked bool) {
	ctx := s.Ctx(cpu, level)
	if ctx == nil {
		return 0, false
	}
	l, ok := m.wants(s, cpu, ctx)
	if !ok || s.owner(l) == NoOwner {
		return 0, false
	}
	return l, true
}

// wants returns the lock the statement at ctx.PC acquires, if it acquires one
// and can spin for it.
func (m *Model) wants(s *State, c int, ctx *Ctx) (int, bool) {
	switch ctx.PC {
	case PcSchedLock, PcMigLock, PcTickLock:
		return rqLock(c), true
	case PcSCALock, PcWakeLock:
		return rqLock(int(ctx.Rq1)), true
	case PcWFCLock:
		return reqLock(int(s.CPU[c].Curr)), true
	case PcMigCompLock:
		return reqLock(int(ctx.Req)), true
	case PcDRLFirst:
		if !s.CPU[c].IrqsOff {
			return 0, false // the BUG_ON fires before any lock is taken
		}
		first, _ := m.drlOrder(ctx)
		return rqLock(first), true
	case PcDRLSecond:
		_, second := m.drlOrder(ctx)
		return rqLock(second), true
	case PcDLBLockB, PcDLBLock2:
		return rqLock(int(ctx.Rq2)), true
	case PcDLBLockA:
		return rqLock(int(ctx.Rq1)), true
	case PcLBKickLock:
		return rqLock(int(s.CPU[c].SoftLB.Busiest)), true
	case PcThCallLock:
		return CallLockID, true
	}
	return 0, false
}

// drlOrder is double_rq_lock's order: the lower-addressed rq first (2095).
func (m *Model) drlOrder(ctx *Ctx) (first, second int) {
	a, b := int(ctx.Rq1), int(ctx.Rq2)
	if m.p.DRLUnordered || m.rank[a] < m.rank[b] {
		return a, b
	}
	return b, a
}

// Apply executes step st on s in place and returns its effects. st must be
// enabled in s.
func (m *Model) Apply(s *State, st Step) Effects {
	eff := Effects{AffinityDone: -1}
	c := int(st.CPU)
	cpu := &s.CPU[c]
	switch st.Kind {
	case KTick:
		// Hardirq entry: the interrupted context's flag is saved, irqs off.
		cpu.Ticks--
		cpu.HardFlags = !cpu.IrqsOff
		cpu.IrqsOff = true
		cpu.InHard = true
		cpu.Hard = Ctx{PC: PcTickLock, Rq1: -1}
	case KIPI:
		// smp_call_function_interrupt runs to completion with interrupts
		// off and takes no lock: the sender sees started and finished.
		s.CallDone = true
	case KSyscall:
		t := int(cpu.Curr)
		ctx := &s.Task[t].Ctx
		k := int(s.Task[t].Calls)
		s.Task[t].Calls++
		p := m.Sc.Affinity[k].Target
		ctx.Req = int8(k)
		ctx.Task = int8(p)
		m.irqSave(s, c, ctx, 1)
		ctx.Rq1 = s.Task[p].CPU
		ctx.PC = PcSCALock
	case KRun:
		ctx, lvl := s.Top(c)
		m.exec(s, c, lvl, ctx, &eff)
	}
	// Code marked Inline runs in the same step.
	for s.Bug == 0 {
		ctx, lvl := s.Top(c)
		if !Steps[ctx.PC].Inline {
			break
		}
		m.exec(s, c, lvl, ctx, &eff)
	}
	return eff
}

func call(ctx *Ctx, target, ret PC) {
	ctx.Ret[ctx.SP] = ret
	ctx.SP++
	ctx.PC = target
}

func ret(ctx *Ctx) {
	ctx.SP--
	ctx.PC = ctx.Ret[ctx.SP]
	ctx.Ret[ctx.SP] = 0
}

func (m *Model) irqSave(s *State, c int, ctx *Ctx, bit uint8) {
	if s.CPU[c].IrqsOff {
		ctx.Flags |= bit
	} else {
		ctx.Flags &^= bit
	}
	s.CPU[c].IrqsOff = true
}

func (m *Model) irqRestore(s *State, c int, ctx *Ctx, bit uint8) {
	s.CPU[c].IrqsOff = ctx.Flags&bit != 0
	ctx.Flags &^= bit
}

func (s *State) acquire(l int, c, lvl int) {
	if s.owner(l) != NoOwner {
		panic(fmt.Sprintf("model: acquire of held %s", LockName(l)))
	}
	s.setOwner(l, ctxID(c, lvl))
}

func (s *State) release(l int) { s.setOwner(l, NoOwner) }

func (s *State) bug(line, c, lvl int) {
	s.Bug = uint16(line)
	s.BugCPU = int8(c)
	s.BugLvl = int8(lvl)
}

// exec runs the statement at ctx.PC on CPU c; lvl is ctx's stack level.
func (m *Model) exec(s *State, c, lvl int, ctx *Ctx, eff *Effects) {
	cpu := &s.CPU[c]
	switch ctx.PC {

	// ---- schedule() ----
	case PcUser, PcIdle:
		cpu.IrqsOff = true
		call(ctx, PcSchedLock, ctx.PC)
	case PcSchedIrqOff:
		cpu.IrqsOff = true
		ctx.PC = PcSchedLock
	case PcSchedLock:
		s.acquire(rqLock(c), c, lvl)
		cpu.NeedResched = false // clear_tsk_need_resched(prev) 3645
		switch prev := cpu.Curr; {
		case prev >= 0:
			if t := &s.Task[prev]; t.State != TaskRunning && t.OnRq {
				t.OnRq = false // deactivate_task(rq, prev, 1) 3652
				cpu.NrRunning--
			}
		case prev == CurrMig:
			if cpu.MigState != TaskRunning && cpu.MigOnRq {
				cpu.MigOnRq = false
				cpu.NrRunning--
			}
		}
		if cpu.NrRunning == 0 && cpu.NewIdle > 0 { // 3657: idle_balance(cpu, rq)
			cpu.NewIdle--
			call(ctx, PcNIStart, PcSchedPick)
		} else {
			ctx.PC = PcSchedPick
		}
	case PcSchedPick:
		m.contextSwitch(s, c, ctx)
	case PcSchedIrqOn:
		cpu.IrqsOff = false
		if cpu.NeedResched { // 3680: goto need_resched
			ctx.PC = PcSchedIrqOff
		} else {
			ret(ctx)
		}

	// ---- sched_setaffinity → set_cpus_allowed ----
	case PcSCALock:
		s.acquire(rqLock(int(ctx.Rq1)), c, lvl)
		m.setCpusAllowed(s, c, ctx)
	case PcSCARetryUnlock:
		s.release(rqLock(int(ctx.Rq1)))
		ctx.PC = PcSCARetryRestore
	case PcSCARetryRestore:
		m.irqRestore(s, c, ctx, 1)
		ctx.PC = PcSCARetrySave
	case PcSCARetrySave:
		m.irqSave(s, c, ctx, 1)
		ctx.Rq1 = s.Task[ctx.Task].CPU
		ctx.PC = PcSCALock
	case PcSCAUnlock:
		s.release(rqLock(int(ctx.Rq1)))
		ctx.PC = PcSCARestore
	case PcSCARestore:
		m.irqRestore(s, c, ctx, 1)
		ctx.Wake = -1 - ctx.Rq1 // wake_up_process(rq->migration_thread) 5088
		call(ctx, PcWakeSave, PcSCAWait)
	case PcSCAWait:
		cpu.IrqsOff = true
		ctx.PC = PcWFCLock
	case PcWFCLock:
		t := int(cpu.Curr)
		s.acquire(reqLock(t), c, lvl)
		task := &s.Task[t]
		if task.ReqDone > 0 {
			task.ReqDone--
			task.ReqWaiter = false
			ctx.PC = PcWFCUnlock
		} else {
			task.ReqWaiter = true
			task.State = TaskUninterruptible
			ctx.PC = PcWFCSleepUnlock
		}
	case PcWFCSleepUnlock:
		s.release(reqLock(int(cpu.Curr)))
		ctx.PC = PcWFCSleepIrq
	case PcWFCSleepIrq:
		cpu.IrqsOff = false
		call(ctx, PcSchedIrqOff, PcWFCRelock)
	case PcWFCRelock:
		cpu.IrqsOff = true
		ctx.PC = PcWFCLock
	case PcWFCUnlock:
		s.release(reqLock(int(cpu.Curr)))
		ctx.PC = PcWFCIrqOn
	case PcWFCIrqOn:
		cpu.IrqsOff = false
		eff.AffinityDone = ctx.Task
		*ctx = Ctx{PC: PcUser}
	case PcSCAOutUnlock:
		s.release(rqLock(int(ctx.Rq1)))
		ctx.PC = PcSCAOutRestore
	case PcSCAOutRestore:
		m.irqRestore(s, c, ctx, 1)
		eff.AffinityDone = ctx.Task
		*ctx = Ctx{PC: PcUser}

	// ---- try_to_wake_up() ----
	case PcWakeSave:
		m.irqSave(s, c, ctx, 2)
		ctx.Rq1 = int8(s.wakeCPU(ctx.Wake))
		ctx.PC = PcWakeLock
	case PcWakeLock:
		s.acquire(rqLock(int(ctx.Rq1)), c, lvl)
		if s.wakeCPU(ctx.Wake) != int(ctx.Rq1) {
			ctx.PC = PcWakeRetryUnlock
			return
		}
		m.wakeUp(s, int(ctx.Rq1), ctx.Wake, eff)
		ctx.PC = PcWakeUnlock
	case PcWakeRetryUnlock:
		s.release(rqLock(int(ctx.Rq1)))
		ctx.PC = PcWakeRetryRestore
	case PcWakeRetryRestore:
		m.irqRestore(s, c, ctx, 2)
		ctx.PC = PcWakeSave
	case PcWakeUnlock:
		s.release(rqLock(int(ctx.Rq1)))
		ctx.PC = PcWakeRestore
	case PcWakeRestore:
		m.irqRestore(s, c, ctx, 2)
		ret(ctx)

	// ---- double_rq_lock / double_rq_unlock / double_lock_balance ----
	case PcDRLFirst:
		if !cpu.IrqsOff {
			s.bug(2090, c, lvl)
			return
		}
		first, _ := m.drlOrder(ctx)
		s.acquire(rqLock(first), c, lvl)
		if ctx.Rq1 == ctx.Rq2 {
			ret(ctx)
		} else {
			ctx.PC = PcDRLSecond
		}
	case PcDRLSecond:
		_, second := m.drlOrder(ctx)
		s.acquire(rqLock(second), c, lvl)
		ret(ctx)
	case PcDRUFirst:
		s.release(rqLock(int(ctx.Rq1)))
		if ctx.Rq1 != ctx.Rq2 {
			ctx.PC = PcDRUSecond
		} else {
			ret(ctx)
		}
	case PcDRUSecond:
		s.release(rqLock(int(ctx.Rq2)))
		ret(ctx)
	case PcDLBTry:
		if !cpu.IrqsOff {
			if s.owner(rqLock(int(ctx.Rq1))) == ctxID(c, lvl) {
				s.release(rqLock(int(ctx.Rq1))) // spin_unlock(&this_rq->lock) (2134)
			}
			s.bug(2135, c, lvl)
			return
		}
		busiest := rqLock(int(ctx.Rq2))
		switch {
		case s.owner(busiest) == NoOwner:
			s.acquire(busiest, c, lvl)
			ret(ctx)
		case m.rank[ctx.Rq2] < m.rank[ctx.Rq1]:
			ctx.PC = PcDLBUnlock
		default:
			ctx.PC = PcDLBLock2
		}
	case PcDLBUnlock:
		s.release(rqLock(int(ctx.Rq1)))
		ctx.PC = PcDLBLockB
	case PcDLBLockB:
		s.acquire(rqLock(int(ctx.Rq2)), c, lvl)
		ctx.PC = PcDLBLockA
	case PcDLBLockA:
		s.acquire(rqLock(int(ctx.Rq1)), c, lvl)
		ret(ctx)
	case PcDLBLock2:
		s.acquire(rqLock(int(ctx.Rq2)), c, lvl)
		ret(ctx)

	// ---- migration_thread ----
	case PcMigSetState:
		cpu.MigState = TaskInterruptible
		ctx.PC = m.loopTop()
	case PcMigIrqOff:
		cpu.IrqsOff = true
		ctx.PC = PcMigLock
	case PcMigLock:
		s.acquire(rqLock(c), c, lvl)
		ctx.PC = PcMigOffline
	case PcMigOffline:
		if m.th.on && !m.th.beforeLock {
			ctx.PC = PcThStart
		} else {
			ctx.PC = PcMigActive
		}
	case PcMigActive:
		if cpu.ActiveBalance {
			call(ctx, PcALBStart, PcMigClearAB)
		} else {
			ctx.PC = PcMigQueue
		}
	case PcALBStart:
		target := cpu.PushCPU
		if cpu.NrRunning <= 1 {
			ret(ctx)
			return
		}
		if int(target) == c {
			s.bug(3033, c, lvl)
			return
		}
		ctx.Rq1, ctx.Rq2 = int8(c), target
		call(ctx, PcDLBTry, PcALBMove)
	case PcALBMove:
		if !m.th.iter { // thermal-2008's iterator returns NULL at once
			m.moveOneTask(s, int(ctx.Rq2), int(ctx.Rq1), eff)
		}
		ctx.PC = PcALBUnlock
	case PcALBUnlock:
		s.release(rqLock(int(ctx.Rq2)))
		ret(ctx)
	case PcMigClearAB:
		cpu.ActiveBalance = false
		ctx.PC = PcMigQueue
	case PcMigQueue:
		if cpu.MigQLen == 0 {
			ctx.PC = PcMigEmptyUnlock
			return
		}
		ctx.Req = cpu.MigQ[0]
		copy(cpu.MigQ[:], cpu.MigQ[1:cpu.MigQLen])
		cpu.MigQLen--
		cpu.MigQ[cpu.MigQLen] = 0
		ctx.PC = PcMigUnlockReq
	case PcMigEmptyUnlock:
		s.release(rqLock(c))
		ctx.PC = PcMigEmptyIrqOn
	case PcMigEmptyIrqOn:
		cpu.IrqsOff = false
		call(ctx, PcSchedIrqOff, PcMigSetState)
	case PcMigUnlockReq:
		s.release(rqLock(c))
		req := &s.Task[ctx.Req]
		ctx.Rq1, ctx.Rq2, ctx.Task = int8(c), req.ReqDest, req.ReqTask
		call(ctx, PcDRLFirst, PcMTMove)
	case PcMTMove:
		m.migrateTask(s, int(ctx.Task), int(ctx.Rq1), int(ctx.Rq2), eff)
		call(ctx, PcDRUFirst, PcMigIrqOn)
	case PcMigIrqOn:
		cpu.IrqsOff = false
		ctx.PC = PcMigCompSave
	case PcMigCompSave:
		m.irqSave(s, c, ctx, 1)
		ctx.PC = PcMigCompLock
	case PcMigCompLock:
		s.acquire(reqLock(int(ctx.Req)), c, lvl)
		req := &s.Task[ctx.Req]
		req.ReqDone++
		if req.ReqWaiter {
			ctx.Wake = ctx.Req
			call(ctx, PcWakeSave, PcMigCompUnlock)
		} else {
			ctx.PC = PcMigCompUnlock
		}
	case PcMigCompUnlock:
		s.release(reqLock(int(ctx.Req)))
		ctx.PC = PcMigCompRestore
	case PcMigCompRestore:
		m.irqRestore(s, c, ctx, 1)
		ctx.PC = m.loopTop()

	// ---- thermal-2008: the thermal block and find_coolest_cpu ----
	case PcThStart, PcThStartEarly:
		cpu.ThermJ = 0
		ctx.PC = PcThRead
	case PcThRead:
		j := int(cpu.ThermJ)
		switch {
		case j == m.n:
			// Temperatures are not modelled: another core always reads
			// cooler, the only case in which the block does anything.
			if coolest := (c + 1) % m.n; coolest != c {
				ctx.PC = PcThSaveAB
			} else {
				m.thermalEnd(cpu, ctx)
			}
		case !m.th.ipi:
			cpu.ThermJ++ // irq-safe read: no flag change, no IPI
		case j == c:
			ctx.PC = PcThSelf
		default:
			ctx.PC = PcThCallLock
		}
	case PcThSelf:
		cpu.IrqsOff = false // local_irq_enable() (432)
		cpu.ThermJ++
		ctx.PC = PcThRead
	case PcThCallLock:
		s.acquire(CallLockID, c, lvl)
		s.CallTarget, s.CallDone = cpu.ThermJ, false
		ctx.PC = PcThWait
	case PcThWait:
		s.release(CallLockID)
		s.CallTarget, s.CallDone = -1, false
		cpu.ThermJ++
		ctx.PC = PcThRead
	case PcThSaveAB:
		cpu.SaveAB = cpu.ActiveBalance
		if m.th.beforeLock {
			ctx.PC = PcThSavePush
			return
		}
		// Under rq->lock nobody observes the statements in between.
		cpu.SavePush = cpu.PushCPU
		m.thermalSetPush(s, c, cpu, ctx)
	case PcThSavePush:
		cpu.SavePush = cpu.PushCPU
		ctx.PC = PcThSetPush
	case PcThSetPush:
		m.thermalSetPush(s, c, cpu, ctx)
	case PcThRestoreAB:
		cpu.ActiveBalance = cpu.SaveAB
		if m.th.beforeLock {
			ctx.PC = PcThRestorePush
			return
		}
		cpu.PushCPU = cpu.SavePush
		m.thermalEnd(cpu, ctx)
	case PcThRestorePush:
		cpu.PushCPU = cpu.SavePush
		m.thermalEnd(cpu, ctx)

	// ---- timer tick and softirq ----
	case PcTickLock:
		s.acquire(rqLock(c), c, lvl)
		ctx.PC = PcTickUnlock
	case PcTickUnlock:
		s.release(rqLock(c))
		cpu.IdleAtTick = cpu.Curr == CurrIdle
		cpu.SoftPending = true
		ctx.PC = PcIrqExit
	case PcIrqExit:
		cpu.InHard = false
		cpu.Hard = Ctx{}
		if cpu.SoftPending && !cpu.InSoft {
			cpu.SoftPending = false
			cpu.InSoft = true
			cpu.IrqsOff = false
			cpu.Soft = Ctx{PC: PcLBStart}
		} else {
			cpu.IrqsOff = !cpu.HardFlags
		}
		cpu.HardFlags = false
	case PcSoftExit:
		if cpu.SoftPending {
			cpu.SoftPending = false
			cpu.Soft = Ctx{PC: PcLBStart}
		} else {
			cpu.InSoft = false
			cpu.Soft = Ctx{}
			cpu.SoftLB = LB{}
			cpu.IrqsOff = false
		}

	// ---- load_balance (softirq) ----
	case PcLBStart:
		m.lbInit(s, c, &cpu.SoftLB, true)
		ctx.PC = PcLBRead
	case PcLBRead:
		m.fbgStep(s, c, ctx, &cpu.SoftLB, true, PcLBFbq, PcLBOutBalanced)
	case PcLBFbq:
		m.fbqStep(s, c, lvl, ctx, &cpu.SoftLB, 2781, PcLBNr, PcLBOutBalanced)
	case PcLBNr:
		if s.CPU[cpu.SoftLB.Busiest].NrRunning > 1 {
			ctx.PC = PcLBIrqSave
		} else {
			ctx.PC = PcLBFailed
		}
	case PcLBIrqSave:
		if !m.p.LBNoIrqSave {
			m.irqSave(s, c, ctx, 1)
		}
		ctx.Rq1, ctx.Rq2 = int8(c), cpu.SoftLB.Busiest
		call(ctx, PcDRLFirst, PcLBMove)
	case PcLBMove:
		lb := &cpu.SoftLB
		m.moveTasks(s, c, int(lb.Busiest), lb, eff)
		call(ctx, PcDRUFirst, PcLBIrqRestore)
	case PcLBIrqRestore:
		if !m.p.LBNoIrqSave {
			m.irqRestore(s, c, ctx, 1)
		}
		lb := &cpu.SoftLB
		if lb.Bits&lbAllPinned != 0 { // 2807
			lb.Cpus &^= 1 << lb.Busiest
			if lb.Cpus != 0 {
				m.lbInit(s, c, lb, false)
				ctx.PC = PcLBRead
			} else {
				ctx.PC = PcLBOutBalanced
			}
			return
		}
		ctx.PC = PcLBFailed
	case PcLBFailed:
		if cpu.SoftLB.Bits&lbMoved != 0 {
			cpu.NrBalanceFailed = 0 // 2848
			ctx.PC = PcLBDone
			return
		}
		if cpu.NrBalanceFailed < 255 {
			cpu.NrBalanceFailed++
		}
		if int(cpu.NrBalanceFailed) > m.Sc.CacheNiceTries+2 {
			ctx.PC = PcLBKickSave
		} else {
			ctx.PC = PcLBDone
		}
	case PcLBKickSave:
		m.irqSave(s, c, ctx, 1)
		ctx.PC = PcLBKickLock
	case PcLBKickLock:
		lb := &cpu.SoftLB
		b := int(lb.Busiest)
		s.acquire(rqLock(b), c, lvl)
		busiest := &s.CPU[b]
		if !m.currAllowed(s, b, c) {
			lb.Bits |= lbKickPinned
		} else if !busiest.ActiveBalance {
			busiest.ActiveBalance = true
			busiest.PushCPU = int8(c)
			lb.Bits |= lbActive
		}
		ctx.PC = PcLBKickUnlock
	case PcLBKickUnlock:
		s.release(rqLock(int(cpu.SoftLB.Busiest)))
		ctx.PC = PcLBKickRestore
	case PcLBKickRestore:
		m.irqRestore(s, c, ctx, 1)
		lb := &cpu.SoftLB
		switch {
		case lb.Bits&lbKickPinned != 0:
			ctx.PC = PcLBDone // out_one_pinned
		case lb.Bits&lbActive != 0:
			ctx.Wake = -1 - lb.Busiest
			call(ctx, PcWakeSave, PcLBKickReset)
		default:
			ctx.PC = PcLBKickReset
		}
	case PcLBKickReset:
		cpu.NrBalanceFailed = uint8(m.Sc.CacheNiceTries + 1)
		ctx.PC = PcLBDone
	case PcLBOutBalanced:
		cpu.NrBalanceFailed = 0
		ctx.PC = PcLBDone
	case PcLBDone:
		ctx.PC = PcSoftExit

	// ---- idle_balance → load_balance_newidle (thread, this rq locked) ----
	case PcNIStart:
		lb := &cpu.ThreadLB
		m.lbInit(s, c, lb, lb.Cpus == 0)
		m.lbRead(s, c, c, lb) // this_rq is locked by us: reading it is not a step
		ctx.PC = PcNIRead
	case PcNIRead:
		m.fbgStep(s, c, ctx, &cpu.ThreadLB, false, PcNIFbq, PcNIOut)
	case PcNIFbq:
		m.fbqStep(s, c, lvl, ctx, &cpu.ThreadLB, 2930, PcNINr, PcNIOut)
	case PcNINr:
		lb := &cpu.ThreadLB
		if s.CPU[lb.Busiest].NrRunning > 1 {
			ctx.Rq1, ctx.Rq2 = int8(c), lb.Busiest
			call(ctx, PcDLBTry, PcNIMove)
		} else {
			ctx.PC = PcNIFailed
		}
	case PcNIMove:
		lb := &cpu.ThreadLB
		m.moveTasks(s, c, int(lb.Busiest), lb, eff)
		ctx.PC = PcNIUnlock
	case PcNIUnlock:
		lb := &cpu.ThreadLB
		s.release(rqLock(int(lb.Busiest)))
		if lb.Bits&lbAllPinned != 0 { // 2945
			lb.Cpus &^= 1 << lb.Busiest
			if lb.Cpus != 0 {
				ctx.PC = PcNIStart
				return
			}
		}
		ctx.PC = PcNIFailed
	case PcNIFailed:
		if cpu.ThreadLB.Bits&lbMoved != 0 {
			cpu.NrBalanceFailed = 0
		}
		cpu.ThreadLB = LB{}
		ret(ctx)
	case PcNIOut:
		cpu.NrBalanceFailed = 0
		cpu.ThreadLB = LB{}
		ret(ctx)

	default:
		panic(fmt.Sprintf("model: no code at PC %d (%s)", ctx.PC, Steps[ctx.PC].Where()))
	}
}

// loopTop is the top of migration_thread's loop (5159): spin_lock_irq, or
// thermal-2008's block when it is placed before the lock.
func (m *Model) loopTop() PC {
	if m.th.on && m.th.beforeLock {
		return PcThStartEarly
	}
	return PcMigIrqOff
}

// thermalSetPush is rq->push_cpu = coolest and the commented-out
// active_load_balance call; with the call off and the block under
// rq->lock, the restores follow in the same step.
func (m *Model) thermalSetPush(s *State, c int, cpu *CPU, ctx *Ctx) {
	cpu.PushCPU = int8((c + 1) % m.n)
	switch {
	case m.th.alb:
		call(ctx, PcALBStart, PcThRestoreAB)
	case m.th.beforeLock:
		ctx.PC = PcThRestoreAB
	default:
		cpu.ActiveBalance = cpu.SaveAB
		cpu.PushCPU = cpu.SavePush
		m.thermalEnd(cpu, ctx)
	}
}

// thermalEnd leaves the thermal block: the block's locals die, and the loop
// goes on at spin_lock_irq (block before the lock) or at the mainline
// active_balance check (block under the lock).
func (m *Model) thermalEnd(cpu *CPU, ctx *Ctx) {
	cpu.ThermJ, cpu.SaveAB, cpu.SavePush = 0, false, 0
	if m.th.beforeLock {
		ctx.PC = PcMigIrqOff
	} else {
		ctx.PC = PcMigActive
	}
}

// fbgStep is one unlocked read of find_busiest_group; after the last read it
// decides: found → PC found, balanced → PC none.
func (m *Model) fbgStep(s *State, c int, ctx *Ctx, lb *LB, includeSelf bool, found, none PC) {
	if m.lbReadNext(s, c, lb, includeSelf) {
		return
	}
	if m.fbgResult(lb) {
		ctx.PC = found
	} else {
		ctx.PC = none
	}
}

// fbqStep is find_busiest_queue's unlocked re-read of the busiest rq, then
// BUG_ON(busiest == this_rq) at bugLine.
func (m *Model) fbqStep(s *State, c, lvl int, ctx *Ctx, lb *LB, bugLine int, next, none PC) {
	switch {
	case !m.fbq(s, lb):
		ctx.PC = none
	case int(lb.Busiest) == c:
		s.bug(bugLine, c, lvl)
	default:
		ctx.PC = next
	}
}
