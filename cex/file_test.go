package cex_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rqcheck/rqcheck/cex"
	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

var update = flag.Bool("update", false, "rewrite the .cex fixtures and the golden files in testdata/")

// ignoreLine compares files read from text with files built in memory:
// only the former know the lines their steps came from.
var ignoreLine = cmpopts.IgnoreFields(cex.Step{}, "Line")

// A violation is a counterexample the tests build from a real search: the
// first violation explore finds for a variant on a scenario.
type violation struct {
	name     string
	fixture  string // testdata file that holds its Marshal output
	scenario func() *model.Scenario
	variant  string
	knobs    map[string]string // set in the scenario's Knobs
	props    string            // the properties searched, for properties.Select
	property string            // the property it must violate
	expect   string            // a prefix of its message
}

var violations = []violation{
	{
		name: "thermal-2008", fixture: "oops.cex", scenario: model.DefaultScenario, variant: "thermal-2008",
		property: "kernel-bug", expect: "kernel BUG at kernel/sched.c:2090! (double_rq_lock",
	},
	{
		// placement=before-lock alone has no violation on the built-in
		// scenarios; with the active_load_balance call it oopses at 2135.
		name: "thermal-2008/before-lock", fixture: "before-lock.cex", scenario: model.DefaultScenario, variant: "thermal-2008",
		knobs:    map[string]string{"placement": "before-lock", "alb": "on"},
		property: "kernel-bug", expect: "kernel BUG at kernel/sched.c:2135! (double_lock_balance",
	},
	{
		name: "broken-drl-unordered", fixture: "drl-unordered.cex", scenario: model.BalanceScenario, variant: "broken-drl-unordered",
		property: "no-deadlock", expect: "deadlock (lock order)",
	},
	{
		name: "broken-migrate-lost", fixture: "migrate-lost.cex", scenario: model.BalanceScenario, variant: "broken-migrate-lost",
		property: "no-lost-task",
	},
	{
		// A terminal property: judged where no step is enabled.
		name: "mainline/work-conservation", fixture: "work-conservation.cex", scenario: pushedAway, variant: "mainline-2.6.24",
		props: "work-conservation", property: "work-conservation", expect: "cpu1 idles while rq[0] has 3 runnable tasks",
	},
	{
		// Nothing is enabled in the initial state: a schedule of no steps.
		name: "mainline/idle-from-the-start", fixture: "idle.cex", scenario: idleFromTheStart, variant: "mainline-2.6.24",
		props: "work-conservation", property: "work-conservation", expect: "cpu1 idles while rq[0] has 2 runnable tasks",
	},
}

// pushedAway: T0 pins T2, which runs on cpu1, to cpu0; with no tick and no
// idle balance nothing pulls a task back to cpu1.
func pushedAway() *model.Scenario {
	return &model.Scenario{
		CPUs:           2,
		Tasks:          []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0}, {CPU: 1, Running: true}},
		Ticks:          []int{0, 0},
		Affinity:       []model.AffinityCall{{Caller: 0, Target: 2, Mask: []int{0}}},
		CacheNiceTries: 1,
	}
}

// idleFromTheStart: two tasks on cpu0, and no event at all.
func idleFromTheStart() *model.Scenario {
	return &model.Scenario{
		CPUs:           2,
		Tasks:          []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0}},
		Ticks:          []int{0, 0},
		CacheNiceTries: 1,
	}
}

// build searches for the violation and returns its model, the search's
// violation and the file cex.New makes of it.
func (c violation) build(t testing.TB) (*model.Model, explore.Violation, *cex.File) {
	t.Helper()
	sc := c.scenario()
	sc.Knobs = c.knobs
	m, err := model.New(sc, c.variant)
	if err != nil {
		t.Fatal(err)
	}
	props, err := properties.Select(c.props)
	if err != nil {
		t.Fatal(err)
	}
	res, err := explore.Run(context.Background(), m, explore.Options{Props: props})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Violations) == 0 {
		t.Fatalf("%s: no violation found", c.name)
	}
	v := res.Violations[0]
	if v.Property != c.property || !strings.HasPrefix(v.Message, c.expect) {
		t.Fatalf("%s: violation %s: %q, want %s: %q...", c.name, v.Property, v.Message, c.property, c.expect)
	}
	f, err := cex.New(m, v.Property, v.Message, v.Trace)
	if err != nil {
		t.Fatalf("%s: New: %v", c.name, err)
	}
	return m, v, f
}

