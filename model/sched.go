package model

import "fmt"

// This file holds the work that the model does under locks in one step:
// queue manipulation, the balancer's arithmetic and task moves.

// load is weighted_cpuload(cpu) (1035): rq->load.weight, the sum of the
// weights of the tasks on the runqueue, the migration thread included.
func (m *Model) load(s *State, c int) uint32 {
	cpu := &s.CPU[c]
	var w uint32
	for i := 0; i < int(cpu.QLen); i++ {
		w += m.weight[cpu.Queue[i]]
	}
	if cur := cpu.Curr; cur >= 0 && s.Task[cur].OnRq {
		w += m.weight[cur]
	}
	if cpu.MigOnRq {
		w += rtLoad
	}
	return w
}

// prio is rq->curr->prio.
func prio(s *State, c int) int {
	switch s.CPU[c].Curr {
	case CurrIdle:
		return prioIdle
	case CurrMig:
		return prioMig
	}
	return prioFair
}

func (cpu *CPU) enqueue(t int8) {
	cpu.Queue[cpu.QLen] = t
	cpu.QLen++
}

func (cpu *CPU) dequeue(t int8) bool {
	for i := 0; i < int(cpu.QLen); i++ {
		if cpu.Queue[i] == t {
			copy(cpu.Queue[i:], cpu.Queue[i+1:cpu.QLen])
			cpu.QLen--
			cpu.Queue[cpu.QLen] = 0
			return true
		}
	}
	return false
}

// activate is activate_task (1004): on_rq, nr_running++, queued unless it
// is rq->curr (CFS keeps curr out of the tree).
func (s *State) activate(c int, t int8) {
	cpu := &s.CPU[c]
	s.Task[t].OnRq = true
	cpu.NrRunning++
	if cpu.Curr != t {
		cpu.enqueue(t)
	}
}

// checkPreemptFair is check_preempt_curr for a fair task: only the idle
// task is preempted (wake-up preemption between fair tasks is not modelled).
func (s *State) checkPreemptFair(c int) {
	if s.CPU[c].Curr == CurrIdle {
		s.CPU[c].NeedResched = true
	}
}

// contextSwitch is schedule() 3660-3670 plus finish_lock_switch's unlock:
// put_prev_task, pick_next_task (RT migration thread first, then the fair
// queue in order, then idle), rq->curr = next, spin_unlock(&rq->lock).
func (m *Model) contextSwitch(s *State, c int, prevCtx *Ctx) {
	cpu := &s.CPU[c]
	prev := cpu.Curr
	if prev >= 0 && s.Task[prev].OnRq {
		cpu.enqueue(prev) // put_prev_task_fair
	}
	next := int8(CurrIdle)
	switch {
	case cpu.MigOnRq:
		next = CurrMig
	case cpu.QLen > 0:
		next = cpu.Queue[0]
		cpu.dequeue(next)
	}
	prevCtx.PC = PcSchedIrqOn
	cpu.Curr = next
	s.release(rqLock(c))
	if n := s.threadCtx(c); n.PC != PcSchedIrqOn {
		panic(fmt.Sprintf("model: switch to %s at %s", s.ThreadName(c), Steps[n.PC].Where()))
	}
}

// setCpusAllowed is set_cpus_allowed 5075-5085 under task_rq_lock, with
// migrate_task (1121). ctx.Task is p, ctx.Req the affinity call index.
func (m *Model) setCpusAllowed(s *State, c int, ctx *Ctx) {
	p := &s.Task[ctx.Task]
	if p.CPU != ctx.Rq1 { // 616: the task moved meanwhile
		ctx.PC = PcSCARetryUnlock
		return
	}
	mask := m.Sc.CallMask(int(ctx.Req))
	p.Mask = mask // 5080
	if mask&(1<<p.CPU) != 0 {
		ctx.PC = PcSCAOutUnlock // 5082
		return
	}
	dest := int8(0) // any_online_cpu(new_mask)
	for mask&(1<<dest) == 0 {
		dest++
	}
	if !p.OnRq && s.CPU[p.CPU].Curr != ctx.Task { // 1129
		p.CPU = dest
		ctx.PC = PcSCAOutUnlock
		return
	}
	caller := &s.Task[s.CPU[c].Curr]
	caller.ReqTask, caller.ReqDest, caller.ReqDone, caller.ReqWaiter = ctx.Task, dest, 0, false
	rq := &s.CPU[ctx.Rq1]
	copy(rq.MigQ[1:], rq.MigQ[:rq.MigQLen]) // list_add: at the head (1137)
	rq.MigQ[0] = s.CPU[c].Curr
	rq.MigQLen++
	ctx.PC = PcSCAUnlock
}

// wakeCPU is task_rq(p) for a wake-up target.
func (s *State) wakeCPU(w int8) int {
	if w < 0 {
		return int(-1 - w)
	}
	return int(s.Task[w].CPU)
}

