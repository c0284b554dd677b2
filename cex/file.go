package cex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/rqcheck/rqcheck/model"
)

// Format is the version of the file format this package writes and reads.
const Format = 1

// Version is the rqcheck version recorded in the files it writes.
const Version = "0.3.0"

// File is a counterexample: everything needed to re-execute a schedule
// and check that it still violates the property it was found for.
type File struct {
	Format    int
	Rqcheck   string // rqcheck version that wrote the file
	StepTable string // model.StepTableFingerprint() of the writer
	Kernel    string // kernel version the step lines name
	Variant   string
	Knobs     map[string]string // every knob of the variant, resolved
	Scenario  *model.Scenario   // without Knobs: they are in Knobs
	Property  string
	Expect    string // the violation message the schedule ends in
	// Preemptions is informational; Parse checks it against Steps.
	Preemptions int
	Steps       []Step
}

// Step is one line of the schedule. Step is what replays; Context and
// Where record what the writer's model ran, so a reader sees the code and
// Replay notices a model that runs something else.
type Step struct {
	Step    model.Step
	Context string // "T0", "migration/0", "softirq", "hardirq", ...
	Where   string // function:line, as model.StepDef.Where renders it
	Line    int    // line in the file (0 for steps not read from a file)
}

// New builds the file for a violation of m found by a schedule. The steps
// are described by re-executing the schedule; an error means it does not
// apply to m.
func New(m *model.Model, property, expect string, schedule []model.Step) (*File, error) {
	f := &File{
		Format:    Format,
		Rqcheck:   Version,
		StepTable: model.StepTableFingerprint(),
		Kernel:    m.Variant.Kernel,
		Variant:   m.Variant.Name,
		Knobs:     map[string]string{},
		Scenario:  m.Sc.Clone(),
		Property:  property,
		Expect:    expect,
	}
	for k, v := range m.Knobs {
		f.Knobs[k] = v
	}
	f.Scenario.Knobs = nil
	s := m.Init()
	var buf []model.Step
	for i, st := range schedule {
		buf = m.Enabled(&s, buf)
		if !slices.Contains(buf, st) {
			return nil, fmt.Errorf("cex: step %d (cpu%d %s) is not enabled", i+1, st.CPU, st.Kind)
		}
		info := m.Describe(&s, st)
		f.Steps = append(f.Steps, Step{Step: st, Context: info.Context, Where: info.Def.Where()})
		m.Apply(&s, st)
	}
	f.Preemptions = preemptions(f.Steps)
	return f, nil
}

func preemptions(steps []Step) int {
	n := 0
	for i := 1; i < len(steps); i++ {
		if steps[i].Step.CPU != steps[i-1].Step.CPU {
			n++
		}
	}
	return n
}

// Schedule returns the steps to replay.
func (f *File) Schedule() []model.Step {
	out := make([]model.Step, len(f.Steps))
	for i, s := range f.Steps {
		out[i] = s.Step
	}
	return out
}

// ScenarioWithKnobs is the scenario with the file's knobs set.
func (f *File) ScenarioWithKnobs() *model.Scenario {
	sc := f.Scenario.Clone()
	if len(f.Knobs) > 0 {
		sc.Knobs = map[string]string{}
		for k, v := range f.Knobs {
			sc.Knobs[k] = v
		}
	}
	return sc
}

// Marshal renders the file. The output is deterministic: knobs sorted,
// scenario as indented JSON, one schedule step per line.
func (f *File) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# rqcheck counterexample. Replay: rqcheck replay FILE\n")
	fmt.Fprintf(&b, "format %d\n", f.Format)
	fmt.Fprintf(&b, "rqcheck %s\n", f.Rqcheck)
	fmt.Fprintf(&b, "step-table %s\n", f.StepTable)
	fmt.Fprintf(&b, "kernel %s\n", f.Kernel)
	fmt.Fprintf(&b, "variant %s\n", f.Variant)
	for _, k := range slices.Sorted(maps.Keys(f.Knobs)) {
		fmt.Fprintf(&b, "knob %s=%s\n", k, f.Knobs[k])
	}
	fmt.Fprintf(&b, "property %s\n", f.Property)
	fmt.Fprintf(&b, "expect %s\n", f.Expect)
	fmt.Fprintf(&b, "steps %d\n", len(f.Steps))
	fmt.Fprintf(&b, "preemptions %d\n", preemptions(f.Steps))
	sc := f.Scenario.Clone()
	sc.Knobs = nil
	js, _ := json.MarshalIndent(sc, "", "  ")
	fmt.Fprintf(&b, "scenario\n%s\n", js)
	fmt.Fprintf(&b, "schedule\n")
	for i, s := range f.Steps {
		fmt.Fprintf(&b, "%4d cpu%d %-7s %-12s %s\n", i+1, s.Step.CPU, s.Step.Kind, s.Context, s.Where)
	}
	fmt.Fprintf(&b, "end\n")
	return b.Bytes()
}

