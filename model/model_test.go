package model_test

import (
	"fmt"
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