// oops is the counterexample of the 2008 report: thermal-2008 on the
// default scenario.
func oops(t testing.TB) *cex.File {
	t.Helper()
	_, _, f := violations[0].build(t)
	return f
}

// reparse renders f and parses it back.
func reparse(t testing.TB, f *cex.File) *cex.File {
	t.Helper()
	g, err := cex.Parse("reparse.cex", f.Marshal())
	if err != nil {
		t.Fatalf("Parse(Marshal()): %v", err)
	}
	return g
}

func TestNewRecordsTheViolation(t *testing.T) {
	for _, c := range violations {
		t.Run(c.name, func(t *testing.T) {
			m, v, f := c.build(t)
			if f.Format != cex.Format || f.Rqcheck != cex.Version || f.StepTable != model.StepTableFingerprint() {
				t.Errorf("format %d, rqcheck %q, step-table %q: want %d, %q, %q",
					f.Format, f.Rqcheck, f.StepTable, cex.Format, cex.Version, model.StepTableFingerprint())
			}
			if f.Variant != c.variant || f.Kernel != m.Variant.Kernel || f.Property != v.Property || f.Expect != v.Message {
				t.Errorf("variant %q kernel %q property %q expect %q: want %q %q %q %q",
					f.Variant, f.Kernel, f.Property, f.Expect, c.variant, m.Variant.Kernel, v.Property, v.Message)
			}
			if diff := cmp.Diff(v.Trace, f.Schedule(), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Schedule() differs from the trace (-trace +schedule):\n%s", diff)
			}
			// Every knob of the variant is recorded, resolved.
			if len(f.Knobs) != len(m.Variant.Knobs) {
				t.Errorf("knobs %v: want one per knob of %s (%d)", f.Knobs, c.variant, len(m.Variant.Knobs))
			}
			for k, v := range c.knobs {
				if f.Knobs[k] != v {
					t.Errorf("knob %s=%q, want %q", k, f.Knobs[k], v)
				}
			}
			if f.Scenario.Knobs != nil {
				t.Errorf("the file's scenario has knobs %v: they belong in File.Knobs", f.Scenario.Knobs)
			}
			if f.Scenario == m.Sc {
				t.Error("the file shares the model's scenario")
			}
			// ScenarioWithKnobs puts them back, on a copy.
			sc := f.ScenarioWithKnobs()
			if diff := cmp.Diff(f.Knobs, sc.Knobs, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ScenarioWithKnobs().Knobs (-file +scenario):\n%s", diff)
			}
			if diff := cmp.Diff(f.Scenario, sc, cmpopts.IgnoreFields(model.Scenario{}, "Knobs")); diff != "" {
				t.Errorf("ScenarioWithKnobs() is another scenario (-file +scenario):\n%s", diff)
			}
			if len(sc.Knobs) > 0 {
				sc.Knobs["placement"] = "changed"
				if f.Knobs["placement"] == "changed" || f.Scenario.Knobs != nil {
					t.Error("ScenarioWithKnobs aliases the file's knobs")
				}
			}
			want := 0
			for i := 1; i < len(v.Trace); i++ {
				if v.Trace[i].CPU != v.Trace[i-1].CPU {
					want++
				}
			}
			if f.Preemptions != want {
				t.Errorf("preemptions %d, want %d", f.Preemptions, want)
			}
			for i, s := range f.Steps {
				if s.Context == "" || s.Where == "" || s.Line != 0 {
					t.Errorf("step %d: %+v: want a context, a where and line 0", i+1, s)
				}
			}
		})
	}
}