// ParseError is a problem at a line of a counterexample file. It renders
// as "file:line: message".
type ParseError struct {
	File string
	Line int
	Msg  string
}

func (e *ParseError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

var kinds = map[string]model.StepKind{
	model.KRun.String(): model.KRun, model.KTick.String(): model.KTick,
	model.KSyscall.String(): model.KSyscall, model.KIPI.String(): model.KIPI,
}

// Parse reads a counterexample file; name is used in errors. Every error
// is a *ParseError naming the line. Parse checks the syntax and the
// scenario; whether the schedule applies is Replay's business.
func Parse(name string, data []byte) (*File, error) {
	p := &parser{name: name, lines: strings.Split(string(data), "\n")}
	f, err := p.parse()
	if err != nil {
		return nil, err
	}
	return f, nil
}

type parser struct {
	name  string
	lines []string
	i     int // index of the next line
}

func (p *parser) errf(line int, format string, args ...any) error {
	return &ParseError{File: p.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// next returns the next line that is not blank or a comment, and its number.
func (p *parser) next() (string, int, bool) {
	for p.i < len(p.lines) {
		l := strings.TrimRight(p.lines[p.i], "\r")
		p.i++
		if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		return l, p.i, true
	}
	return "", len(p.lines), false
}

func (p *parser) parse() (*File, error) {
	f := &File{Knobs: map[string]string{}, Preemptions: -1}
	seen := map[string]int{}
	steps := -1
	var schedLine int
	// Header: "key value" lines up to "scenario".
	for {
		l, n, ok := p.next()
		if !ok {
			return nil, p.errf(n, "unexpected end of file: no scenario and schedule")
		}
		key, val, _ := strings.Cut(strings.TrimSpace(l), " ")
		val = strings.TrimSpace(val)
		if key == "scenario" {
			if val != "" {
				return nil, p.errf(n, "\"scenario\" takes no value; the JSON follows on the next lines")
			}
			if err := p.scenario(f, n); err != nil {
				return nil, err
			}
			break
		}
		if prev, dup := seen[key]; dup && key != "knob" {
			return nil, p.errf(n, "%q given twice (first at line %d)", key, prev)
		}
		seen[key] = n
		if key == "format" {
			v, err := strconv.Atoi(val)
			if err != nil {
				return nil, p.errf(n, "format %q is not a number", val)
			}
			if v != Format {
				return nil, p.errf(n, "format %d: this rqcheck reads format %d only; regenerate the file with this rqcheck", v, Format)
			}
			f.Format = v
			continue
		}
		if _, ok := seen["format"]; !ok {
			return nil, p.errf(n, "not an rqcheck counterexample: the first line must be \"format %d\", got %q", Format, strings.TrimSpace(l))
		}
		if val == "" {
			return nil, p.errf(n, "%q needs a value", key)
		}
		switch key {
		case "rqcheck":
			f.Rqcheck = val
		case "step-table":
			f.StepTable = val
		case "kernel":
			f.Kernel = val
		case "variant":
			f.Variant = val
		case "knob":
			k, v, ok := strings.Cut(val, "=")
			if !ok || k == "" || v == "" {
				return nil, p.errf(n, "knob %q: want name=value", val)
			}
			if _, dup := f.Knobs[k]; dup {
				return nil, p.errf(n, "knob %q given twice", k)
			}
			f.Knobs[k] = v
		case "property":
			f.Property = val
		case "expect":
			f.Expect = val
		case "steps", "preemptions":
			v, err := strconv.Atoi(val)
			if err != nil || v < 0 {
				return nil, p.errf(n, "%s %q is not a count", key, val)
			}
			if key == "steps" {
				steps = v
			} else {
				f.Preemptions = v
			}
		default:
			return nil, p.errf(n, "unknown header key %q", key)
		}
	}
	for _, k := range []string{"rqcheck", "step-table", "kernel", "variant", "property", "expect", "steps"} {
		if _, ok := seen[k]; !ok {
			return nil, p.errf(1, "header lacks %q", k)
		}
	}
	// Schedule.
	l, n, ok := p.next()
	if !ok || strings.TrimSpace(l) != "schedule" {
		return nil, p.errf(n, "want \"schedule\" after the scenario")
	}
	schedLine = n
	ended := false
	for !ended {
		l, n, ok := p.next()
		if !ok {
			return nil, p.errf(n, "unexpected end of file: the schedule has no \"end\" line")
		}
		if strings.TrimSpace(l) == "end" {
			ended = true
			break
		}
		st, err := p.step(l, n, len(f.Steps)+1, f.Scenario)
		if err != nil {
			return nil, err
		}
		f.Steps = append(f.Steps, st)
	}
	if l, n, ok := p.next(); ok {
		return nil, p.errf(n, "text after \"end\": %q", strings.TrimSpace(l))
	}
	if steps != len(f.Steps) {
		return nil, p.errf(seen["steps"], "steps %d, but the schedule (line %d) has %d", steps, schedLine, len(f.Steps))
	}
	if got := preemptions(f.Steps); f.Preemptions >= 0 && got != f.Preemptions {
		return nil, p.errf(seen["preemptions"], "preemptions %d, but the schedule switches CPUs %d times", f.Preemptions, got)
	}
	f.Preemptions = preemptions(f.Steps)
	return f, nil
}

// scenario reads the JSON object that starts on the line after "scenario"
// and ends with a line "}".
func (p *parser) scenario(f *File, at int) error {
	start := p.i
	for p.i < len(p.lines) {
		l := strings.TrimRight(p.lines[p.i], "\r")
		p.i++
		if l == "}" {
			break
		}
		if p.i == len(p.lines) {
			return p.errf(at, "scenario JSON has no closing \"}\" line")
		}
	}
	text := strings.Join(p.lines[start:p.i], "\n")
	sc, err := model.ParseScenario([]byte(text))
	if err != nil {
		line := start + 1
		var se *json.SyntaxError
		// ParseScenario renders a syntax error with %v: decode again to
		// find the offset of the error.
		if errors.As(err, &se) || errors.As(json.NewDecoder(strings.NewReader(text)).Decode(new(json.RawMessage)), &se) {
			line = start + 1 + strings.Count(text[:min(int(se.Offset), len(text))], "\n")
		}
		return p.errf(line, "scenario: %v", err)
	}
	if len(sc.Knobs) > 0 {
		return p.errf(at, "scenario: knobs belong on \"knob\" lines, not in the scenario")
	}
	f.Scenario = sc
	return nil
}

// step parses "   3 cpu0 run     migration/0  double_rq_lock:2090".
func (p *parser) step(l string, n, want int, sc *model.Scenario) (Step, error) {
	fields := strings.Fields(l)
	if len(fields) < 5 {
		return Step{}, p.errf(n, "schedule step %q: want \"N cpuC kind context function:line\"", strings.TrimSpace(l))
	}
	idx, err := strconv.Atoi(fields[0])
	if err != nil || idx != want {
		return Step{}, p.errf(n, "schedule step number %q: want %d", fields[0], want)
	}
	cs, ok := strings.CutPrefix(fields[1], "cpu")
	c, err := strconv.Atoi(cs)
	if !ok || err != nil || c < 0 || c >= sc.CPUs {
		return Step{}, p.errf(n, "step %d: %q is not a CPU of the scenario (cpu0..cpu%d)", want, fields[1], sc.CPUs-1)
	}
	kind, ok := kinds[fields[2]]
	if !ok {
		return Step{}, p.errf(n, "step %d: unknown step kind %q (run, tick, syscall, ipi)", want, fields[2])
	}
	where := strings.Join(fields[4:], " ")
	return Step{Step: model.Step{CPU: int8(c), Kind: kind}, Context: fields[3], Where: where, Line: n}, nil
}
