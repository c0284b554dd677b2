package properties

import (
	"fmt"
	"strings"

	"github.com/rqcheck/rqcheck/model"
)

// NoDeadlock: no set of contexts waits on each other for ever (spec §6).
//
// In every state the wait-for graph over contexts must be acyclic. A context
// waits for the owner of the spinlock it spins on, and a context that an
// interrupt preempted waits for the interrupt's context to return; so a
// hardirq spinning on a lock its own CPU's thread holds is a cycle of two,
// and an ABBA lock order between two CPUs is a cycle of two. A context that
// sent an IPI waits for the top context of the target CPU while that CPU
// cannot take it (interrupts off, or in a hardirq). The message names the
// kind of cycle: "deadlock (IPI)", "deadlock (interrupt)" (an interrupt
// spinning on a lock its own CPU holds) or "deadlock (lock order)". In a state with
// no enabled step (every event budget spent), no context may still spin, no
// task may still sleep in wait_for_completion and no migration request may
// still be queued: that is "every CPU stuck while work remains".
var NoDeadlock = &Property{
	Name:     "no-deadlock",
	Doc:      "no cycle of contexts spinning on each other's locks or interrupted by each other; no state where nothing can run while a context spins, a task waits for a completion, or a migration request is queued",
	State:    waitCycle,
	Terminal: stuck,
}

type ctxRef struct{ cpu, lvl int }

func ctxString(s *model.State, r ctxRef) string {
	return fmt.Sprintf("cpu%d/%s", r.cpu, s.ContextName(r.cpu, r.lvl))
}

func waitCycle(m *model.Model, s *model.State) string {
	// Without a held lock or a call in flight nothing waits (MayWait): the
	// common case, decided without building the graph.
	if s.Bug != 0 || !m.MayWait(s) {
		return ""
	}
	n := m.NumCPUs()
	// Each context has at most two outgoing edges: to the owner of the lock
	// it spins on (kind 0), and to the context stacked above it (kind 1).
	// Edges to contexts above form no cycle by themselves, so a state where
	// nothing spins is done at once (the common case).
	type edge struct{ to, kind, lock int }
	var edges [model.MaxCPUs * 3][2]edge
	var nedge [model.MaxCPUs * 3]int
	spinning := false
	for c := 0; c < n; c++ {
		cpu := &s.CPU[c]
		above := -1
		for lvl := model.LevelHardirq; lvl >= model.LevelThread; lvl-- {
			if (lvl == model.LevelHardirq && !cpu.InHard) || (lvl == model.LevelSoftirq && !cpu.InSoft) {
				continue
			}
			id := c*3 + lvl
			if w, ok := m.WaitOf(s, c, lvl); ok {
				edges[id][nedge[id]] = edge{int(w.On), 0, w.Lock}
				nedge[id]++
				spinning = true
			}
			if above >= 0 {
				edges[id][nedge[id]] = edge{above, 1, 0}
				nedge[id]++
			}
			above = id
		}
	}
	if !spinning {
		return ""
	}
	// Find a cycle by DFS, keeping the grey path and the edge taken.
	var colour [model.MaxCPUs * 3]uint8
	var path, pathEdge [model.MaxCPUs * 3]int
	depth := 0
	var found []int
	var visit func(u int) bool
	visit = func(u int) bool {
		colour[u] = 1
		path[depth] = u
		depth++
		for e := 0; e < nedge[u]; e++ {
			v := edges[u][e].to
			pathEdge[depth-1] = e
			if colour[v] == 1 {
				i := 0
				for path[i] != v {
					i++
				}
				found = path[i:depth]
				return true
			}
			if colour[v] == 0 && visit(v) {
				return true
			}
		}
		colour[u] = 2
		depth--
		return false
	}
	for id := 0; id < n*3; id++ {
		if colour[id] == 0 && nedge[id] > 0 && visit(id) {
			break
		}
	}
	if found == nil {
		return ""
	}
	var parts []string
	class := " (lock order)"
	for i, w := range found {
		e := edges[w][pathEdge[len(path[:depth])-len(found)+i]]
		switch {
		case e.kind == 0 && e.lock < 0:
			class = " (IPI)"
		case e.kind == 1 && class != " (IPI)":
			class = " (interrupt)"
		}
		to := ctxRef{e.to / 3, e.to % 3}
		switch {
		case e.kind == 0 && e.lock < 0:
			parts = append(parts, fmt.Sprintf("%s waits for cpu%d to take its IPI, which %s keeps out", ctxString(s, ctxRef{w / 3, w % 3}), to.cpu, ctxString(s, to)))
		case e.kind == 0:
			parts = append(parts, fmt.Sprintf("%s spins on %s held by %s", ctxString(s, ctxRef{w / 3, w % 3}), model.LockName(e.lock), ctxString(s, to)))
		default:
			parts = append(parts, fmt.Sprintf("%s is interrupted by %s", ctxString(s, ctxRef{w / 3, w % 3}), ctxString(s, to)))
		}
	}
	return "deadlock" + class + ": " + strings.Join(parts, "; ")
}

