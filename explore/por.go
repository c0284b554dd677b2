package explore

import (
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
//   - every CPU d outside T whose Future conflicts with those footprints
//     joins T.
//
// Why that suffices: along a sequence w of steps of CPUs outside T, the
// CPUs of T do not move, so their steps keep the footprints they have in
// s as long as no step of w writes what they read (Footprint's reads
// decide its writes). Every step of w is a step of some d outside T and
// its footprint lies within Future(d), which conflicts with none of
// them: so each step of w commutes with every ample step, disables none
// and enables no disabled step of T.
//
// The lock rule: while a context of a CPU in T holds rq[j]->lock, no CPU
// outside T can take it (only its holder releases a lock, and T's CPUs do
// not move along w). model.LockedAccess(j, d) lists the objects CPU d
// reads or writes only while it holds rq[j]->lock; those accesses cannot
// happen along w, so they are dropped from Future(d) before the conflict
// test. Unlocked accesses are never dropped: find_busiest_group's reads of
// nr_running and the load, a CPU's own need_resched and migration-thread
// state.
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
func persistent(m *model.Model, s *model.State, enabled []model.Step, vis model.Objs, out []model.Step) []model.Step {
	n := m.NumCPUs()
	if len(enabled) <= 1 {
		return enabled
	}
	var nsteps [model.MaxCPUs]int
	var active uint16 // CPUs with an enabled step
	for _, st := range enabled {
		nsteps[st.CPU]++
		active |= 1 << st.CPU
	}
	if active&(active-1) == 0 {
		return enabled // one CPU: nothing to choose
	}

	// What each CPU's steps touch now, what they may touch later, and who
	// blocks whom.
	var (
		fr, fw     [model.MaxCPUs]model.Objs // footprints of c's steps (enabled, or guards)
		visible    [model.MaxCPUs]bool       // an enabled step of c writes vis
		futR, futW [model.MaxCPUs]model.Objs
		waitOn     [model.MaxCPUs]uint16 // CPUs holding a lock c's next KRun spins on
		lockCPU    [model.MaxCPUs]int    // CPU holding rq[j]->lock, or -1
	)
	kinds := [...]model.StepKind{model.KRun, model.KTick, model.KSyscall, model.KIPI}
	for c := 0; c < n; c++ {
		for _, k := range kinds {
			st := model.Step{CPU: int8(c), Kind: k}
			r, w := m.Footprint(s, st)
			fr[c] |= r
			fw[c] |= w
			if w&vis != 0 {
				visible[c] = true
			}
		}
		for lvl := model.LevelThread; lvl <= model.LevelHardirq; lvl++ {
			if l, ok := m.Blocked(s, c, lvl); ok {
				waitOn[c] |= 1 << model.CtxCPU(s.Owner(l))
			}
		}
		futR[c], futW[c] = m.Future(s, c)
		lockCPU[c] = -1
		if o := s.CPU[c].Lock; o != model.NoOwner {
			lockCPU[c] = model.CtxCPU(o)
		}
	}

	best, bestSize := uint16(0), len(enabled)
	for seed := 0; seed < n; seed++ {
		if active&(1<<seed) == 0 || visible[seed] || nsteps[seed] >= bestSize {
			continue
		}
		T := closure(n, uint16(1)<<seed, &fr, &fw, &futR, &futW, &waitOn, &lockCPU, best, bestSize, &nsteps, &visible)
		if T == 0 {
			continue // not smaller than the best so far, or visible
		}
		size := 0
		for c := 0; c < n; c++ {
			if T&(1<<c) != 0 {
				size += nsteps[c]
			}
		}
		if size < bestSize {
			best, bestSize = T, size
		}
	}
	if best == 0 {
		return enabled
	}
	out = out[:0]
	for _, st := range enabled {
		if best&(1<<st.CPU) != 0 {
			out = append(out, st)
		}
	}
	return out
}

// closure grows the CPU set T to a persistent one. It gives up (returns 0)
// as soon as T holds a CPU with a visible step, or as many enabled steps
// as the best set found so far.
func closure(n int, T uint16, fr, fw, futR, futW *[model.MaxCPUs]model.Objs, waitOn *[model.MaxCPUs]uint16,
	lockCPU *[model.MaxCPUs]int, best uint16, bestSize int, nsteps *[model.MaxCPUs]int, visible *[model.MaxCPUs]bool) uint16 {
	for {
		// Objects whose locked accesses by others T's held locks rule out.
		var r, w model.Objs
		size := 0
		for c := 0; c < n; c++ {
			if T&(1<<c) == 0 {
				continue
			}
			if visible[c] {
				return 0
			}
			r |= fr[c]
			w |= fw[c]
			size += nsteps[c]
		}
		if size >= bestSize {
			return 0
		}
		grown := T
		for c := 0; c < n; c++ {
			if T&(1<<c) != 0 {
				grown |= waitOn[c]
			}
		}
		for d := 0; d < n; d++ {
			if grown&(1<<d) != 0 {
				continue
			}
			dr, dw := futR[d], futW[d]
			for j := 0; j < n; j++ {
				if h := lockCPU[j]; h >= 0 && T&(1<<h) != 0 {
					lr, lw := model.LockedAccess(j, d)
					dr &^= lr
					dw &^= lw
				}
			}
			if model.Conflict(r, w, dr, dw) {
				grown |= 1 << d
			}
		}
		if grown == T {
			return T
		}
		T = grown
	}
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
// no-lost-task judges every state over the queues, curr, nr_running,
// on_rq, task_cpu, p->state and whether rq locks are free; affinity judges
// transitions by their enqueues and the next state's cpus_allowed and
// task_cpu. Neither is stable, so the runqueues, their locks and the
// tasks are visible when they are selected. A step whose own effects
// violate affinity needs no visibility of itself: a persistent set whose
// steps change no task's cpus_allowed or cpu leaves that step's
// violation in place when it is taken later.
func visibility(props []*properties.Property) model.Objs {
	var vis model.Objs
	n, nt := model.MaxCPUs, model.MaxTasks
	for _, p := range props {
		switch p.Name {
		case properties.KernelBug.Name, properties.NoDeadlock.Name, properties.WorkConservation.Name:
		case properties.NoLostTask.Name:
			for j := 0; j < n; j++ {
				vis |= model.ObjRq(j) | model.ObjRqLoad(j) | model.ObjRqLock(j)
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
