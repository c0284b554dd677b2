package model

import (
	"bytes"
	"unsafe"
)

// Perm is a permutation of CPUs and tasks: CPU c becomes CPU[c], task t
// becomes Task[t]. It maps the scenario's CPUs (tasks) onto themselves; the
// entries past them are the identity.
type Perm struct {
	CPU  [MaxCPUs]int8
	Task [MaxTasks]int8
}

// identityPerm renames nothing.
var identityPerm = identity()

// maxGroup bounds Symmetries: 8!, the largest task factor.
const maxGroup = 40320

func identity() Perm {
	var p Perm
	for i := range p.CPU {
		p.CPU[i], p.Task[i] = int8(i), int8(i)
	}
	return p
}

// Symmetries returns the group of permutations under which m's transition
// relation is invariant, the identity first: for every state s and every p
// in it, Enabled(Permute(s, p)) = {PermuteStep(t, p) : t ∈ Enabled(s)} and
// Apply(Permute(s, p), PermuteStep(t, p)) = Permute(Apply(s, t), p), with
// PermuteEffects(effects, p).
//
// A CPU permutation σ belongs only if it keeps every CPU-indexed parameter
// the step function reads:
//
//   - the address order of the runqueues (Scenario.AddrRank): double_rq_lock
//     (2095-2100: rq1 < rq2) and double_lock_balance (2138: busiest <
//     this_rq; also under broken-drl-unordered) lock the lower address
//     first, so σ must keep the rank order of every pair;
//   - find_busiest_group's walk over sd->groups (2453-2560): this CPU's
//     group, then upwards, wrapping, and the strict "max_load" comparison
//     keeps the first of equal loads; so σ must commute with c ↦ c+1 mod n;
//     so must find_coolest_cpu's answer (cpu+1 mod n) in thermal-2008;
//   - thermal-2008 with sensor=ipi: find_coolest_cpu reads CPU 0, 1, ... in
//     order, the own CPU's read (smp_64.c 430-432) unlike a remote one
//     (399, 364-371), so σ must be the identity;
//   - set_cpus_allowed's any_online_cpu(new_mask) (5085) takes the lowest
//     CPU of the mask: σ must fix each call's mask and its lowest CPU.
//
// The address order alone leaves only the identity: AddrRank is a total
// order of the CPUs, and only the identity keeps a total order. So the CPU
// factor is {identity} for every scenario and variant; the other conditions
// are checked too, so that the conclusion does not rest on one line.
//
// A task permutation π belongs iff it keeps each task's load weight
// (weighted_cpuload 1035, balance_tasks 2261), its cache-hotness
// (can_migrate_task 2215) and fixes every caller and target of the
// sched_setaffinity calls (call k is Affinity[k], its index is kept in the
// caller's context). Placement and cpus_allowed are state, not parameters:
// tasks that differ only there are interchangeable. The task factor is thus
// the product of the symmetric groups on the classes of tasks with equal
// (weight, hotness) and no role in a call.
//
// The result is the full product of the two factors, enumerated. It has at
// most 8! = 40320 elements; should a product exceed that (it cannot while
// the CPU factor is trivial) the CPU factor is dropped, which leaves a
// subgroup.
func (m *Model) Symmetries() []Perm {
	var cpus, tasks [][MaxCPUs]int8
	permutations(m.n, func(p [MaxCPUs]int8) {
		if m.cpuPermOK(&p) {
			cpus = append(cpus, p)
		}
	})
	cls := m.taskClasses()
	permutations(m.nt, func(p [MaxCPUs]int8) {
		for t := 0; t < m.nt; t++ {
			if cls[p[t]] != cls[t] {
				return
			}
		}
		tasks = append(tasks, p)
	})
	if len(cpus)*len(tasks) > maxGroup {
		cpus = cpus[:1]
	}
	out := make([]Perm, 0, len(cpus)*len(tasks))
	for _, c := range cpus {
		for _, t := range tasks {
			out = append(out, Perm{CPU: c, Task: t})
		}
	}
	return out
}

// permutations calls f with every permutation of 0..k-1 (the identity
// past k) in lexicographic order, the identity first.
func permutations(k int, f func([MaxCPUs]int8)) {
	p := identity().CPU
	for {
		f(p)
		i := k - 2
		for i >= 0 && p[i] > p[i+1] {
			i--
		}
		if i < 0 {
			return
		}
		j := k - 1
		for p[j] < p[i] {
			j--
		}
		p[i], p[j] = p[j], p[i]
		for a, b := i+1, k-1; a < b; a, b = a+1, b-1 {
			p[a], p[b] = p[b], p[a]
		}
	}
}

