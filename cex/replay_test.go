package cex_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/rqcheck/rqcheck/cex"
	"github.com/rqcheck/rqcheck/model"
)

// TestReplayReproduces: every file New writes replays to the violation it
// records, at its last step, word for word.
func TestReplayReproduces(t *testing.T) {
	for _, c := range violations {
		t.Run(c.name, func(t *testing.T) {
			_, _, f := c.build(t)
			for _, g := range []*cex.File{f, reparse(t, f)} {
				out, err := cex.Replay(g, cex.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if out.Verdict != cex.Reproduced || !out.SameMessage || out.Message != f.Expect || out.AtStep != len(f.Steps) {
					t.Errorf("verdict %v, same message %v, message %q, at step %d; want reproduced, true, %q, at step %d",
						out.Verdict, out.SameMessage, out.Message, out.AtStep, f.Expect, len(f.Steps))
				}
				if out.Why != "" || len(out.Warnings) != 0 {
					t.Errorf("why %q, warnings %q: want none", out.Why, out.Warnings)
				}
				if len(out.Steps) != len(f.Steps) {
					t.Fatalf("%d steps replayed, want %d", len(out.Steps), len(f.Steps))
				}
				for i, s := range out.Steps {
					if s.Info.CPU != int(f.Steps[i].Step.CPU) || s.Info.Context != f.Steps[i].Context || s.Info.Def.Where() != f.Steps[i].Where {
						t.Errorf("step %d replayed as cpu%d %s %s, the file has %+v", i+1, s.Info.CPU, s.Info.Context, s.Info.Def.Where(), f.Steps[i])
					}
				}
				if out.Model == nil || out.Model.Variant.Name != c.variant {
					t.Errorf("replayed on %v, want %s", out.Model, c.variant)
				}
				for k, v := range f.Knobs {
					if out.Model.Knobs[k] != v {
						t.Errorf("replayed with knob %s=%q, the file has %q", k, out.Model.Knobs[k], v)
					}
				}
				// The final state is the one the schedule reaches.
				m := out.Model
				s := m.Init()
				for _, st := range f.Schedule() {
					m.Apply(&s, st)
				}
				if diff := cmp.Diff(s, out.Final); diff != "" {
					t.Errorf("Final is not the state the schedule reaches (-want +got):\n%s", diff)
				}
			}
		})
	}
}

// fileEdit changes a parsed file.
type fileEdit func(f *cex.File)

// truncate keeps the first n steps.
func truncate(n int) fileEdit {
	return func(f *cex.File) {
		f.Steps = f.Steps[:n]
		f.Preemptions = preemptions(f.Steps)
	}
}

func preemptions(steps []cex.Step) int {
	n := 0
	for i := 1; i < len(steps); i++ {
		if steps[i].Step.CPU != steps[i-1].Step.CPU {
			n++
		}
	}
	return n
}

func TestReplayVerdicts(t *testing.T) {
	const mainlineWhy = "step 20: the file records cpu0 migration/0 at smp_call_function_single:429 (arch/x86/kernel/smp_64.c); " +
		"mainline-2.6.24 runs cpu0 migration/0 at migration_thread:5186"
	for _, c := range []struct {
		name    string
		edit    fileEdit
		opt     cex.Options
		verdict cex.Verdict
		at      int
		same    bool   // SameMessage
		why     string // a prefix of Why
		warning string // a prefix of the only warning
	}{
		{name: "as written", verdict: cex.Reproduced, at: 26, same: true},
		{
			name: "on mainline", opt: cex.Options{Variant: "mainline-2.6.24"},
			verdict: cex.NoLongerApplies, at: 20, why: mainlineWhy,
			warning: "variant mainline-2.6.24 has no knob alb=off, iterator=thermal, placement=locked, sensor=ipi: dropped",
		},
		{
			name: "on mainline with a knob dropped from the file", edit: func(f *cex.File) { delete(f.Knobs, "iterator") },
			opt: cex.Options{Variant: "mainline-2.6.24"}, verdict: cex.NoLongerApplies, at: 20, why: mainlineWhy,
			warning: "variant mainline-2.6.24 has no knob alb=off, placement=locked, sensor=ipi: dropped",
		},
		{
			name: "irq-safe sensor", opt: cex.Options{Knobs: map[string]string{"sensor": "irq-safe"}},
			verdict: cex.NoLongerApplies, at: 20,
			why: "step 20: the file records cpu0 migration/0 at smp_call_function_single:429 (arch/x86/kernel/smp_64.c); thermal-2008 runs cpu0 migration/0 at ",
		},
		{
			name: "knob set to the file's value", opt: cex.Options{Knobs: map[string]string{"placement": "locked"}},
			verdict: cex.Reproduced, at: 26, same: true,
		},
		{
			name: "on the file's variant by name", opt: cex.Options{Variant: "thermal-2008"},
			verdict: cex.Reproduced, at: 26, same: true,
		},
		{
			name: "another step table", edit: func(f *cex.File) { f.StepTable = "0000000000000000" },
			verdict: cex.Reproduced, at: 26, same: true,
			warning: "the file was written against step table 0000000000000000, this rqcheck has " + model.StepTableFingerprint() + ": replaying",
		},
		{name: "last step dropped", edit: truncate(25), verdict: cex.Holds},
		{name: "no steps", edit: truncate(0), verdict: cex.Holds},
		{
			name: "another message", edit: func(f *cex.File) { f.Expect = "kernel BUG at kernel/sched.c:2135!" },
			verdict: cex.Reproduced, at: 26, same: false,
		},
		{
			name:    "steps after the violation",
			edit:    func(f *cex.File) { f.Steps = append(f.Steps, f.Steps[len(f.Steps)-1]) },
			verdict: cex.Reproduced, at: 26, same: true,
			warning: "the violation appears at step 26 of 27: the rest of the schedule is not run",
		},
		{
			// The default scenario has no ticks.
			name: "step not enabled", edit: func(f *cex.File) { f.Steps[21].Step.Kind = model.KTick },
			verdict: cex.NoLongerApplies, at: 22,
			// cpu0 spins in __smp_call_function_mask until cpu1 takes the IPI.
			why: "step 22 (cpu1 tick) is not enabled: enabled are cpu1 ipi hardirq at smp_call_function_interrupt:507 (arch/x86/kernel/smp_64.c)",
		},
		{
			name: "other context recorded", edit: func(f *cex.File) { f.Steps[0].Context = "T1" },
			verdict: cex.NoLongerApplies, at: 1,
			why: "step 1: the file records cpu0 T1 at set_cpus_allowed:5074; thermal-2008 runs cpu0 T0 at set_cpus_allowed:5074",
		},
		{
			name: "other code recorded", edit: func(f *cex.File) { f.Steps[1].Where = "task_rq_lock:616" },
			verdict: cex.NoLongerApplies, at: 2,
			why: "step 2: the file records cpu0 T0 at task_rq_lock:616; thermal-2008 runs cpu0 T0 at task_rq_lock:615",
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, f := readFixture(t, "oops.cex")
			if c.edit != nil {
				c.edit(f)
			}
			out, err := cex.Replay(f, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			if out.Verdict != c.verdict || out.AtStep != c.at || out.SameMessage != c.same {
				t.Errorf("verdict %v at step %d, same message %v (why %q); want %v at step %d, same message %v",
					out.Verdict, out.AtStep, out.SameMessage, out.Why, c.verdict, c.at, c.same)
			}
			if (out.Why == "") != (c.why == "") || !strings.HasPrefix(out.Why, c.why) {
				t.Errorf("why\n got %q\nwant %q...", out.Why, c.why)
			}
			if c.warning == "" && len(out.Warnings) > 0 || c.warning != "" && (len(out.Warnings) != 1 || !strings.HasPrefix(out.Warnings[0], c.warning)) {
				t.Errorf("warnings\n got %q\nwant [%q...]", out.Warnings, c.warning)
			}
			switch out.Verdict {
			case cex.Reproduced:
				if out.Message == "" || (out.Message == f.Expect) != c.same {
					t.Errorf("message %q, the file expects %q", out.Message, f.Expect)
				}
				if len(out.Steps) != out.AtStep {
					t.Errorf("%d steps replayed, the violation is at step %d", len(out.Steps), out.AtStep)
				}
			case cex.NoLongerApplies:
				if out.Message != "" || len(out.Steps) != out.AtStep-1 {
					t.Errorf("message %q, %d steps replayed: want none and %d", out.Message, len(out.Steps), out.AtStep-1)
				}
			case cex.Holds:
				if out.Message != "" || len(out.Steps) != len(f.Steps) {
					t.Errorf("message %q, %d steps replayed: want none and %d", out.Message, len(out.Steps), len(f.Steps))
				}
			}
		})
	}
}

func TestReplayErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		edit fileEdit
		opt  cex.Options
		want string // a prefix of the error
	}{
		{name: "unknown variant in the file", edit: func(f *cex.File) { f.Variant = "thermal-2009" }, want: `unknown variant "thermal-2009"`},
		{name: "unknown variant asked for", opt: cex.Options{Variant: "mainline-2.6.25"}, want: `unknown variant "mainline-2.6.25"`},
		{name: "unknown property", edit: func(f *cex.File) { f.Property = "no-oops" }, want: `unknown property "no-oops"`},
		{name: "knob value in the file", edit: func(f *cex.File) { f.Knobs["sensor"] = "smoke" }, want: `field knobs.sensor: value "smoke": need one of ipi, irq-safe`},
		{name: "knob value asked for", opt: cex.Options{Knobs: map[string]string{"alb": "maybe"}}, want: `field knobs.alb: value "maybe": need one of off, on`},
		{name: "knob the variant lacks", opt: cex.Options{Variant: "mainline-2.6.24", Knobs: map[string]string{"alb": "on"}}, want: `field knobs.alb: variant mainline-2.6.24 has no knob "alb"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, f := readFixture(t, "oops.cex")
			if c.edit != nil {
				c.edit(f)
			}
			out, err := cex.Replay(f, c.opt)
			if err == nil {
				t.Fatalf("no error; verdict %v", out.Verdict)
			}
			if out != nil {
				t.Errorf("an outcome with the error")
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error\n got %v\nwant %s...", err, c.want)
			}
		})
	}
}

func TestReplayDoesNotChangeTheFile(t *testing.T) {
	_, f := readFixture(t, "oops.cex")
	_, before := readFixture(t, "oops.cex")
	for _, opt := range []cex.Options{{}, {Variant: "mainline-2.6.24"}, {Knobs: map[string]string{"sensor": "irq-safe"}}} {
		if _, err := cex.Replay(f, opt); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(before, f); diff != "" {
			t.Fatalf("Replay(%+v) changed the file (-before +after):\n%s", opt, diff)
		}
	}
}

// TestRenderGolden pins Outcome.Render (-update rewrites the golden files).
func TestRenderGolden(t *testing.T) {
	for _, c := range []struct {
		golden string
		opt    cex.Options
	}{
		{"replay-oops.golden", cex.Options{}},
		{"replay-oops-mainline.golden", cex.Options{Variant: "mainline-2.6.24"}},
	} {
		t.Run(c.golden, func(t *testing.T) {
			f := oops(t)
			render := func() string {
				out, err := cex.Replay(f, c.opt)
				if err != nil {
					t.Fatal(err)
				}
				return out.Render(f)
			}
			got := render()
			for range 3 { // map order must not show
				if again := render(); again != got {
					t.Fatalf("Render is not deterministic:\n%s\n---\n%s", got, again)
				}
			}
			path := filepath.Join("testdata", c.golden)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("rendering changed; run with -update if intended.\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestRenderVerdicts checks the verdict line of each kind of outcome.
func TestRenderVerdicts(t *testing.T) {
	for _, c := range []struct {
		name string
		edit fileEdit
		opt  cex.Options
		want []string // prefixes of lines of the rendering, in order
	}{
		{
			name: "reproduced",
			want: []string{
				"rqcheck replay: variant thermal-2008 (alb=off iterator=thermal placement=locked sensor=ipi), property kernel-bug",
				"schedule: 26 steps, 2 preemptions",
				"  26  cpu0 migration/0  double_rq_lock:2090            kernel BUG at kernel/sched.c:2090",
				"kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 0 comm migration/0",
				"call chains in the model at step 26:",
				"  cpu0 migration/0:",
				"verdict: reproduced kernel-bug, as the file expects",
			},
		},
		{
			name: "another message", edit: func(f *cex.File) { f.Expect = "kernel BUG at kernel/sched.c:2135!" },
			want: []string{
				"verdict: reproduced kernel-bug, with another message than the file expects:",
				"  expected kernel BUG at kernel/sched.c:2135!",
			},
		},
		{
			name: "holds", edit: truncate(25),
			want: []string{
				"schedule: 25 steps, 2 preemptions",
				"  25  cpu0 migration/0  migration_thread:5186          rq[0]->lock cpu0/thread→free",
				"",
				"verdict: every step applies and kernel-bug holds: the violation is not reproduced",
			},
		},
		{
			name: "no longer applies", opt: cex.Options{Knobs: map[string]string{"sensor": "irq-safe"}},
			want: []string{
				"rqcheck replay: variant thermal-2008 (alb=off iterator=thermal placement=locked sensor=irq-safe), property kernel-bug",
				"  19  cpu0 migration/0  migration_thread:5163          rq[0]->lock free→cpu0/thread",
				"",
				"verdict: the schedule no longer applies at step 20: the file records cpu0 migration/0 at smp_call_function_single:429",
			},
		},
		{
			name: "warnings", edit: func(f *cex.File) { f.StepTable = "0000000000000000" }, opt: cex.Options{Variant: "mainline-2.6.24"},
			want: []string{
				"rqcheck replay: variant mainline-2.6.24, property kernel-bug",
				"scenario: 2 CPUs, 2 tasks [T0:cpu0,running,allowed={0,1} T1:cpu0,queued,allowed={0,1}], ticks [0 0], idle_balance=false, T0: sched_setaffinity(T1, {1})",
				"warning: variant mainline-2.6.24 has no knob alb=off, iterator=thermal, placement=locked, sensor=ipi: dropped",
				"warning: the file was written against step table 0000000000000000",
				"schedule: 26 steps, 2 preemptions",
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, f := readFixture(t, "oops.cex")
			if c.edit != nil {
				c.edit(f)
			}
			out, err := cex.Replay(f, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			got := out.Render(f)
			lines := strings.Split(got, "\n")
			i := 0
			// Each wanted line is the prefix of a line after the previous
			// one's; "" wants an empty line.
			for _, w := range c.want {
				for i < len(lines) && !(strings.HasPrefix(lines[i], w) && (w != "" || lines[i] == "")) {
					i++
				}
				if i == len(lines) {
					t.Errorf("no line %q (in order) in the rendering:\n%s", w, got)
					break
				}
				i++
			}
		})
	}
}