func stuck(m *model.Model, s *model.State) string {
	if s.Bug != 0 {
		return ""
	}
	var why []string
	for c := 0; c < m.NumCPUs(); c++ {
		for lvl := model.LevelHardirq; lvl >= model.LevelThread; lvl-- {
			if l, ok := m.Blocked(s, c, lvl); ok {
				o := s.Owner(l)
				why = append(why, fmt.Sprintf("%s spins on %s held by %s", ctxString(s, ctxRef{c, lvl}), model.LockName(l),
					ctxString(s, ctxRef{model.CtxCPU(o), model.CtxLevel(o)})))
			}
		}
		if q := s.CPU[c].MigQLen; q > 0 {
			why = append(why, fmt.Sprintf("rq[%d]->migration_queue holds %d request(s) nobody serves", c, q))
		}
	}
	for t := 0; t < m.NumTasks(); t++ {
		if task := &s.Task[t]; !task.OnRq && task.State == model.TaskUninterruptible {
			why = append(why, fmt.Sprintf("T%d sleeps in wait_for_completion and nothing is left to wake it", t))
		}
	}
	if len(why) == 0 {
		return ""
	}
	return "no step can run while work remains: " + strings.Join(why, "; ")
}

// NoLostTask: every task is in exactly one place (spec §6).
//
// A task on a runqueue (on_rq) is rq->curr of exactly one CPU or queued on
// exactly one, and that CPU is task_cpu(p). A task off the runqueues is on
// none of the queues (it may still be rq->curr while schedule() switches it
// out), and it is asleep: a TASK_RUNNING task on no runqueue is lost. And
// rq->nr_running counts exactly the queued tasks, the running task and a
// runnable migration thread.
//
// The kernel keeps that count exact only while rq->lock is free:
// activate_task and deactivate_task (sched.c:1004, 1016) change the tree
// and nr_running one after the other under the lock. The model does both in
// the one step that holds the lock (model/sched.go: activate, pullTask,
// migrateTask; schedule's deactivate), so at its granularity the count is
// exact in every state, and the check does not read rq->lock. That matters
// for partial-order reduction: a property that read the lock would make
// every lock and unlock visible (explore/por.go visibility), and it did,
// costing 1.7x the states on 3 CPUs / 4 tasks. A model change that split
// the two updates would show here as a violation on mainline, not hide
// one.
var NoLostTask = &Property{
	Name:  "no-lost-task",
	Doc:   "every task is on exactly one runqueue (queued or running) or asleep; never duplicated, never gone; nr_running agrees with the runqueue",
	State: lostTask,
}

func lostTask(m *model.Model, s *model.State) string {
	n, nt := m.NumCPUs(), m.NumTasks()
	var queued, running [model.MaxTasks]int
	var where [model.MaxTasks]int
	for c := 0; c < n; c++ {
		cpu := &s.CPU[c]
		for i := 0; i < int(cpu.QLen); i++ {
			queued[cpu.Queue[i]]++
			where[cpu.Queue[i]] = c
		}
		if cpu.Curr >= 0 {
			running[cpu.Curr]++
			where[cpu.Curr] = c
		}
	}
	for t := 0; t < nt; t++ {
		task := &s.Task[t]
		total := queued[t] + running[t]
		switch {
		case total > 1:
			return fmt.Sprintf("T%d is in %d places at once (queued %d, running %d)", t, total, queued[t], running[t])
		case task.OnRq && total == 0:
			return fmt.Sprintf("T%d is on_rq but on no runqueue: lost", t)
		case task.OnRq && where[t] != int(task.CPU):
			return fmt.Sprintf("T%d is on rq[%d] but task_cpu is %d", t, where[t], task.CPU)
		case !task.OnRq && queued[t] > 0:
			return fmt.Sprintf("T%d is queued on rq[%d] but not on_rq", t, where[t])
		case !task.OnRq && total == 0 && task.State == model.TaskRunning:
			return fmt.Sprintf("T%d is TASK_RUNNING but on no runqueue: lost", t)
		}
	}
	for c := 0; c < n; c++ {
		cpu := &s.CPU[c]
		want := int(cpu.QLen)
		if cpu.Curr >= 0 && s.Task[cpu.Curr].OnRq {
			want++
		}
		if cpu.MigOnRq {
			want++
		}
		if int(cpu.NrRunning) != want {
			return fmt.Sprintf("rq[%d]->nr_running is %d but the runqueue holds %d", c, cpu.NrRunning, want)
		}
	}
	return ""
}

// Affinity: no task is enqueued on a CPU outside its cpus_allowed, and when
// sched_setaffinity returns the task is on an allowed CPU (spec §6).
//
// Enqueues are judged when a balancing, migration or wake-up path puts a task
// on a runqueue (pull_task, __migrate_task, try_to_wake_up). A task that is
// already on a CPU when its mask changes may still run there until the
// migration thread moves it: that is how set_cpus_allowed works, not a
// violation.
var Affinity = &Property{
	Name: "affinity",
	Doc:  "no task is enqueued on a CPU outside its cpus_allowed; when sched_setaffinity returns, the task is on an allowed CPU",
	Step: affinityStep,
}