// cpuPermOK checks σ against the CPU conditions of Symmetries.
func (m *Model) cpuPermOK(s *[MaxCPUs]int8) bool {
	for a := 0; a < m.n; a++ {
		for b := 0; b < m.n; b++ {
			if (m.rank[a] < m.rank[b]) != (m.rank[s[a]] < m.rank[s[b]]) {
				return false
			}
		}
		if int(s[(a+1)%m.n]) != (int(s[a])+1)%m.n {
			return false
		}
		if m.th.on && m.th.ipi && int(s[a]) != a {
			return false
		}
	}
	p := Perm{CPU: *s}
	for k := range m.Sc.Affinity {
		mask := m.Sc.CallMask(k)
		low := 0
		for mask&(1<<low) == 0 {
			low++
		}
		if p.mask(mask) != mask || int(s[low]) != low {
			return false
		}
	}
	return true
}

// taskClasses labels the tasks: two tasks may swap iff their labels are
// equal. A caller or target of an affinity call has a label of its own.
func (m *Model) taskClasses() (cls [MaxTasks]int) {
	roles := m.roles()
	for t := 0; t < m.nt; t++ {
		cls[t] = t
		if roles&(1<<t) != 0 {
			continue
		}
		for u := 0; u < t; u++ {
			if roles&(1<<u) == 0 && m.weight[u] == m.weight[t] && m.hot[u] == m.hot[t] {
				cls[t] = cls[u]
				break
			}
		}
	}
	return cls
}

// roles is the set of tasks that make or are the target of an affinity call.
func (m *Model) roles() (r uint8) {
	for _, a := range m.Sc.Affinity {
		r |= 1<<a.Caller | 1<<a.Target
	}
	return r
}

func (p *Perm) cpu(c int8) int8 {
	if c < 0 {
		return c
	}
	return p.CPU[c]
}

func (p *Perm) task(t int8) int8 {
	if t < 0 {
		return t
	}
	return p.Task[t]
}

// ctx renames a context id cpu*3+level.
func (p *Perm) ctx(id int8) int8 {
	if id < 0 {
		return id
	}
	return p.CPU[id/3]*3 + id%3
}

func (p *Perm) mask(mk uint8) (out uint8) {
	for c := 0; mk != 0; c, mk = c+1, mk>>1 {
		out |= (mk & 1) << p.CPU[c]
	}
	return out
}

// PermuteStep renames a step's CPU by p.
func PermuteStep(st Step, p Perm) Step {
	st.CPU = p.CPU[st.CPU]
	return st
}

// PermuteEffects renames the tasks and CPUs of a step's effects by p.
func PermuteEffects(e Effects, p Perm) Effects {
	for i := 0; i < int(e.NEnq); i++ {
		e.Enq[i].Task, e.Enq[i].CPU = p.Task[e.Enq[i].Task], p.CPU[e.Enq[i].CPU]
	}
	e.AffinityDone = p.task(e.AffinityDone)
	return e
}