// wakeUp is try_to_wake_up 1520-1651 with the target's rq locked. The
// target stays on task_cpu(p): the wake-affine and wake-balance heuristics
// (1543-1616) are not modelled.
func (m *Model) wakeUp(s *State, c int, w int8, eff *Effects) {
	cpu := &s.CPU[c]
	if w < 0 {
		if cpu.MigState == TaskRunning {
			return // 1521: !(old_state & state)
		}
		if !cpu.MigOnRq {
			cpu.MigOnRq = true
			cpu.NrRunning++
			if cpu.Curr != CurrMig { // an RT task preempts a fair or idle curr
				cpu.NeedResched = true
			}
		}
		cpu.MigState = TaskRunning
		return
	}
	t := &s.Task[w]
	if t.State == TaskRunning {
		return
	}
	if !t.OnRq {
		s.activate(c, w)
		s.checkPreemptFair(c)
		eff.enqueued(int(w), c)
	}
	t.State = TaskRunning
}

// migrateTask is __migrate_task 5124-5138 with both runqueues locked.
func (m *Model) migrateTask(s *State, t, src, dest int, eff *Effects) {
	p := &s.Task[t]
	if int(p.CPU) != src || p.Mask&(1<<dest) == 0 {
		return // already moved, or affinity changed again
	}
	onRq := p.OnRq
	if onRq {
		s.CPU[src].dequeue(int8(t))
		s.CPU[src].NrRunning--
		p.OnRq = false
	}
	p.CPU = int8(dest)
	if onRq && !m.p.MigrateNoEnqueue {
		s.activate(dest, int8(t))
		s.checkPreemptFair(dest)
		eff.enqueued(t, dest)
	}
}

// pullTask is pull_task (2198).
func (m *Model) pullTask(s *State, t int8, src, dst int, eff *Effects) {
	s.CPU[src].dequeue(t)
	s.CPU[src].NrRunning--
	s.Task[t].CPU = int8(dst)
	s.CPU[dst].enqueue(t)
	s.CPU[dst].NrRunning++
	s.checkPreemptFair(dst)
	eff.enqueued(int(t), dst)
}

// canMigrate is can_migrate_task (2215): allowed on this_cpu (which clears
// *all_pinned), not running (queued tasks never are), and not cache-hot
// unless the domain has failed more than cache_nice_tries balances.
func (m *Model) canMigrate(s *State, t int8, thisCPU int, failed uint8, pinned *bool) bool {
	if !m.p.IgnoreAffinity && s.Task[t].Mask&(1<<thisCPU) == 0 {
		return false
	}
	*pinned = false
	if m.hot[t] && int(failed) <= m.Sc.CacheNiceTries {
		return false
	}
	return true
}

// moveTasks is move_tasks (2329) → load_balance_fair → balance_tasks
// (2261) over busiest's fair queue in pick order; the RT class has only the
// pinned migration thread and moves nothing. It records ld_moved and
// all_pinned in lb.
func (m *Model) moveTasks(s *State, this, busiest int, lb *LB, eff *Effects) {
	lb.Bits &^= lbMoved | lbAllPinned
	if lb.Imbalance == 0 {
		return // 2270: *all_pinned = 0
	}
	pinned := true
	rem := int64(lb.Imbalance)
	best := prio(s, this)
	failed := s.CPU[this].NrBalanceFailed
	src := &s.CPU[busiest]
	for i, loops := 0, 0; i < int(src.QLen); {
		if loops > sysctlNrMigrate {
			break
		}
		loops++
		p := src.Queue[i]
		w := m.weight[p]
		skipForLoad := int64(w>>1) > rem+loadScaleFuzz
		if (skipForLoad && prioFair >= best) || !m.canMigrate(s, p, this, failed, &pinned) {
			i++
			continue
		}
		m.pullTask(s, p, busiest, this, eff)
		lb.Bits |= lbMoved
		rem -= int64(w)
		if rem <= 0 {
			break
		}
		best = min(best, prioFair)
	}
	if pinned {
		lb.Bits |= lbAllPinned
	}
}

// moveOneTask is move_one_task (2382) → move_one_task_fair → iter_move_one_task
// (2350) with CPU_IDLE, the target's domain counters deciding cache-hotness.
func (m *Model) moveOneTask(s *State, target, busiest int, eff *Effects) bool {
	src := &s.CPU[busiest]
	failed := s.CPU[target].NrBalanceFailed
	var pinned bool
	for i := 0; i < int(src.QLen); i++ {
		p := src.Queue[i]
		if m.canMigrate(s, p, target, failed, &pinned) {
			m.pullTask(s, p, busiest, target, eff)
			return true
		}
	}
	return false
}