func affinityStep(m *model.Model, prev *model.State, st model.Step, eff *model.Effects, next *model.State) string {
	for i := 0; i < int(eff.NEnq); i++ {
		e := eff.Enq[i]
		if next.Task[e.Task].Mask&(1<<e.CPU) == 0 {
			return fmt.Sprintf("T%d enqueued on cpu%d outside its cpus_allowed %s", e.Task, e.CPU, model.MaskString(next.Task[e.Task].Mask))
		}
	}
	if t := eff.AffinityDone; t >= 0 {
		task := &next.Task[t]
		if task.Mask&(1<<task.CPU) == 0 {
			return fmt.Sprintf("sched_setaffinity(T%d, %s) returned with T%d on cpu%d", t, model.MaskString(task.Mask), t, task.CPU)
		}
	}
	return ""
}

// KernelBug: no modelled BUG_ON fires (spec §6). The message is the kernel's
// own report: the line, the function and condition, the CPU and the comm.
var KernelBug = &Property{
	Name:  "kernel-bug",
	Doc:   "no BUG_ON of the modelled code fires (2090, 2135, 2781, 2930, 3033)",
	State: kernelBug,
}

func kernelBug(m *model.Model, s *model.State) string {
	if s.Bug == 0 {
		return ""
	}
	return BugReport(s)
}

// BugReport renders a fired BUG_ON as the kernel would print it.
func BugReport(s *model.State) string {
	b := model.Bugs[int(s.Bug)]
	return fmt.Sprintf("kernel BUG at kernel/sched.c:%d! (%s: %s) CPU %d comm %s",
		s.Bug, b.Func, b.Cond, s.BugCPU, s.ContextName(int(s.BugCPU), int(s.BugLvl)))
}

// WorkConservation: in a quiescent state no CPU is idle while another CPU
// has a task it may run waiting (spec §6, after "The Linux Scheduler: a
// Decade of Wasted Cores", EuroSys 2016).
//
// A state is quiescent when no step is enabled (every event budget is
// spent) and every context is at rest: each CPU runs its idle loop or a
// task in user mode with no interrupt frame on its stack, no context spins,
// no migration request is queued and no task sleeps in
// wait_for_completion. (A terminal state that is not at rest is a
// no-deadlock matter, not judged here.) In a quiescent state the property
// fails if a CPU runs its idle thread while another CPU has two or more
// runnable tasks, at least one of which may run on the idle CPU: moving
// that one (pulling it if it waits, pushing it by active balance if it
// runs) would let both run.
//
// Limits: this is a safety check on the states where the search ends, not
// liveness under fairness. A CPU that idles for a while and is fed later
// is not a violation; a CPU left idle because the scenario's event budget
// ran out before balancing could act is one, even on mainline, so judge a
// variant against mainline on the same scenario. The property is not in
// the default set: ask for it by name.
var WorkConservation = &Property{
	Name:     "work-conservation",
	Doc:      "in a quiescent state (no step enabled, every context at rest) no CPU is idle while another CPU has two or more runnable tasks, one of which may run on the idle CPU",
	Terminal: wastedCore,
	OptIn:    true,
}

func wastedCore(m *model.Model, s *model.State) string {
	if s.Bug != 0 || !AtRest(m, s) {
		return ""
	}
	n := m.NumCPUs()
	for idle := 0; idle < n; idle++ {
		if s.CPU[idle].Curr != model.CurrIdle {
			continue
		}
		for busy := 0; busy < n; busy++ {
			cpu := &s.CPU[busy]
			if busy == idle || cpu.QLen == 0 || cpu.Curr < 0 {
				continue
			}
			tasks := append([]int8{cpu.Curr}, cpu.Queue[:cpu.QLen]...)
			for _, t := range tasks {
				if s.Task[t].Mask&(1<<idle) != 0 {
					return fmt.Sprintf("cpu%d idles while rq[%d] has %d runnable tasks and T%d may run on cpu%d (cpus_allowed %s)",
						idle, busy, len(tasks), t, idle, model.MaskString(s.Task[t].Mask))
				}
			}
		}
	}
	return ""
}

// AtRest reports whether every context of s is at rest: each CPU runs its
// idle loop or a task in user mode, with no interrupt frame, nothing
// spinning, no migration request queued and no task waiting for a
// completion.
func AtRest(m *model.Model, s *model.State) bool {
	for c := 0; c < m.NumCPUs(); c++ {
		cpu := &s.CPU[c]
		if cpu.InHard || cpu.InSoft || cpu.MigQLen > 0 || cpu.Curr == model.CurrMig {
			return false
		}
		ctx, _ := s.Top(c)
		if ctx.PC != model.PcUser && ctx.PC != model.PcIdle {
			return false
		}
	}
	for t := 0; t < m.NumTasks(); t++ {
		if task := &s.Task[t]; !task.OnRq && task.State == model.TaskUninterruptible {
			return false
		}
	}
	return true
}