// Permute writes into dst the state src with every CPU and task renamed by
// p: CPU c's record goes to CPU[c] and task t's to Task[t], and every field
// that names a CPU (a CPU index, a mask, a context id cpu*3+level, a -1-cpu
// wake target) or a task is renamed. dst must not be src; Permute writes the
// header and every CPU and task of the scenario, and leaves the rest of dst
// as it is (zero in every State built by Init, Decode or Permute).
//
// A field is renamed only where it names something. Sentinels (-1, NoOwner,
// CurrIdle, CurrMig), queue slots past the length, LB.J (an offset from the
// own CPU), Ctx.Dest (never set), the caller's Ctx.Req (an affinity call
// index) and the hardirq context's fields are kept. The other context
// fields have two readings, told apart as follows, where a context reset
// leaves a literal 0 that is not CPU or task 0:
//
//   - migration thread: Rq1, Rq2 always name CPUs (never reset); Task, Req
//     and Wake start at 0 and then only ever hold a caller or target of an
//     affinity call, so they are renamed only when they hold one;
//   - idle thread: Rq1, Rq2 always name CPUs (never reset);
//   - a task: Rq1, Task name a CPU and a task while it is in
//     sched_setaffinity; Rq2 (set by load_balance_newidle) while nonzero or
//     in use by double_lock_balance; Wake names migration/N when negative;
//   - softirq (only while InSoft): Rq1 once load_balance's double_rq_lock or
//     the kick's wake-up has set it; Rq2 once double_rq_lock has; Wake when
//     negative;
//   - LB locals while in use (Cpus != 0); ThermJ while find_coolest_cpu
//     reads that CPU; SavePush between its save and restore; BugCPU when
//     Bug != 0; ReqTask, ReqDest, PushCPU always (PushCPU starts at CPU 0).
//
// Task renaming is thereby exact for every permutation that fixes the
// callers and targets, as all of Symmetries does. CPU renaming is exact but
// for a stale Rq2 of 0 that names CPU 0 as the busiest of a finished
// balance (a softirq's after the kick's wake-up, a task's after
// load_balance_newidle), which the state cannot tell from a reset; no
// permutation that moves CPU 0 is in Symmetries, whose CPU factor is
// trivial.
func (m *Model) Permute(dst, src *State, p Perm) {
	roles := m.roles()
	dst.Bug, dst.BugLvl, dst.CallDone = src.Bug, src.BugLvl, src.CallDone
	dst.BugCPU = src.BugCPU
	if src.Bug != 0 {
		dst.BugCPU = p.cpu(src.BugCPU)
	}
	dst.CallLock, dst.CallTarget = p.ctx(src.CallLock), p.cpu(src.CallTarget)
	for c := 0; c < m.n; c++ {
		s, d := &src.CPU[c], &dst.CPU[p.CPU[c]]
		*d = *s
		d.Lock = p.ctx(s.Lock)
		d.Curr = p.task(s.Curr)
		for i := 0; i < int(s.QLen); i++ {
			d.Queue[i] = p.Task[s.Queue[i]]
		}
		for i := 0; i < int(s.MigQLen); i++ {
			d.MigQ[i] = p.Task[s.MigQ[i]]
		}
		d.PushCPU = p.cpu(s.PushCPU)
		switch s.Mig.PC {
		case PcThSelf, PcThCallLock, PcThWait:
			d.ThermJ = p.cpu(s.ThermJ)
		}
		if pushSaved(&s.Mig) {
			d.SavePush = p.cpu(s.SavePush)
		}
		if s.InSoft {
			x, y := &s.Soft, &d.Soft
			if x.Rq1 != 0 || x.Rq2 != 0 || (x.Wake < 0 && x.PC != PcWakeSave) {
				y.Rq1 = p.cpu(x.Rq1)
			}
			if x.Rq2 != 0 || (int(x.Rq1) == c && c != 0) {
				y.Rq2 = p.cpu(x.Rq2)
			}
			y.Wake = p.wake(x.Wake)
		}
		d.Mig.Rq1, d.Mig.Rq2 = p.cpu(s.Mig.Rq1), p.cpu(s.Mig.Rq2)
		d.Mig.Task, d.Mig.Req, d.Mig.Wake = p.role(s.Mig.Task, roles), p.role(s.Mig.Req, roles), p.role(s.Mig.Wake, roles)
		d.Idle.Rq1, d.Idle.Rq2 = p.cpu(s.Idle.Rq1), p.cpu(s.Idle.Rq2)
		p.lb(&d.SoftLB)
		p.lb(&d.ThreadLB)
	}
	for t := 0; t < m.nt; t++ {
		s, d := &src.Task[t], &dst.Task[p.Task[t]]
		*d = *s
		d.CPU, d.Mask = p.cpu(s.CPU), p.mask(s.Mask)
		d.ReqTask, d.ReqDest, d.ReqLock = p.task(s.ReqTask), p.cpu(s.ReqDest), p.ctx(s.ReqLock)
		x, y := &s.Ctx, &d.Ctx
		if inCall(x) {
			y.Rq1, y.Task = p.cpu(x.Rq1), p.task(x.Task)
			if x.Rq2 != 0 || (x.SP > 0 && x.Ret[x.SP-1] == PcNIMove) {
				y.Rq2 = p.cpu(x.Rq2)
			}
		}
		y.Wake = p.wake(x.Wake)
	}
}

// wake renames a -1-cpu wake target; a non-negative one is a literal 0 in
// the contexts this is used for.
func (p *Perm) wake(w int8) int8 {
	if w < 0 {
		return -1 - p.CPU[-1-w]
	}
	return w
}

// role renames t if it is a caller or target of an affinity call.
func (p *Perm) role(t int8, roles uint8) int8 {
	if t >= 0 && roles&(1<<t) != 0 {
		return p.Task[t]
	}
	return t
}

func (p *Perm) lb(l *LB) {
	if l.Cpus != 0 {
		l.Cpus, l.Busiest = p.mask(l.Cpus), p.cpu(l.Busiest)
	}
}

// inCall reports whether a task's context is inside sched_setaffinity (not
// in user mode, nor in a schedule() called from user mode).
func inCall(x *Ctx) bool {
	if x.SP == 0 {
		return x.PC != PcUser
	}
	return x.Ret[0] != PcUser
}