func TestNewRefusesAScheduleThatDoesNotApply(t *testing.T) {
	m, err := model.New(model.DefaultScenario(), "thermal-2008")
	if err != nil {
		t.Fatal(err)
	}
	// The default scenario has no ticks: a tick is never enabled.
	sched := []model.Step{{CPU: 0, Kind: model.KSyscall}, {CPU: 1, Kind: model.KTick}}
	f, err := cex.New(m, "kernel-bug", "x", sched)
	if f != nil || err == nil || err.Error() != "cex: step 2 (cpu1 tick) is not enabled" {
		t.Errorf("New = %v, %v; want nil, cex: step 2 (cpu1 tick) is not enabled", f, err)
	}
}

// TestRoundTrip parses what Marshal writes back into the same file, and
// pins Marshal's output in testdata/*.cex (-update rewrites them).
func TestRoundTrip(t *testing.T) {
	for _, c := range violations {
		t.Run(c.name, func(t *testing.T) {
			_, _, f := c.build(t)
			data := f.Marshal()
			for range 5 { // the knobs come from a map
				if again := f.Marshal(); !bytes.Equal(again, data) {
					t.Fatalf("Marshal is not deterministic:\n%s\n---\n%s", data, again)
				}
			}
			g, err := cex.Parse(c.fixture, data)
			if err != nil {
				t.Fatalf("Parse(Marshal()): %v\n%s", err, data)
			}
			if diff := cmp.Diff(f, g, ignoreLine); diff != "" {
				t.Errorf("Parse(Marshal()) differs (-new +parsed):\n%s", diff)
			}
			if again := g.Marshal(); !bytes.Equal(again, data) {
				t.Errorf("Marshal(Parse(Marshal())) differs:\n%s\n---\n%s", data, again)
			}
			// Every step remembers its line.
			lines := strings.Split(string(data), "\n")
			for i, s := range g.Steps {
				if s.Line < 1 || s.Line > len(lines) {
					t.Fatalf("step %d: line %d is not in the file", i+1, s.Line)
				}
				if l := lines[s.Line-1]; !strings.HasPrefix(strings.TrimSpace(l), fmt.Sprintf("%d cpu%d %s ", i+1, s.Step.CPU, s.Step.Kind)) {
					t.Errorf("step %d: line %d is %q", i+1, s.Line, l)
				}
			}
			path := filepath.Join("testdata", c.fixture)
			if *update {
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(data, want) {
				t.Errorf("%s differs from Marshal's output; run with -update if intended.\ngot:\n%s\nwant:\n%s", path, data, want)
			}
		})
	}
}

// readFixture parses testdata/oops.cex, the file the malformed cases edit.
func readFixture(t testing.TB, name string) (string, *cex.File) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	f, err := cex.Parse(name, data)
	if err != nil {
		t.Fatalf("the fixture does not parse: %v", err)
	}
	return string(data), f
}

// An edit changes the text of a file; it fails the test if what it edits
// is not there, so that no case silently tests the valid file.
type edit func(t testing.TB, s string) string

func replace(old, new string) edit {
	return func(t testing.TB, s string) string {
		t.Helper()
		if strings.Count(s, old) != 1 {
			t.Fatalf("edit: %q occurs %d times in the file, want once", old, strings.Count(s, old))
		}
		return strings.Replace(s, old, new, 1)
	}
}

func setText(text string) edit { return func(testing.TB, string) string { return text } }

func edits(es ...edit) edit {
	return func(t testing.TB, s string) string {
		t.Helper()
		for _, e := range es {
			s = e(t, s)
		}
		return s
	}
}

// The fixture testdata/oops.cex, by line:
//
//	1 comment, 2 format, 3 rqcheck, 4 step-table, 5 kernel, 6 variant,
//	7-10 knobs, 11 property, 12 expect, 13 steps, 14 preemptions,
//	15 scenario, 16-45 JSON, 46 schedule, 47-72 steps 1-26, 73 end.
const (
	expectLine = "expect kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 0 comm migration/0\n"
	step1      = "   1 cpu0 syscall T0           set_cpus_allowed:5074\n"
	step22     = "  22 cpu1 ipi     hardirq      smp_call_function_interrupt:507 (arch/x86/kernel/smp_64.c)\n"
	step26     = "  26 cpu0 run     migration/0  double_rq_lock:2090\n"
)

