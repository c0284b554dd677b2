package properties_test

import (
	"strings"
	"testing"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

func setup(t *testing.T) (*model.Model, model.State) {
	t.Helper()
	m, err := model.New(model.BalanceScenario(), "mainline-2.6.24")
	if err != nil {
		t.Fatal(err)
	}
	return m, m.Init()
}

func TestInitialStateSatisfiesEveryProperty(t *testing.T) {
	m, s := setup(t)
	for _, p := range properties.All() {
		if p.State != nil {
			if msg := p.State(m, &s); msg != "" {
				t.Errorf("%s: %s", p.Name, msg)
			}
		}
	}
}

// These judge hand-made states: they pin the judges' logic. That the
// explorer reaches such states on broken variants is tested in explore.

func TestNoDeadlockSeesAHardirqOnItsOwnCPUsLock(t *testing.T) {
	m, s := setup(t)
	s.CPU[0].Lock = 0 // held by cpu0's thread context
	s.CPU[0].InHard = true
	s.CPU[0].IrqsOff = true
	s.CPU[0].Hard = model.Ctx{PC: model.PcTickLock}
	msg := properties.NoDeadlock.State(m, &s)
	for _, want := range []string{"cpu0/hardirq spins on rq[0]->lock held by cpu0/T0", "cpu0/T0 is interrupted by cpu0/hardirq"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	s.CPU[0].Lock = model.NoOwner
	if msg := properties.NoDeadlock.State(m, &s); msg != "" {
		t.Errorf("free lock reported: %s", msg)
	}
}

func TestNoDeadlockTerminal(t *testing.T) {
	m, s := setup(t)
	s.Task[0].OnRq = false
	s.Task[0].State = model.TaskUninterruptible
	if msg := properties.NoDeadlock.Terminal(m, &s); !strings.Contains(msg, "T0 sleeps in wait_for_completion") {
		t.Errorf("terminal message %q", msg)
	}
}

func TestNoLostTask(t *testing.T) {
	m, s := setup(t)
	dup := s
	dup.CPU[1].Queue[dup.CPU[1].QLen] = 1
	dup.CPU[1].QLen++
	if msg := properties.NoLostTask.State(m, &dup); !strings.Contains(msg, "T1 is in 2 places") {
		t.Errorf("duplicate: %q", msg)
	}
	gone := s
	gone.CPU[0].QLen = 0
	if msg := properties.NoLostTask.State(m, &gone); !strings.Contains(msg, "T1 is on_rq but on no runqueue") {
		t.Errorf("gone: %q", msg)
	}
	count := s
	count.CPU[1].NrRunning = 3
	if msg := properties.NoLostTask.State(m, &count); !strings.Contains(msg, "rq[1]->nr_running is 3") {
		t.Errorf("count: %q", msg)
	}
	count.CPU[1].Lock = 3 // the model updates the count and the queue in one step
	if msg := properties.NoLostTask.State(m, &count); !strings.Contains(msg, "rq[1]->nr_running is 3") {
		t.Errorf("count under the lock: %q", msg)
	}
}

func TestAffinityJudgesEnqueuesAndReturns(t *testing.T) {
	m, s := setup(t)
	next := s
	next.Task[1].Mask = 1 << 0
	eff := model.Effects{AffinityDone: -1, NEnq: 1}
	eff.Enq[0].Task, eff.Enq[0].CPU = 1, 1
	if msg := properties.Affinity.Step(m, &s, model.Step{}, &eff, &next); !strings.Contains(msg, "T1 enqueued on cpu1 outside its cpus_allowed {0}") {
		t.Errorf("enqueue: %q", msg)
	}
	eff = model.Effects{AffinityDone: 1}
	next.Task[1].Mask = 1 << 1
	if msg := properties.Affinity.Step(m, &s, model.Step{}, &eff, &next); !strings.Contains(msg, "returned with T1 on cpu0") {
		t.Errorf("return: %q", msg)
	}
}

func TestKernelBugReport(t *testing.T) {
	m, s := setup(t)
	s.Bug, s.BugCPU, s.BugLvl = 3033, 0, model.LevelThread
	s.CPU[0].Curr = model.CurrMig
	want := "kernel BUG at kernel/sched.c:3033! (active_load_balance: BUG_ON(busiest_rq == target_rq)) CPU 0 comm migration/0"
	if got := properties.KernelBug.State(m, &s); got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestSelect(t *testing.T) {
	ps, err := properties.Select("kernel-bug, no-deadlock")
	if err != nil || len(ps) != 2 || ps[0].Name != "no-deadlock" || ps[1].Name != "kernel-bug" {
		t.Errorf("Select = %v, %v", ps, err)
	}
	if ps, _ := properties.Select("all"); len(ps) != 5 {
		t.Errorf("all = %d", len(ps))
	}
	if ps, _ := properties.Select(""); len(ps) != 4 || ps[3].Name != "kernel-bug" {
		t.Errorf("default = %v", ps)
	}
	if _, err := properties.Select("no-deadlock,bogus"); err == nil {
		t.Error("bogus accepted")
	}
}

func TestWorkConservation(t *testing.T) {
	sc := &model.Scenario{
		CPUs:  2,
		Tasks: []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0}},
		Ticks: []int{0, 0}, CacheNiceTries: 1,
	}
	m, err := model.New(sc, "mainline-2.6.24")
	if err != nil {
		t.Fatal(err)
	}
	s := m.Init() // cpu1 idle, T0 runs on cpu0 with T1 queued: quiescent
	msg := properties.WorkConservation.Terminal(m, &s)
	if !strings.Contains(msg, "cpu1 idles while rq[0] has 2 runnable tasks and T0 may run on cpu1") {
		t.Errorf("got %q", msg)
	}
	// Both tasks pinned to cpu0: nothing cpu1 may run.
	pinned := s
	pinned.Task[0].Mask, pinned.Task[1].Mask = 1, 1
	if msg := properties.WorkConservation.Terminal(m, &pinned); msg != "" {
		t.Errorf("pinned: %q", msg)
	}
	// Only the queued task may run on cpu1: still a waste.
	one := s
	one.Task[0].Mask = 1
	if msg := properties.WorkConservation.Terminal(m, &one); !strings.Contains(msg, "T1 may run on cpu1") {
		t.Errorf("queued T1: %q", msg)
	}
	// Not at rest (a migration request queued): not judged.
	busy := s
	busy.CPU[0].MigQLen = 1
	if msg := properties.WorkConservation.Terminal(m, &busy); msg != "" {
		t.Errorf("not at rest: %q", msg)
	}
	// No CPU idles (the zero state has T0 as curr everywhere): nothing to judge.
	if msg := properties.WorkConservation.Terminal(m, &model.State{}); msg != "" {
		t.Errorf("empty: %q", msg)
	}
	if properties.Class("work-conservation", msg) != "work-conservation" || properties.Class("no-deadlock", "deadlock (IPI): x") != "deadlock (IPI)" {
		t.Error("Class")
	}
}