// pushSaved reports whether thermal-2008's save_push holds rq->push_cpu:
// between its save and its restore.
func pushSaved(x *Ctx) bool {
	switch x.PC {
	case PcThSetPush, PcThRestoreAB, PcThRestorePush:
		return true
	}
	for i := 0; i < int(x.SP); i++ {
		if x.Ret[i] == PcThRestoreAB {
			return true
		}
	}
	return false
}

// A Canonicaliser maps a state to one representative of its orbit under
// the model's Symmetries: the state whose Encode is lexicographically least
// over the group. Two states get the same encoding iff they are in one
// orbit. It is not safe for concurrent use (one per goroutine); past its
// first call, Canonical allocates nothing but what appending to buf needs.
type Canonicaliser struct {
	m     *Model
	group []Perm
	young bool // the CPU factor is trivial: every task permutation within classes is in the group
	cls   [MaxTasks]int
	tmp   State
	best  []byte
	cur   []byte
}

// NewCanonicaliser returns a Canonicaliser for m's Symmetries.
func (m *Model) NewCanonicaliser() *Canonicaliser {
	c := &Canonicaliser{m: m, group: m.Symmetries(), cls: m.taskClasses()}
	id := identity().CPU
	c.young = true
	for _, p := range c.group {
		c.young = c.young && p.CPU == id
	}
	return c
}

// Trivial reports whether the group is {identity}: then Canonical is Encode
// and callers may skip it.
func (c *Canonicaliser) Trivial() bool { return len(c.group) == 1 }

// Canonical appends to buf the encoding of the representative of s's orbit
// and returns it. It is idempotent, and equal for all states of one orbit.
func (c *Canonicaliser) Canonical(buf []byte, s *State) []byte {
	enc, _ := c.Representative(buf, s)
	return enc
}

// Representative is Canonical, and also reports own when it found s to be
// its orbit's representative, as most states are: then the encoding is
// s's own, Encode(s). A state that another renaming maps to itself may be
// its representative with own false.
func (c *Canonicaliser) Representative(buf []byte, s *State) (enc []byte, own bool) {
	sc := c.m.Sc
	switch {
	case len(c.group) == 1:
		return Encode(buf, s, sc), true
	case c.young:
		p := c.labels(s)
		if p == identityPerm {
			// s is its own representative: Permute would copy it.
			return Encode(buf, s, sc), true
		}
		c.m.Permute(&c.tmp, s, p)
		return Encode(buf, &c.tmp, sc), false
	}
	c.best = Encode(c.best[:0], s, sc)
	own = true
	for _, p := range c.group[1:] {
		c.m.Permute(&c.tmp, s, p)
		c.cur = Encode(c.cur[:0], &c.tmp, sc)
		if bytes.Compare(c.cur, c.best) < 0 {
			c.best, c.cur = c.cur, c.best
			own = false
		}
	}
	return append(buf, c.best...), own
}

// labels finds the task permutation with the least encoding when the group
// is every class-preserving task permutation. With the CPUs fixed, only
// rq->curr and the queues, in encoding order, hold the index of a task
// outside the affinity calls: each such task, when first met there, takes
// the least free index of its class. Tasks met nowhere take the free
// indices of their class in the order of their records, which hold no task
// index.
func (c *Canonicaliser) labels(s *State) Perm {
	p := identity()
	var done, used uint8 // tasks labelled, labels taken
	take := func(t int8) {
		if t < 0 || done&(1<<t) != 0 {
			return
		}
		l := 0
		for c.cls[l] != c.cls[t] || used&(1<<l) != 0 {
			l++
		}
		p.Task[t], done, used = int8(l), done|1<<t, used|1<<l
	}
	for i := 0; i < c.m.n; i++ {
		cpu := &s.CPU[i]
		take(cpu.Curr)
		for j := 0; j < int(cpu.QLen); j++ {
			take(cpu.Queue[j])
		}
	}
	for l := 0; l < c.m.nt; l++ {
		if used&(1<<l) != 0 {
			continue
		}
		best := -1
		for t := 0; t < c.m.nt; t++ {
			if done&(1<<t) == 0 && c.cls[t] == c.cls[l] && (best < 0 || bytes.Compare(taskBytes(s, t), taskBytes(s, best)) < 0) {
				best = t
			}
		}
		p.Task[best], done, used = int8(l), done|1<<best, used|1<<l
	}
	return p
}

func taskBytes(s *State, t int) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&s.Task[t])), taskSize)
}
