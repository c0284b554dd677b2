package model_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rqcheck/rqcheck/model"
)

func TestStepTableNamesEveryLine(t *testing.T) {
	for pc, d := range model.Steps {
		if pc == int(model.PcNone) {
			continue
		}
		if d.Func == "" || d.Line <= 0 || d.Text == "" {
			t.Errorf("PC %d has no function, line or text: %+v", pc, d)
		}
	}
	for line, b := range model.Bugs {
		if b.Line != line || b.Func == "" || b.Cond == "" {
			t.Errorf("bug %d malformed: %+v", line, b)
		}
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	sc := model.BalanceScenario()
	m, err := model.New(sc, "mainline-2.6.24")
	if err != nil {
		t.Fatal(err)
	}
	s := m.Init()
	var buf []model.Step
	// Walk a fixed schedule: always the last enabled step.
	for i := 0; i < 40; i++ {
		enc := model.Encode(nil, &s, sc)
		if len(enc) != model.EncodedSize(sc) {
			t.Fatalf("encoded %d bytes, want %d", len(enc), model.EncodedSize(sc))
		}
		var back model.State
		model.Decode(enc, &back, sc)
		if diff := cmp.Diff(s, back); diff != "" {
			t.Fatalf("step %d: decode(encode(s)) differs (-want +got):\n%s", i, diff)
		}
		buf = m.Enabled(&s, buf)
		if len(buf) == 0 {
			break
		}
		m.Apply(&s, buf[len(buf)-1])
	}
}

func TestInitMatchesScenario(t *testing.T) {
	m, err := model.New(model.BalanceScenario(), "mainline-2.6.24")
	if err != nil {
		t.Fatal(err)
	}
	s := m.Init()
	if s.CPU[0].Curr != 0 || s.CPU[1].Curr != 2 || s.CPU[0].QLen != 1 || s.CPU[0].Queue[0] != 1 {
		t.Errorf("placement wrong:\n%s", m.Summary(&s))
	}
	if s.CPU[0].NrRunning != 2 || s.CPU[1].NrRunning != 1 {
		t.Errorf("nr_running wrong:\n%s", m.Summary(&s))
	}
	for c := 0; c < 2; c++ {
		if s.CPU[c].PushCPU != 0 || s.CPU[c].Lock != model.NoOwner || s.CPU[c].MigOnRq {
			t.Errorf("cpu%d not as after sched_init", c)
		}
	}
}

func TestNewRefusesUnknownVariantAndKnob(t *testing.T) {
	if _, err := model.New(model.BalanceScenario(), "2.6.99"); err == nil {
		t.Error("unknown variant accepted")
	}
	sc := model.BalanceScenario()
	sc.Knobs = map[string]string{"nonsense": "1"}
	if _, err := model.New(sc, "mainline-2.6.24"); err == nil {
		t.Error("unknown knob accepted")
	}
}

// Example shows the model's step interface: list the enabled steps of a
// state, describe one and apply it.
func Example() {
	m, _ := model.New(model.BalanceScenario(), "mainline-2.6.24")
	s := m.Init()
	steps := m.Enabled(&s, nil)
	for _, st := range steps {
		info := m.Describe(&s, st)
		fmt.Printf("cpu%d %s %s\n", info.CPU, info.Context, info.Def.Where())
	}
	next := s
	m.Apply(&next, steps[1]) // T0 calls sched_setaffinity
	fmt.Println(m.Changes(&s, &next))
	// Output:
	// cpu0 hardirq scheduler_tick:3476
	// cpu0 T0 set_cpus_allowed:5074
	// cpu1 hardirq scheduler_tick:3476
	// [cpu0 irqs off]
}

// TestStepPCs: a variant's StepPCs hold every PC that starts a step (no
// Inline one, no PcNone), and the thermal patch's only in variants that
// have it; StepPC names the PC that Describe does.
func TestStepPCs(t *testing.T) {
	for _, v := range model.Variants() {
		m, err := model.New(model.DefaultScenario(), v.Name)
		if err != nil {
			t.Fatal(err)
		}
		code := m.StepPCs()
		if code.Has(model.PcNone) {
			t.Errorf("%s: StepPCs has PcNone", v.Name)
		}
		for pc, d := range model.Steps {
			if d.Inline && code.Has(model.PC(pc)) {
				t.Errorf("%s: StepPCs has the inline %s", v.Name, d.Where())
			}
		}
		if got, want := code.Has(model.PcThCallLock), v.Patches.Thermal; got != want {
			t.Errorf("%s: StepPCs has the thermal call_lock: %v, want %v", v.Name, got, want)
		}
		if !code.Has(model.PcSchedLock) || !code.Has(model.PcTickIRQ) {
			t.Errorf("%s: StepPCs lacks schedule's spin_lock or the timer tick", v.Name)
		}
		s := m.Init()
		for _, st := range m.Enabled(&s, nil) {
			if pc, info := m.StepPC(&s, st), m.Describe(&s, st); pc != info.PC {
				t.Errorf("%s: StepPC %d, Describe %d", v.Name, pc, info.PC)
			}
		}
	}
	// No two statements read alike, so a list of them is unambiguous.
	seen := map[string]int{}
	for pc, d := range model.Steps {
		if k := d.Site() + " " + d.Text; d.Inline || pc == int(model.PcNone) {
			continue
		} else if other, ok := seen[k]; ok {
			t.Errorf("PCs %d and %d both read %q", other, pc, k)
		} else {
			seen[k] = pc
		}
	}
}

// TestStepPCsFollowKnobs: thermal-2008's knobs decide which of the patch's
// statements exist (exec.go's thermal block).
func TestStepPCsFollowKnobs(t *testing.T) {
	ipi := []model.PC{model.PcThSelf, model.PcThCallLock, model.PcThWait, model.PcIPIIRQ}
	early := []model.PC{model.PcThSavePush, model.PcThSetPush, model.PcThRestorePush}
	for _, placement := range []string{"locked", "before-lock"} {
		for _, sensor := range []string{"ipi", "irq-safe"} {
			for _, alb := range []string{"off", "on"} {
				sc := model.DefaultScenario()
				sc.Knobs = map[string]string{"placement": placement, "sensor": sensor, "alb": alb}
				m, err := model.New(sc, "thermal-2008")
				if err != nil {
					t.Fatal(err)
				}
				code := m.StepPCs()
				name := fmt.Sprint(sc.Knobs)
				for _, pc := range ipi {
					if code.Has(pc) != (sensor == "ipi") {
						t.Errorf("%s: %s in StepPCs: %v", name, model.Steps[pc].Where(), code.Has(pc))
					}
				}
				for _, pc := range early {
					if code.Has(pc) != (placement == "before-lock") {
						t.Errorf("%s: %s in StepPCs: %v", name, model.Steps[pc].Where(), code.Has(pc))
					}
				}
				if got, want := code.Has(model.PcThRestoreAB), placement == "before-lock" || alb == "on"; got != want {
					t.Errorf("%s: active_balance restore in StepPCs: %v, want %v", name, got, want)
				}
				if !code.Has(model.PcThSaveAB) {
					t.Errorf("%s: StepPCs lacks save_ab", name)
				}
			}
		}
	}
}

func TestPCSet(t *testing.T) {
	var a, b model.PCSet
	for _, pc := range []model.PC{0, 1, 63, 64, 200, 255} {
		a.Add(pc)
	}
	b.Add(64)
	b.Add(7)
	if a.Len() != 6 || !a.Has(255) || a.Has(2) {
		t.Fatalf("Add/Has/Len: %v", a.PCs())
	}
	if got := a.Minus(&b).PCs(); len(got) != 5 || slices.Contains(got, 64) {
		t.Errorf("Minus: %v", got)
	}
	a.Union(&b)
	if a.Len() != 7 || !a.Has(7) {
		t.Errorf("Union: %v", a.PCs())
	}
}
