package explore

import (
	"math/bits"
	"sync"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// Partial-order reduction by persistent sets (Godefroid, "Partial-Order
// Methods for the Verification of Concurrent Systems", LNCS 1032, 1996,
// ch. 4), with the CPUs as the processes.
//
// For a set T of CPUs, the ample set is every enabled step of T's CPUs.
// It is persistent in s when no sequence of steps of CPUs outside T,
// starting in s, contains a step that is dependent with a step of the
// ample set, and no such sequence enables a step of a CPU in T that is
// disabled in s. persistent builds T as a closure:
//
//   - it starts from one CPU with an enabled step;
//   - a CPU c in T contributes the Footprint of each of its steps: the
//     reads and writes of its enabled steps, and the guard reads of its
//     disabled ones (what another CPU would have to write to enable
//     them). A KRun spinning on a lock adds the lock's owner;
//   - every CPU d outside T whose FutureGiven(s, d, T) conflicts with
//     those footprints joins T.
//
// Why that suffices: along a sequence w of steps of CPUs outside T, the
// CPUs of T do not move, so their steps keep the footprints they have in
// s as long as no step of w writes what they read (Footprint's reads
// decide its writes, and its guard reads decide its enabledness). Every
// step of w is a step of some d outside T taken while T's CPUs do not
// move, so its footprint lies within FutureGiven(s, d, T), which
// conflicts with none of them: each step of w commutes with every ample
// step, disables none, and enables no disabled step of T. By induction
// along w, the ample steps stay enabled and keep their footprints.
//
// FutureGiven takes T as the CPUs that do not move, which is where the
// lock rule lives: while a context of a CPU in T holds rq[j]->lock, it
// stays held (only the holder releases a lock), so no CPU outside T takes
// it, and the accesses model.LockedAccess lists as needing that lock
// cannot happen along w; nor can a CPU outside T whose next shared step
// takes such a lock (with interrupts off) do anything but spin. Unlocked
// accesses are never ruled out: find_busiest_group's reads of nr_running
// and the load, double_lock_balance's spin_trylock, a CPU's own
// need_resched and migration-thread state.
//
// Properties: kernel-bug, no-deadlock and the Terminal judges need no
// visibility condition (see visibility); the others do: an ample set that
// is not all of enabled must write none of the objects vis lists.

// persistent returns a subset of enabled (the steps enabled in s) that is a
// persistent set in s and whose steps write no object of vis; it returns
// enabled itself when it cannot reduce. out is a reusable buffer; the
// result may alias it.
//
// It tries every CPU with an enabled step as the seed of the closure and
// keeps the smallest ample set that is invisible; the cycle proviso (full
// expansion when an ample successor closes a cycle) is the caller's.
//
// What the closures consult is computed on demand and at most once per
// state (see porState): whether a CPU is visible, and its footprints,
// when it is first tried as a seed or joins a closure (a CPU whose first
// statement writes vis is visible without the rest: a closure that meets
// a visible CPU gives up, so its footprints are never needed);
// FutureGiven(s, d, T) when a closure first needs it for d and T
// (model.FutureAnalysis shares what does not depend on T). A closure
// needs no FutureGiven(s, d, T) when T's steps write nothing and read
// nothing of d's FutureWriteBound (then they cannot conflict), and it
// stops as soon as it is bound to give up (a visible CPU, or bestSize
// steps or more, has joined the set it grows into), without computing
// futures it no longer needs. The sets it returns are those of the
// closure computed in full.
func persistent(m *model.Model, s *model.State, enabled []model.Step, vis model.Objs, out []model.Step) []model.Step {
	if len(enabled) <= 1 {
		return enabled
	}
	var active model.CPUSet
	for _, st := range enabled {
		active |= 1 << st.CPU
	}
	if active&(active-1) == 0 {
		return enabled // one CPU: nothing to choose
	}
	ps := porStates.Get().(*porState)
	defer porStates.Put(ps)
	ps.reset(m, s, vis, active)
	for _, st := range enabled {
		ps.nsteps[st.CPU]++
	}

	best, bestSize := model.CPUSet(0), len(enabled)
	for seeds := ps.active; seeds != 0; seeds &= seeds - 1 {
		seed := bits.TrailingZeros16(uint16(seeds))
		if ps.nsteps[seed] >= bestSize || ps.visibleCPU(seed) {
			continue
		}
		T, size := ps.closure(model.CPUSet(1)<<seed, bestSize)
		if T != 0 && size < bestSize {
			best, bestSize = T, size
		}
	}
	if best == 0 {
		return enabled
	}
	out = out[:0]
	for _, st := range enabled {
		if best.Has(int(st.CPU)) {
			out = append(out, st)
		}
	}
	return out
}

// porStates recycles porStates (a FutureAnalysis holds a State).
var porStates = sync.Pool{New: func() any { return new(porState) }}

// porState is what persistent computes for one state, each part on
// demand and at most once.
type porState struct {
	m      *model.Model
	s      *model.State
	n      int
	vis    model.Objs
	active model.CPUSet // CPUs with an enabled step
	nsteps [model.MaxCPUs]int
	// known: the CPUs c whose fr, fw, visible and waitOn are computed
	// (see know).
	known  model.CPUSet
	fr, fw [model.MaxCPUs]model.Objs // footprints of c's steps: enabled ones, and the guards of the others
	// visible: CPUs with an enabled step that writes vis, as far as know
	// or visibleCPU has found.
	visible model.CPUSet
	waitOn  [model.MaxCPUs]model.CPUSet
	// mayWait, once mayWaitDone: m.MayWait(s), some context may spin
	// on a held lock.
	mayWait, mayWaitDone bool
	// fa is the analysis of s behind FutureGiven and Footprint, and faT
	// the frozen set it was last given (once faGiven).
	fa      model.FutureAnalysis
	faGiven bool
	faT     model.CPUSet
	// futures caches FutureGiven(s, d, T) for the sets T the closures
	// reach (a handful per state) and the CPUs d they need.
	futures  [8]porFutures
	nfutures int // entries in use
	next     int // the entry to reuse when all are in use
}

// porFutures holds FutureGiven(s, d, T) for the CPUs d of done.
type porFutures struct {
	T    model.CPUSet
	done model.CPUSet
	r, w [model.MaxCPUs]model.Objs
}

// reset prepares ps for state s, with visibility vis and the CPUs of
// active (those with an enabled step) and nothing known yet.
func (ps *porState) reset(m *model.Model, s *model.State, vis model.Objs, active model.CPUSet) {
	ps.m, ps.s, ps.n, ps.vis, ps.active = m, s, m.NumCPUs(), vis, active
	ps.nsteps = [model.MaxCPUs]int{}
	ps.known, ps.visible = 0, 0
	ps.fa.Reset(m, s)
	ps.faGiven, ps.mayWaitDone = false, false
	ps.nfutures, ps.next = 0, 0
}

// know computes, if it has not yet, CPU c's part of porState: the union
// of the Footprints of its steps of every kind (CPUFootprint), whether
// one of them writes vis, and the CPUs whose contexts hold the locks its
// contexts spin on.
func (ps *porState) know(c int) {
	if ps.known.Has(c) {
		return
	}
	ps.known |= 1 << c
	r, w := ps.fa.CPUFootprint(c)
	ps.fr[c], ps.fw[c], ps.waitOn[c] = r, w, 0
	if w&ps.vis != 0 { // one of c's steps writes vis
		ps.visible |= 1 << c
	}
	if !ps.mayWaitDone {
		ps.mayWait, ps.mayWaitDone = ps.m.MayWait(ps.s), true
	}
	if !ps.mayWait {
		return // no lock is held: no context spins
	}
	for lvl := model.LevelThread; lvl <= model.LevelHardirq; lvl++ {
		if l, ok := ps.m.Blocked(ps.s, c, lvl); ok {
			ps.waitOn[c] |= 1 << model.CtxCPU(ps.s.Owner(l))
		}
	}
}

// visibleCPU reports whether one of c's steps writes vis. When the
// first statement of its KRun step (or its KIPI step) does, it answers
// without the rest of know: fr, fw and waitOn of a visible CPU are never
// used (every closure that meets one gives up).
func (ps *porState) visibleCPU(c int) bool {
	if !ps.known.Has(c) && !ps.visible.Has(c) && ps.fa.CPUWritesAtLeast(c)&ps.vis != 0 {
		ps.visible |= 1 << c
	}
	if ps.visible.Has(c) {
		return true
	}
	ps.know(c)
	return ps.visible.Has(c)
}

// closure grows the CPU set T until no CPU outside it conflicts with it,
// and returns it with its number of enabled steps. It gives up (returns
// 0) as soon as T holds a CPU with a visible step, or bestSize enabled
// steps or more; since T only grows, it may give up as soon as the set
// it grows into does.
func (ps *porState) closure(T model.CPUSet, bestSize int) (model.CPUSet, int) {
	for {
		var r, w model.Objs
		size := 0
		for cs := T; cs != 0; cs &= cs - 1 {
			c := bits.TrailingZeros16(uint16(cs))
			if ps.visibleCPU(c) {
				return 0, 0
			}
			r |= ps.fr[c]
			w |= ps.fw[c]
			size += ps.nsteps[c]
		}
		if size >= bestSize {
			return 0, 0
		}
		grown := T
		for cs := T; cs != 0; cs &= cs - 1 {
			grown |= ps.waitOn[bits.TrailingZeros16(uint16(cs))]
		}
		for cs := grown &^ T; cs != 0; cs &= cs - 1 {
			c := bits.TrailingZeros16(uint16(cs))
			if size += ps.nsteps[c]; size >= bestSize || ps.visibleCPU(c) {
				return 0, 0 // the next round would give up
			}
		}
		fut := ps.futuresGiven(T)
		for cs := (model.CPUSet(1)<<ps.n - 1) &^ grown; cs != 0; cs &= cs - 1 {
			d := bits.TrailingZeros16(uint16(cs))
			if w == 0 && r&ps.fa.FutureWriteBound(d) == 0 {
				continue // no conflict with a future within the bound
			}
			fr, fw := ps.future(fut, d)
			if model.Conflict(r, w, fr, fw) {
				grown |= 1 << d
				if size += ps.nsteps[d]; size >= bestSize || ps.visibleCPU(d) {
					return 0, 0 // the next round would give up
				}
			}
		}
		if grown == T {
			return T, size
		}
		T = grown
	}
}

// futuresGiven returns the cache entry for T, making one (with no CPU
// done) if there is none.
func (ps *porState) futuresGiven(T model.CPUSet) *porFutures {
	for i := 0; i < ps.nfutures; i++ {
		if ps.futures[i].T == T {
			return &ps.futures[i]
		}
	}
	var f *porFutures
	if ps.nfutures < len(ps.futures) {
		f = &ps.futures[ps.nfutures]
		ps.nfutures++
	} else {
		f = &ps.futures[ps.next]
		ps.next = (ps.next + 1) % len(ps.futures)
	}
	f.T, f.done = T, 0
	return f
}

// future returns FutureGiven(s, d, f.T), computing it if f does not hold
// it yet.
func (ps *porState) future(f *porFutures, d int) (read, write model.Objs) {
	if !f.done.Has(d) {
		if !ps.faGiven || ps.faT != f.T {
			ps.fa.Given(f.T)
			ps.faGiven, ps.faT = true, f.T
		}
		f.r[d], f.w[d] = ps.fa.Future(d)
		f.done |= 1 << d
	}
	return f.r[d], f.w[d]
}

// visibility returns the objects that the properties among props whose
// violations a persistent-set search could otherwise miss observe; an
// ample set that is not the full set of enabled steps must write none of
// them.
//
// No visibility is needed for:
//
//   - Terminal judges (no-deadlock's stuck check, work-conservation): the
//     state graph is acyclic, and a persistent-set search reaches every
//     reachable terminal state (Godefroid 1996, Thm 4.3).
//   - kernel-bug: a BUG stops the machine, so a state with Bug set is
//     terminal.
//   - no-deadlock's wait cycle: a cycle of contexts that spin on each
//     other's locks, are interrupted by each other, or wait for an IPI that
//     the target cannot take persists in every successor (none of its
//     contexts can step, no other CPU releases their locks or changes the
//     target's interrupt state), so from a state with a cycle every path
//     ends in a terminal state that still has it. The judge reports
//     nothing once Bug is set; but a step that fires a BUG neither makes a
//     context spin nor adds an edge (double_lock_balance's BUG path
//     releases a lock of the top context, which is on no cycle), so the
//     predecessor of a terminal Bug state with the cycle has the cycle and
//     no Bug, and the search judged it.
//
// The other judges need visibility, and the objects they read suffice:
// if every ample set that is not all of enabled writes none of the
// objects a State judge reads, a violation at a state reached from s by
// w is found from the ample step a taken instead: either w contains an
// ample step, and moving the first one to the front reaches the same
// state, or it contains none, and a·w (a commutes with all of w) reaches
// a state that differs only in what a writes, which the judge does not
// read. Induction on the longest path from s (the graph is acyclic)
// finishes the argument; the same holds for a Step judge when the step
// that violates is moved ahead of others, because its Footprint reads
// the tasks its Effects name (model.Footprint), so the steps it passes do
// not change them.
//
// no-lost-task judges every state over the queues, curr, nr_running,
// MigOnRq, on_rq, task_cpu and p->state (ObjRq, ObjRqLoad, ObjTask); it
// does not read rq->lock (properties.NoLostTask says why), so taking and
// releasing a lock stay invisible; affinity judges transitions by
// their enqueues and the next state's cpus_allowed and task_cpu
// (ObjTask). Neither is stable, so these objects are visible when they
// are selected.
func visibility(props []*properties.Property) model.Objs {
	var vis model.Objs
	n, nt := model.MaxCPUs, model.MaxTasks
	for _, p := range props {
		switch p.Name {
		case properties.KernelBug.Name, properties.NoDeadlock.Name, properties.WorkConservation.Name:
		case properties.NoLostTask.Name:
			for j := 0; j < n; j++ {
				vis |= model.ObjRq(j) | model.ObjRqLoad(j)
			}
			for t := 0; t < nt; t++ {
				vis |= model.ObjTask(t)
			}
		case properties.Affinity.Name:
			for t := 0; t < nt; t++ {
				vis |= model.ObjTask(t)
			}
		default:
			// A property this file does not know: everything it could
			// observe is visible.
			if p.State != nil || p.Step != nil {
				vis = ^model.Objs(0)
			}
		}
	}
	return vis
}
