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
func persistent(m *model.Model, s *model.State, enabled []model.Step, vis model.Objs, out []model.Step) []model.Step {
	if len(enabled) <= 1 {
		return enabled
	}
	var ps porState
	for _, st := range enabled {
		ps.nsteps[st.CPU]++
		ps.active |= 1 << st.CPU
	}
	if ps.active&(ps.active-1) == 0 {
		return enabled // one CPU: nothing to choose
	}
	ps.init(m, s, vis)

	best, bestSize := model.CPUSet(0), len(enabled)
	for seed := 0; seed < ps.n; seed++ {
		if !ps.active.Has(seed) || ps.visible.Has(seed) || ps.nsteps[seed] >= bestSize {
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

// porState is what persistent computes once per state.
type porState struct {
	m       *model.Model
	s       *model.State
	n       int
	active  model.CPUSet // CPUs with an enabled step
	nsteps  [model.MaxCPUs]int
	fr, fw  [model.MaxCPUs]model.Objs // footprints of c's steps: enabled ones, and the guards of the others
	visible model.CPUSet              // CPUs with an enabled step that writes vis
	waitOn  [model.MaxCPUs]model.CPUSet
	// futures caches FuturesGiven(s, T) for the sets T the closures
	// reach (a handful per state).
	futures  [8]porFutures
	nfutures int
}

type porFutures struct {
	T    model.CPUSet
	r, w [model.MaxCPUs]model.Objs
}

func (ps *porState) init(m *model.Model, s *model.State, vis model.Objs) {
	ps.m, ps.s, ps.n = m, s, m.NumCPUs()
	kinds := [...]model.StepKind{model.KRun, model.KTick, model.KSyscall, model.KIPI}
	for c := 0; c < ps.n; c++ {
		for _, k := range kinds {
			r, w := m.Footprint(s, model.Step{CPU: int8(c), Kind: k})
			ps.fr[c] |= r
			ps.fw[c] |= w
			if w&vis != 0 {
				ps.visible |= 1 << c
			}
		}
		for lvl := model.LevelThread; lvl <= model.LevelHardirq; lvl++ {
			if l, ok := m.Blocked(s, c, lvl); ok {
				ps.waitOn[c] |= 1 << model.CtxCPU(s.Owner(l))
			}
		}
	}
}

// closure grows the CPU set T until no CPU outside it conflicts with it,
// and returns it with its number of enabled steps. It gives up (returns
// 0) as soon as T holds a CPU with a visible step, or bestSize enabled
// steps or more.
func (ps *porState) closure(T model.CPUSet, bestSize int) (model.CPUSet, int) {
	for {
		var r, w model.Objs
		size := 0
		for c := 0; c < ps.n; c++ {
			if !T.Has(c) {
				continue
			}
			if ps.visible.Has(c) {
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
		for c := 0; c < ps.n; c++ {
			if T.Has(c) {
				grown |= ps.waitOn[c]
			}
		}
		fut := ps.futuresGiven(T)
		for d := 0; d < ps.n; d++ {
			if grown.Has(d) {
				continue
			}
			if model.Conflict(r, w, fut.r[d], fut.w[d]) {
				grown |= 1 << d
			}
		}
		if grown == T {
			return T, size
		}
		T = grown
	}
}

func (ps *porState) futuresGiven(T model.CPUSet) *porFutures {
	for i := 0; i < ps.nfutures; i++ {
		if ps.futures[i].T == T {
			return &ps.futures[i]
		}
	}
	f := &ps.futures[ps.nfutures%len(ps.futures)]
	ps.nfutures = min(ps.nfutures+1, len(ps.futures))
	f.T = T
	ps.m.FuturesGiven(ps.s, T, &f.r, &f.w)
	return f
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
// MigOnRq, on_rq, task_cpu, p->state and whether rq locks are free
// (ObjRq, ObjRqLoad, ObjRqLock, ObjTask); affinity judges transitions by
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