// currAllowed is 2826: may busiest->curr run on this_cpu?
func (m *Model) currAllowed(s *State, busiest, this int) bool {
	cur := s.CPU[busiest].Curr
	if cur < 0 {
		return false // idle and migration threads are bound to their CPU
	}
	return s.Task[cur].Mask&(1<<this) != 0
}

// lbInit starts a find_busiest_group pass. fresh also resets cpus to all.
func (m *Model) lbInit(s *State, c int, lb *LB, fresh bool) {
	cpus := lb.Cpus
	if fresh {
		cpus = uint8(1<<m.n - 1)
	}
	*lb = LB{Cpus: cpus, Busiest: -1}
}

// lbRead folds group j (one CPU) into find_busiest_group's sums (2453-2560):
// weighted_cpuload stands for source_load/target_load (the cpu_load[] decay
// is not modelled); group capacity is 1.
func (m *Model) lbRead(s *State, c, j int, lb *LB) {
	load := m.load(s, j)
	nr := s.CPU[j].NrRunning
	lb.TotalLoad += load
	if j == c {
		lb.ThisLoad, lb.ThisNr = load, nr
	} else if load > lb.MaxLoad && nr > 1 {
		lb.MaxLoad, lb.Busiest, lb.BusiestNr, lb.BLoad = load, int8(j), nr, load
	}
}

// lbReadNext reads the next group in iteration order (this CPU's group
// first, then upwards, wrapping) that is in cpus. It reports whether more
// groups remain to be read.
func (m *Model) lbReadNext(s *State, c int, lb *LB, includeSelf bool) bool {
	for int(lb.J) < m.n {
		j := (c + int(lb.J)) % m.n
		lb.J++
		if lb.Cpus&(1<<j) == 0 || (j == c && !includeSelf) {
			continue
		}
		m.lbRead(s, c, j, lb)
		break
	}
	for k := int(lb.J); k < m.n; k++ {
		j := (c + k) % m.n
		if lb.Cpus&(1<<j) != 0 && (j != c || includeSelf) {
			return true
		}
	}
	return false
}

// fbgResult finishes find_busiest_group (2574-2681) for single-CPU groups of
// power SCHED_LOAD_SCALE: it decides whether there is a busiest group and the
// imbalance. It reports whether a busiest group was found.
func (m *Model) fbgResult(lb *LB) bool {
	if lb.Busiest < 0 || lb.ThisLoad >= lb.MaxLoad || lb.BusiestNr == 0 {
		lb.Busiest = -1
		return false
	}
	this, max := uint64(lb.ThisLoad), uint64(lb.MaxLoad)
	avg := uint64(lb.TotalLoad) * NiceZeroLoad / (uint64(m.n) * NiceZeroLoad)
	if this >= avg || 100*max <= imbalancePct*this {
		lb.Busiest = -1
		return false
	}
	blpt := uint64(lb.BLoad) / uint64(lb.BusiestNr)
	if max <= blpt {
		lb.Busiest = -1
		return false
	}
	var imb uint64
	small := false
	if max < avg {
		small = true
	} else {
		maxPull := min(max-avg, max-blpt)
		imb = min(maxPull*NiceZeroLoad, (avg-this)*NiceZeroLoad) / NiceZeroLoad
		small = imb < blpt
	}
	if small { // small_imbalance (2629)
		imbn := uint64(2)
		thisLpt := uint64(NiceZeroLoad)
		if lb.ThisNr > 0 {
			thisLpt = this / uint64(lb.ThisNr)
			if blpt > thisLpt {
				imbn = 1
			}
		}
		if max-this+loadScaleFuzz >= blpt*imbn {
			imb = blpt
		} else {
			pwrNow := (NiceZeroLoad*min(blpt, max) + NiceZeroLoad*min(thisLpt, this)) / NiceZeroLoad
			var pwrMove uint64
			tmp := blpt
			if max > tmp {
				pwrMove += NiceZeroLoad * min(blpt, max-tmp)
			}
			if max < blpt {
				tmp = max
			} else {
				tmp = blpt
			}
			pwrMove += NiceZeroLoad * min(thisLpt, this+tmp)
			pwrMove /= NiceZeroLoad
			if pwrMove > pwrNow {
				imb = blpt
			}
		}
	}
	lb.Imbalance = uint32(imb)
	return true
}

// fbq is find_busiest_queue (2702) over the busiest group's one CPU: a fresh
// unlocked read of its nr_running and load. It reports whether a busiest
// queue was found.
func (m *Model) fbq(s *State, lb *LB) bool {
	b := int(lb.Busiest)
	if lb.Cpus&(1<<b) == 0 {
		return false
	}
	wl := m.load(s, b)
	if s.CPU[b].NrRunning == 1 && wl > lb.Imbalance {
		return false
	}
	return wl > 0
}
