package model_test

import (
	"testing"

	"github.com/rqcheck/rqcheck/model"
)

// runUntil applies the first enabled step of cpu (or of any CPU when cpu
// has none) until stop holds or nothing is enabled.
func runUntil(t *testing.T, m *model.Model, s *model.State, cpu int8, stop func(*model.State) bool) {
	t.Helper()
	var buf []model.Step
	for i := 0; i < 200 && !stop(s); i++ {
		buf = m.Enabled(s, buf)
		if len(buf) == 0 {
			t.Fatalf("nothing enabled before the condition held:\n%s", m.Summary(s))
		}
		st := buf[0]
		for _, b := range buf {
			if b.CPU == cpu {
				st = b
				break
			}
		}
		m.Apply(s, st)
	}
	if !stop(s) {
		t.Fatal("condition never held")
	}
}

func TestThermalSensorReadReenablesInterruptsUnderTheLock(t *testing.T) {
	m, err := model.New(model.DefaultScenario(), "thermal-2008")
	if err != nil {
		t.Fatal(err)
	}
	s := m.Init()
	atSelfRead := func(s *model.State) bool { return s.CPU[0].Curr == model.CurrMig && s.CPU[0].Mig.PC == model.PcThSelf }
	runUntil(t, m, &s, 0, atSelfRead)
	if !s.CPU[0].IrqsOff || s.Owner(0) == model.NoOwner {
		t.Fatalf("before the read: irqs off %v, rq[0] owner %d", s.CPU[0].IrqsOff, s.Owner(0))
	}
	m.Apply(&s, model.Step{CPU: 0, Kind: model.KRun})
	if s.CPU[0].IrqsOff || s.Owner(0) == model.NoOwner {
		t.Fatalf("smp_call_function_single on the own CPU must leave irqs on under rq->lock: irqs off %v, owner %d", s.CPU[0].IrqsOff, s.Owner(0))
	}
	// The remote read: call_lock taken, IPI pending on cpu1, sender waits.
	m.Apply(&s, model.Step{CPU: 0, Kind: model.KRun})
	if s.Owner(model.CallLockID) == model.NoOwner || s.CallTarget != 1 {
		t.Fatalf("after the send: call_lock owner %d, target %d", s.Owner(model.CallLockID), s.CallTarget)
	}
	var buf []model.Step
	buf = m.Enabled(&s, buf)
	want := []model.Step{{CPU: 1, Kind: model.KIPI}}
	if len(buf) != 1 || buf[0] != want[0] {
		t.Fatalf("enabled %v, want only cpu1's IPI (the sender spins)", buf)
	}
	// With cpu1's interrupts off, the IPI waits and the sender is blocked on cpu1.
	off := s
	off.CPU[1].IrqsOff = true
	if buf = m.Enabled(&off, buf); len(buf) != 0 {
		t.Fatalf("IPI taken with interrupts off: %v", buf)
	}
	if w, ok := m.WaitOf(&off, 0, model.LevelThread); !ok || w.Lock != -1 || w.IPI != 1 {
		t.Fatalf("WaitOf = %+v, %v; want an IPI wait on cpu1", w, ok)
	}
	m.Apply(&s, model.Step{CPU: 1, Kind: model.KIPI})
	if !s.CallDone {
		t.Fatal("the handler did not finish the call")
	}
}

func TestThermalIRQSafeSensorKeepsInterruptsOff(t *testing.T) {
	sc := model.DefaultScenario()
	sc.Knobs = map[string]string{"sensor": "irq-safe"}
	m, err := model.New(sc, "thermal-2008")
	if err != nil {
		t.Fatal(err)
	}
	s := m.Init()
	runUntil(t, m, &s, 0, func(s *model.State) bool {
		return s.CPU[0].Curr == model.CurrMig && s.CPU[0].Mig.PC == model.PcMigUnlockReq
	})
	if !s.CPU[0].IrqsOff {
		t.Fatal("irq-safe sensor read left interrupts on")
	}
}

func TestThermalBeforeLockRunsAtTheLoopTop(t *testing.T) {
	sc := model.DefaultScenario()
	sc.Knobs = map[string]string{"placement": "before-lock", "sensor": "irq-safe"}
	m, err := model.New(sc, "thermal-2008")
	if err != nil {
		t.Fatal(err)
	}
	s := m.Init()
	runUntil(t, m, &s, 0, func(s *model.State) bool {
		return s.CPU[0].Curr == model.CurrMig && s.CPU[0].Mig.PC == model.PcThSaveAB
	})
	if s.Owner(0) != model.NoOwner || s.CPU[0].IrqsOff {
		t.Fatalf("before-lock block runs with rq[0] owner %d, irqs off %v; want unlocked, irqs on", s.Owner(0), s.CPU[0].IrqsOff)
	}
}
