// Command rqcheck model-checks Linux SMP load balancing.
//
//	rqcheck check [flags]   explore a variant on a scenario, check properties
//	rqcheck list            list variants, knobs and properties
//
// Exit status: 0 no violation, 1 violation found, 2 bad input or usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

const usage = `usage:
  rqcheck check [flags]   explore a variant on a scenario and check properties
  rqcheck list            list variants, knobs and properties

Run 'rqcheck check -h' for the flags of check.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// usageError marks bad input or usage (exit status 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var code int
	var err error
	switch args[0] {
	case "check":
		code, err = check(ctx, args[1:], stdout, stderr)
	case "list":
		code, err = 0, list(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "rqcheck: unknown command %q\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		// Every error that reaches here is bad input or usage.
		fmt.Fprintf(stderr, "rqcheck: %v\n", err)
		return 2
	}
	return code
}

// scenarioFlags builds a scenario from --scenario or from --cpus/--tasks.
type scenarioFlags struct {
	file  string
	cpus  int
	tasks int
	ticks int
	knobs multiFlag
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func (f *scenarioFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.file, "scenario", "", "scenario JSON `file` (default: the built-in scenario)")
	fs.IntVar(&f.cpus, "cpus", 0, "number of CPUs (2..8) for a generated scenario")
	fs.IntVar(&f.tasks, "tasks", 0, "number of tasks (1..8) for a generated scenario")
	fs.IntVar(&f.ticks, "ticks", -1, "timer ticks per CPU (default: the scenario's)")
	fs.Var(&f.knobs, "knob", "variant knob `name=value` (repeatable)")
}

// build returns the scenario: the file if given, else the default scenario
// resized by --cpus/--tasks.
func (f *scenarioFlags) build(set map[string]bool) (*model.Scenario, error) {
	var sc *model.Scenario
	if f.file != "" {
		if set["cpus"] || set["tasks"] {
			return nil, usageError{fmt.Errorf("--scenario and --cpus/--tasks exclude each other")}
		}
		var err error
		if sc, err = model.LoadScenario(f.file); err != nil {
			return nil, usageError{err}
		}
	} else {
		sc = model.DefaultScenario()
		if set["cpus"] || set["tasks"] {
			cpus, tasks := sc.CPUs, len(sc.Tasks)
			if set["cpus"] {
				cpus = f.cpus
			}
			if set["tasks"] {
				tasks = f.tasks
			}
			var err error
			if sc, err = model.GenerateScenario(cpus, tasks); err != nil {
				return nil, usageError{err}
			}
		}
	}
	if f.ticks >= 0 {
		for i := range sc.Ticks {
			sc.Ticks[i] = f.ticks
		}
	}
	for _, kv := range f.knobs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, usageError{fmt.Errorf("--knob %q: want name=value", kv)}
		}
		if sc.Knobs == nil {
			sc.Knobs = map[string]string{}
		}
		sc.Knobs[k] = v
	}
	if err := sc.Validate(); err != nil {
		return nil, usageError{err}
	}
	return sc, nil
}

func check(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf scenarioFlags
	sf.register(fs)
	variant := fs.String("variant", "mainline-2.6.24", "kernel variant (see 'rqcheck list')")
	strategy := fs.String("strategy", "bfs", "search strategy: bfs, dfs or random")
	props := fs.String("props", "all", "comma-separated properties to check")
	seed := fs.Uint64("seed", 1, "seed for the random strategy")
	maxStates := fs.Int64("max-states", 0, "stop after this many distinct states (0: no limit)")
	maxDepth := fs.Int("max-depth", 0, "bound on schedule length (dfs, random)")
	walks := fs.Int("walks", 0, "random walks to run (default 1000 unless --time-limit)")
	timeLimit := fs.Duration("time-limit", 0, "stop after this long, e.g. 30s (0: no limit)")
	all := fs.Bool("all", false, "keep going after a violation: report the first of each property")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	if err := fs.Parse(args); err != nil {
		return 2, usageError{err}
	}
	if fs.NArg() > 0 {
		return 2, usageError{fmt.Errorf("check: unexpected argument %q", fs.Arg(0))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	sc, err := sf.build(set)
	if err != nil {
		return 2, err
	}
	m, err := model.New(sc, *variant)
	if err != nil {
		return 2, usageError{err}
	}
	strat, err := explore.ParseStrategy(*strategy)
	if err != nil {
		return 2, usageError{err}
	}
	sel, err := properties.Select(*props)
	if err != nil {
		return 2, usageError{err}
	}
	res, err := explore.Run(ctx, m, explore.Options{
		Strategy: strat, Props: sel, MaxStates: *maxStates, TimeLimit: *timeLimit,
		Seed: *seed, MaxDepth: *maxDepth, Walks: *walks, All: *all,
	})
	if err != nil {
		return 2, err
	}
	if *asJSON {
		err = writeJSON(stdout, m, strat, res)
	} else {
		writeText(stdout, m, strat, res)
	}
	if err != nil {
		return 2, err
	}
	if len(res.Violations) > 0 {
		return 1, nil
	}
	return 0, nil
}

func verdict(res *explore.Result) string {
	switch {
	case len(res.Violations) > 0:
		return "violation"
	case res.Complete:
		return "pass"
	}
	return "unknown"
}

func writeText(w io.Writer, m *model.Model, strat explore.Strategy, res *explore.Result) {
	st := res.Stats
	fmt.Fprintf(w, "rqcheck: variant %s, %s search\n", m.Variant.Name, strat)
	fmt.Fprintf(w, "scenario: %s\n", m.Sc)
	for _, v := range res.Violations {
		fmt.Fprintf(w, "\nVIOLATION %s: %s\n", v.Property, v.Message)
		fmt.Fprintf(w, "schedule (%d steps):\n", len(v.Trace))
		for _, line := range explore.Render(m, v.Trace) {
			fmt.Fprintln(w, "  "+line)
		}
	}
	completeness := "exhaustive"
	if !res.Complete {
		completeness = "incomplete (" + res.Stopped + ")"
	}
	fmt.Fprintf(w, "\n%d states, %d transitions, max depth %d, %.2fs, %.0f states/s, %s\n",
		st.States, st.Transitions, st.MaxDepth, st.Elapsed.Seconds(), st.StatesPerSecond(), completeness)
	switch verdict(res) {
	case "pass":
		fmt.Fprintln(w, "verdict: no violation")
	case "unknown":
		fmt.Fprintln(w, "verdict: no violation found (search incomplete)")
	default:
		fmt.Fprintf(w, "verdict: %d violation(s)\n", len(res.Violations))
	}
}

type jsonStep struct {
	CPU     int      `json:"cpu"`
	Context string   `json:"context"`
	Where   string   `json:"where"`
	Code    string   `json:"code"`
	Changes []string `json:"changes"`
}

type jsonViolation struct {
	Property string     `json:"property"`
	Message  string     `json:"message"`
	Steps    []jsonStep `json:"steps"`
}

type jsonResult struct {
	Verdict         string          `json:"verdict"`
	Variant         string          `json:"variant"`
	Scenario        *model.Scenario `json:"scenario"`
	Strategy        string          `json:"strategy"`
	States          int64           `json:"states"`
	Transitions     int64           `json:"transitions"`
	MaxDepth        int             `json:"max_depth"`
	Seconds         float64         `json:"seconds"`
	StatesPerSecond float64         `json:"states_per_second"`
	Complete        bool            `json:"complete"`
	Stopped         string          `json:"stopped,omitempty"`
	Violations      []jsonViolation `json:"violations"`
	StepTable       string          `json:"step_table"`
}

func writeJSON(w io.Writer, m *model.Model, strat explore.Strategy, res *explore.Result) error {
	out := jsonResult{
		Verdict: verdict(res), Variant: m.Variant.Name, Scenario: m.Sc, Strategy: string(strat),
		States: res.Stats.States, Transitions: res.Stats.Transitions, MaxDepth: res.Stats.MaxDepth,
		Seconds: res.Stats.Elapsed.Seconds(), StatesPerSecond: res.Stats.StatesPerSecond(),
		Complete: res.Complete, Stopped: res.Stopped, Violations: []jsonViolation{},
		StepTable: model.StepTableFingerprint(),
	}
	for _, v := range res.Violations {
		jv := jsonViolation{Property: v.Property, Message: v.Message}
		for _, s := range explore.Replay(m, v.Trace) {
			jv.Steps = append(jv.Steps, jsonStep{CPU: s.Info.CPU, Context: s.Info.Context,
				Where: s.Info.Def.Where(), Code: s.Info.Def.Text, Changes: s.Changes})
		}
		out.Violations = append(out.Violations, jv)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func list(w io.Writer) error {
	fmt.Fprintln(w, "variants:")
	for _, v := range model.Variants() {
		tag := ""
		if v.Broken {
			tag = " [broken, for tests]"
		}
		fmt.Fprintf(w, "  %-22s %s%s\n", v.Name, v.Doc, tag)
		for _, k := range v.Knobs {
			fmt.Fprintf(w, "      knob %s=%s (default %s): %s\n", k.Name, strings.Join(k.Values, "|"), k.Default, k.Doc)
		}
		if len(v.Knobs) == 0 {
			fmt.Fprintln(w, "      (no knobs)")
		}
	}
	fmt.Fprintln(w, "properties:")
	for _, p := range properties.All() {
		fmt.Fprintf(w, "  %-13s %s\n", p.Name, p.Doc)
	}
	fmt.Fprintln(w, "strategies: bfs (shortest counterexample), dfs, random (seeded walks)")
	fmt.Fprintln(w, "scenario fields: cpus, tasks[{cpu,running,allowed,weight,cache_hot}], ticks, idle_balance, newidle_max, affinity[{caller,target,mask}], cache_nice_tries, nr_balance_failed, addr_order, knobs")
	return nil
}