func TestParseErrors(t *testing.T) {
	valid, _ := readFixture(t, "oops.cex")
	for _, c := range []struct {
		name string
		edit edit
		want string
	}{
		{"empty file", setText(""), "oops.cex:1: unexpected end of file: no scenario and schedule"},
		{"only comments", setText("# a comment\n\n   # another\n"), "oops.cex:4: unexpected end of file: no scenario and schedule"},
		{"header only", setText("format 1\nrqcheck 0.3.0\n"), "oops.cex:3: unexpected end of file: no scenario and schedule"},
		{"not a counterexample", setText("package main\n"), `oops.cex:1: not an rqcheck counterexample: the first line must be "format 1", got "package main"`},
		{"missing format line", replace("format 1\n", ""), `oops.cex:2: not an rqcheck counterexample: the first line must be "format 1", got "rqcheck 0.3.0"`},
		{"format 2", replace("format 1\n", "format 2\n"), "oops.cex:2: format 2: this rqcheck reads format 1 only; regenerate the file with this rqcheck"},
		{"format not a number", replace("format 1\n", "format one\n"), `oops.cex:2: format "one" is not a number`},
		{"format twice", replace("rqcheck 0.3.0\n", "format 1\nrqcheck 0.3.0\n"), `oops.cex:3: "format" given twice (first at line 2)`},
		{"duplicate header key", replace("property kernel-bug\n", "property kernel-bug\nvariant mainline-2.6.24\n"), `oops.cex:12: "variant" given twice (first at line 6)`},
		{"duplicate knob", replace("knob sensor=ipi\n", "knob sensor=ipi\nknob alb=on\n"), `oops.cex:11: knob "alb" given twice`},
		{"unknown header key", replace("property kernel-bug\n", "colour blue\nproperty kernel-bug\n"), `oops.cex:11: unknown header key "colour"`},
		{"key without value", replace("property kernel-bug\n", "property\n"), `oops.cex:11: "property" needs a value`},
		{"knob without =", replace("knob placement=locked\n", "knob placement\n"), `oops.cex:9: knob "placement": want name=value`},
		{"knob without value", replace("knob placement=locked\n", "knob placement=\n"), `oops.cex:9: knob "placement=": want name=value`},
		{"knob without name", replace("knob placement=locked\n", "knob =locked\n"), `oops.cex:9: knob "=locked": want name=value`},
		{"missing header key", replace(expectLine, ""), `oops.cex:1: header lacks "expect"`},
		// Marshal writes "kernel " for a file without one, which Parse refuses.
		{"missing kernel", replace("kernel v2.6.24\n", ""), `oops.cex:1: header lacks "kernel"`},
		{"steps wrong", replace("steps 26\n", "steps 25\n"), "oops.cex:13: steps 25, but the schedule (line 46) has 26"},
		{"steps not a count", replace("steps 26\n", "steps -1\n"), `oops.cex:13: steps "-1" is not a count`},
		{"preemptions wrong", replace("preemptions 2\n", "preemptions 3\n"), "oops.cex:14: preemptions 3, but the schedule switches CPUs 2 times"},
		{"preemptions not a count", replace("preemptions 2\n", "preemptions two\n"), `oops.cex:14: preemptions "two" is not a count`},
		{"scenario with a value", replace("scenario\n", "scenario {}\n"), `oops.cex:15: "scenario" takes no value; the JSON follows on the next lines`},
		{
			// The comma after "cpus": 2 is missing: the decoder sees the
			// error on the next line, line 18 of the file.
			"scenario JSON syntax", replace(`  "cpus": 2,`, `  "cpus": 2`),
			"oops.cex:18: scenario: line 3: JSON syntax: invalid character '\"' after object key:value pair",
		},
		{
			"scenario JSON syntax on its first line", replace("scenario\n{\n", "scenario\n{,\n"),
			"oops.cex:16: scenario: line 1: JSON syntax: invalid character ',' looking for beginning of object key string",
		},
		{"scenario with 1 CPU", replace(`  "cpus": 2,`, `  "cpus": 1,`), "oops.cex:16: scenario: field cpus: 1 CPUs: need 2..8"},
		{"scenario with an unknown field", replace(`  "cpus": 2,`, `  "cpus": 2, "sockets": 1,`), `oops.cex:16: scenario: field "sockets": unknown field`},
		{"scenario with a wrong type", replace(`  "cpus": 2,`, `  "cpus": "2",`), `oops.cex:16: scenario: field "cpus": cannot use JSON string as int`},
		{"knobs in the scenario", replace(`  "cpus": 2,`, `  "knobs": {"alb": "on"}, "cpus": 2,`), `oops.cex:15: scenario: knobs belong on "knob" lines, not in the scenario`},
		{"scenario without closing line", replace("}\nschedule\n", " }\nschedule\n"), `oops.cex:15: scenario JSON has no closing "}" line`},
		{"scenario at the end of the file", setText("format 1\nscenario"), "oops.cex:3: scenario: JSON: EOF"},
		{"no schedule line", replace("}\nschedule\n", "}\n"), `oops.cex:46: want "schedule" after the scenario`},
		{"step with a bad number", replace(step1, "   x cpu0 syscall T0           set_cpus_allowed:5074\n"), `oops.cex:47: schedule step number "x": want 1`},
		{"step out of order", replace(step1, "   2 cpu0 syscall T0           set_cpus_allowed:5074\n"), `oops.cex:47: schedule step number "2": want 1`},
		{"step on cpu2", replace(step22, "  22 cpu2 ipi     hardirq      smp_call_function_interrupt:507 (arch/x86/kernel/smp_64.c)\n"), `oops.cex:68: step 22: "cpu2" is not a CPU of the scenario (cpu0..cpu1)`},
		{"step on cpu-1", replace(step22, "  22 cpu-1 ipi     hardirq      smp_call_function_interrupt:507 (arch/x86/kernel/smp_64.c)\n"), `oops.cex:68: step 22: "cpu-1" is not a CPU of the scenario (cpu0..cpu1)`},
		{"step without cpu", replace(step22, "  22 core1 ipi     hardirq      smp_call_function_interrupt:507 (arch/x86/kernel/smp_64.c)\n"), `oops.cex:68: step 22: "core1" is not a CPU of the scenario (cpu0..cpu1)`},
		{"step of unknown kind", replace(step22, "  22 cpu1 nmi     hardirq      smp_call_function_interrupt:507 (arch/x86/kernel/smp_64.c)\n"), `oops.cex:68: step 22: unknown step kind "nmi" (run, tick, syscall, ipi)`},
		{"step with too few fields", replace(step26, "  26 cpu0 run     migration/0\n"), `oops.cex:72: schedule step "26 cpu0 run     migration/0": want "N cpuC kind context function:line"`},
		{"no end", replace("end\n", ""), `oops.cex:73: unexpected end of file: the schedule has no "end" line`},
		{"text after end", replace("end\n", "end\n\n# fine\nmore\n"), `oops.cex:76: text after "end": "more"`},
		{"second schedule", replace("end\n", "end\nschedule\n"), `oops.cex:74: text after "end": "schedule"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := c.edit(t, valid)
			f, err := cex.Parse("oops.cex", []byte(text))
			if err == nil {
				t.Fatalf("Parse succeeded (%s, %d steps), want %s", f.Variant, len(f.Steps), c.want)
			}
			if f != nil {
				t.Errorf("Parse returned a file with its error")
			}
			var pe *cex.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *cex.ParseError", err, err)
			}
			if prefix := fmt.Sprintf("%s:%d: ", pe.File, pe.Line); pe.File != "oops.cex" || !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %s\nwant %s", err, c.want)
			}
		})
	}
}

// TestParseAccepts: variations of the fixture that mean the same file.
func TestParseAccepts(t *testing.T) {
	valid, want := readFixture(t, "oops.cex")
	for _, c := range []struct {
		name string
		edit edit
		// lineShift is how many lines the edit adds before the steps.
		lineShift int
	}{
		{"as written", edits(), 0},
		{"CRLF line ends", func(_ testing.TB, s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }, 0},
		{"no final newline", replace("end\n", "end"), 0},
		{"no leading comment", replace("# rqcheck counterexample. Replay: rqcheck replay FILE\n", ""), -1},
		{
			"comments and blank lines",
			edits(
				replace("format 1\n", "\n# comment\nformat 1\n\n"),
				replace("schedule\n", "schedule\n   # the schedule\n\n"),
				replace("end\n", "end\n\n# trailer\n"),
			), 5,
		},
		{"no preemptions line", replace("preemptions 2\n", ""), -1},
		{"knobs in another order", replace("knob alb=off\n", "").then(replace("knob sensor=ipi\n", "knob sensor=ipi\nknob alb=off\n")), 0},
		{"spaces around values", replace("variant thermal-2008\n", "  variant   thermal-2008  \n"), 0},
		{"steps spaced differently", replace(step22, "22\tcpu1  ipi\thardirq smp_call_function_interrupt:507   (arch/x86/kernel/smp_64.c)  \n"), 0},
		{"compact JSON", compactScenario, -28},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := c.edit(t, valid)
			got, err := cex.Parse("oops.cex", []byte(text))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got, ignoreLine); diff != "" {
				t.Errorf("parse differs from the fixture's (-fixture +edited):\n%s", diff)
			}
			for i := range got.Steps {
				if g, w := got.Steps[i].Line, want.Steps[i].Line+c.lineShift; g != w {
					t.Errorf("step %d: line %d, want %d", i+1, g, w)
				}
			}
		})
	}
}

func (e edit) then(next edit) edit {
	return func(t testing.TB, s string) string {
		t.Helper()
		return next(t, e(t, s))
	}
}

// compactScenario writes the scenario's JSON on two lines: the object and
// the closing brace, which must stand alone.
func compactScenario(t testing.TB, s string) string {
	t.Helper()
	head, rest, ok := strings.Cut(s, "scenario\n")
	js, tail, ok2 := strings.Cut(rest, "\n}\nschedule\n")
	if !ok || !ok2 {
		t.Fatal("no scenario in the fixture")
	}
	var b bytes.Buffer
	for _, l := range strings.Split(js, "\n") {
		b.WriteString(strings.TrimSpace(l))
	}
	return head + "scenario\n" + b.String() + "\n}\nschedule\n" + tail
}

// TestParseErrorLines: whatever Parse refuses, the line it names is in
// the file (or just past its end), and the message has the name.
func TestParseErrorLines(t *testing.T) {
	valid, _ := readFixture(t, "oops.cex")
	lines := strings.SplitAfter(valid, "\n")
	errs := 0
	// Cut the file before every line, and drop every line in turn.
	for i := range lines {
		for _, text := range []string{strings.Join(lines[:i], ""), strings.Join(lines[:i], "") + strings.Join(lines[i+1:], "")} {
			_, err := cex.Parse("cut.cex", []byte(text))
			if err == nil {
				continue // a knob, a JSON line, the comment... may go
			}
			errs++
			var pe *cex.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("cut at line %d: %v is not a *cex.ParseError", i+1, err)
			}
			n := strings.Count(text, "\n")
			if !strings.HasSuffix(text, "\n") {
				n++
			}
			if pe.Line < 1 || pe.Line > n+1 || !strings.HasPrefix(err.Error(), fmt.Sprintf("cut.cex:%d: ", pe.Line)) {
				t.Errorf("cut at line %d: %v: line out of 1..%d", i+1, err, n+1)
			}
		}
	}
	// Every cut but the one after "end" fails, and so does dropping any
	// step.
	if want := len(lines) - 1 + 26; errs < want {
		t.Errorf("%d of %d edits refused, want at least %d", errs, 2*len(lines), want)
	}
}
