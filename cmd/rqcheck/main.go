// Command rqcheck model-checks Linux SMP load balancing.
//
//	rqcheck check [flags]        explore a variant on a scenario, check properties,
//	                             write a minimised counterexample for each violation
//	rqcheck replay FILE [flags]  re-execute a counterexample file
//	rqcheck merge FILE...        merge the JSON results of swarm shards
//	rqcheck list                 list variants, knobs and properties
//
// With no flags, check runs thermal-2008 on the built-in scenario: it finds
// the 2008 oops (kernel BUG at kernel/sched.c:2090 on CPU 0 in
// migration/0), writes thermal-2008.cex and prints the replay command.
//
// Exit status: 0 no violation (replay: not reproduced), 1 violation found
// (replay: reproduced), 2 bad input or usage, or a counterexample file
// that could not be written (check prints its report first).
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
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rqcheck/rqcheck/cex"
	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

const usage = `usage:
  rqcheck check [flags]          explore a variant on a scenario, check properties,
                                 write a minimised counterexample for each violation
  rqcheck replay FILE [flags]    re-execute a counterexample file
  rqcheck merge [--json] FILE... merge the JSON results of swarm shards into one verdict
  rqcheck list                   list variants, knobs and properties

Run 'rqcheck check -h' for the flags of check.
`

// maxWorkers bounds --workers: each worker holds buffers, so a huge count
// only wastes memory, and no machine rqcheck runs on has this many CPUs.
const maxWorkers = 1024

// maxShards bounds a shard count (--shard, merge): more than any job
// array runner runs, and few enough for merge to list the missing ones.
const maxShards = 1 << 20

// maxPCTDepth bounds --pct-depth: PCT's guarantee for depth d falls as
// steps^(d-1), so a deeper bound guarantees nothing, and each run keeps d-1
// change points.
const maxPCTDepth = 100

// minPerState is the fewest states for which the report gives the store's
// bytes per state: below it the store's initial size, not the states,
// decides the figure (16384 bytes/state for a 2-state search).
const minPerState = 10_000

// stageHook, if set, is called as check reaches each stage of its work:
// "search" just before the search starts, "minimise" just before a
// violation's minimisation starts. Only the signal tests set it, in the
// child process, so that they send their signal at a known stage rather
// than after a guessed delay.
var stageHook func(stage string)

func stage(name string) {
	if stageHook != nil {
		stageHook(name)
	}
}

func main() {
	// Ctrl-C, or SIGTERM from a job runner at its deadline, stops the
	// search cleanly: it reports what it found (and, with --json, writes
	// its result) before exiting.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
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
	case "replay":
		code, err = replay(args[1:], stdout, stderr)
	case "merge":
		return runMerge(args[1:], stdout, stderr)
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
	fs.StringVar(&f.file, "scenario", "", "scenario JSON `file`, or a built-in scenario: default (the 2008 oops), balance (ticks, load_balance, idle balance)")
	fs.IntVar(&f.cpus, "cpus", 0, "number of CPUs (2..8) for a generated scenario")
	fs.IntVar(&f.tasks, "tasks", 0, "number of tasks (1..8) for a generated scenario")
	fs.IntVar(&f.ticks, "ticks", -1, "timer ticks per CPU, 0..100 (default: the scenario's)")
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
		if b, ok := model.BuiltinScenario(f.file); ok {
			sc = b
		} else {
			var err error
			if sc, err = model.LoadScenario(f.file); err != nil {
				return nil, usageError{err}
			}
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
	variant := fs.String("variant", "thermal-2008", "kernel variant (see 'rqcheck list')")
	strategy := fs.String("strategy", "bfs", "search strategy: bfs, dfs, random, pct, bounded or swarm")
	props := fs.String("props", "default", "comma-separated properties to check; \"default\" leaves out opt-in ones (work-conservation), \"all\" checks every one")
	seed := fs.Uint64("seed", 1, "seed of the random, pct and swarm strategies")
	maxStates := fs.Int64("max-states", 0, "stop after this many distinct states (0: no limit)")
	maxDepth := fs.Int("max-depth", 0, "depth bound in steps, 0: none (random, pct: 10000); bfs ignores it. "+
		"dfs expands no state reached by this many steps, but with --chains it follows the chain after the last step to its end, so a schedule may be longer; "+
		"bounded, random, pct: no schedule is longer; swarm: caps each run's bound")
	walks := fs.Int("walks", 0, "random walks or PCT runs (swarm: per configuration) to run; 0: 1000, or until --time-limit if one is set (swarm: 100)")
	timeLimit := fs.Duration("time-limit", 0, "stop after this long, e.g. 30s (0: no limit)")
	all := fs.Bool("all", false, "keep going after a violation: report the first of each property")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	minimise := fs.String("minimise", "all", "minimise each violation: all (scenario, then schedule), schedule, or none")
	reference := fs.String("reference", "", "variant that must hold on a shrunk scenario (default: mainline-2.6.24 unless checking it; --reference '' for none)")
	minStates := fs.Int64("minimise-states", 2_000_000, "bound on each search while minimising (0: no limit)")
	out := fs.String("out", "", "counterexample file to write (default VARIANT.cex; with several violations, -PROPERTY is added)")
	noCex := fs.Bool("no-cex", false, "write no counterexample file")
	workers := fs.Int("workers", min(runtime.GOMAXPROCS(0), maxWorkers), "goroutines that search (bfs, swarm), 1.."+strconv.Itoa(maxWorkers))
	storeName := fs.String("store", "fingerprint", "visited-state store of bfs and dfs: exact, fingerprint or bitstate")
	fpBits := fs.Int("fp-bits", 64, "fingerprint size for --store fingerprint: 64 or 128")
	memory := fs.String("memory", "", "stop the search cleanly, whatever the strategy, when the process holds this much memory (minimisation is bounded by --minimise-states instead): a `size` of at least 1M with a unit K, M, G or T (powers of 1024; any case, optional iB or B), e.g. 512M, 4G; a bare number is bytes; 0 or empty: no cap. A cap above 7/8 of the memory available is lowered to that (bitstate: half of it is the bit array)")
	pctDepth := fs.Int("pct-depth", 3, "PCT bug depth d, 1.."+strconv.Itoa(maxPCTDepth)+": d-1 priority change points per run")
	preemptions := fs.Int("preemptions", 2, "preemption bound of --strategy bounded")
	shard := fs.String("shard", "", "run only shard `i/N` of a swarm (0 <= i < N); combine shards with rqcheck merge")
	por := fs.Bool("por", true, "partial-order reduction in bfs and dfs (--por=false: off)")
	symmetry := fs.Bool("symmetry", true, "symmetry reduction in bfs and dfs over interchangeable tasks; CPUs are never interchangeable (runqueue address order, model/symmetry.go) (--symmetry=false: off)")
	chains := fs.Bool("chains", true, "chain compression in bfs and dfs: a state with one step to take (after POR) is judged, not stored (--chains=false: off)")
	quiet := fs.Bool("quiet", false, "no progress line (it shows only on a terminal anyway)")
	unreached := fs.Bool("unreached", false, "list the model's statements the search took no step at: kernel code it never ran (JSON: always, in code.unreached)")
	if err := fs.Parse(args); err != nil {
		return 2, usageError{err}
	}
	if fs.NArg() > 0 {
		return 2, usageError{fmt.Errorf("check: unexpected argument %q", fs.Arg(0))}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, c := range []struct {
		flag string
		v    int64
		ok   bool
		want string
	}{
		{"workers", int64(*workers), *workers >= 1 && *workers <= maxWorkers, "1.." + strconv.Itoa(maxWorkers)},
		{"pct-depth", int64(*pctDepth), *pctDepth >= 1 && *pctDepth <= maxPCTDepth, "1.." + strconv.Itoa(maxPCTDepth)},
		{"preemptions", int64(*preemptions), *preemptions >= 0, "0 or more"},
		{"walks", int64(*walks), *walks >= 0, "0 (the default) or more"},
		{"max-states", *maxStates, *maxStates >= 0, "0 (no limit) or more"},
		{"max-depth", int64(*maxDepth), *maxDepth >= 0, "0 (no bound) or more"},
		{"minimise-states", *minStates, *minStates >= 0, "0 (no limit) or more"},
		{"fp-bits", int64(*fpBits), *fpBits == 64 || *fpBits == 128, "64 or 128"},
		{"ticks", int64(sf.ticks), !set["ticks"] || (sf.ticks >= 0 && sf.ticks <= 100), "0..100"},
	} {
		if !c.ok {
			return 2, usageError{fmt.Errorf("--%s %d: want %s", c.flag, c.v, c.want)}
		}
	}
	if *timeLimit < 0 {
		return 2, usageError{fmt.Errorf("--time-limit %v: want 0 (no limit) or more", *timeLimit)}
	}
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
	store, err := explore.ParseStore(*storeName)
	if err != nil {
		return 2, usageError{err}
	}
	var memCap int64
	if *memory != "" {
		if memCap, err = explore.ParseSize(*memory); err != nil {
			return 2, usageError{fmt.Errorf("--memory: %w", err)}
		}
	}
	if *out != "" && !*noCex {
		// Fail now, not after a long search, if the file cannot be made.
		if fi, err := os.Stat(filepath.Dir(*out)); err != nil {
			return 2, usageError{fmt.Errorf("--out %s: %w", *out, err)}
		} else if !fi.IsDir() {
			return 2, usageError{fmt.Errorf("--out %s: %s is not a directory", *out, filepath.Dir(*out))}
		}
	}
	var sh explore.Shard
	if *shard != "" {
		if sh, err = parseShard(*shard); err != nil {
			return 2, usageError{err}
		}
		if strat != explore.Swarm {
			return 2, usageError{fmt.Errorf("--shard splits a swarm: use it with --strategy swarm")}
		}
		if sh.N > explore.SwarmSize && *timeLimit == 0 {
			return 2, usageError{fmt.Errorf("--shard %s: without --time-limit a swarm has %d configurations, one shard needs at least one: "+
				"want at most %d shards (or a --time-limit, with which the configurations go on until the time is up)", *shard, explore.SwarmSize, explore.SwarmSize)}
		}
	}
	bound := *preemptions
	if bound == 0 {
		bound = -1 // explore: negative is bound 0
	}
	switch *minimise {
	case "all", "schedule", "none":
	default:
		return 2, usageError{fmt.Errorf("--minimise %q: want all, schedule or none", *minimise)}
	}
	ref := *reference
	if ref != "" {
		if _, err := model.Lookup(ref); err != nil {
			return 2, usageError{fmt.Errorf("--reference: %w", err)}
		}
	}
	if !set["reference"] && m.Variant.Name != "mainline-2.6.24" {
		ref = "mainline-2.6.24"
	}
	report, clear := progress(stderr, *quiet, *maxStates, *timeLimit)
	stage("search")
	res, err := explore.Run(ctx, m, explore.Options{
		Strategy: strat, Props: sel, MaxStates: *maxStates, TimeLimit: *timeLimit,
		Seed: *seed, MaxDepth: *maxDepth, Walks: *walks, All: *all,
		Workers: *workers, Store: store, FPBits: *fpBits, Memory: memCap,
		PCTDepth: *pctDepth, Preemptions: bound, Shard: sh, Progress: report,
		POR: *por, Symmetry: *symmetry, Chains: *chains,
	})
	clear()
	if err != nil {
		return 2, usageError{err}
	}
	if ctx.Err() != nil && *minimise != "none" && len(res.Violations) > 0 {
		// Interrupted: report what was found at once, unminimised.
		fmt.Fprintln(stderr, "rqcheck: interrupted; reporting what was found so far, without minimising")
	}
	var founds []*found
	var writeErrs []error
	for _, v := range res.Violations {
		f := &found{min: explore.AsFound(m, v), minimisation: minNone}
		switch {
		case *minimise == "none":
		case ctx.Err() != nil:
			// Interrupted before this one's minimisation began.
			f.minimisation = minInterrupted
		default:
			stage("minimise")
			mv, err := explore.MinimiseViolation(ctx, m, v, explore.MinimiseViolationOptions{
				Scenario: *minimise == "all", MaxStates: *minStates,
				Shrink: explore.ShrinkOptions{Reference: ref, MaxStates: *minStates},
			})
			if err != nil {
				return 2, err
			}
			f.min, f.minimised = mv, true
			switch {
			case ctx.Err() != nil:
				// Complete or not, a shrink cut short does not say so.
				f.minimisation = minInterrupted
			case !mv.Complete:
				f.minimisation = minBounded
			default:
				f.minimisation = minComplete
			}
		}
		if !*noCex {
			path := *out
			if path == "" {
				path = m.Variant.Name + ".cex"
			}
			if len(res.Violations) > 1 {
				path = strings.TrimSuffix(path, ".cex") + "-" + v.Property + ".cex"
			}
			// A file that cannot be written does not cost the report:
			// it is printed first, the error after it.
			file, err := cex.New(f.min.Model, f.min.Violation.Property, f.min.Violation.Message, f.min.Violation.Trace)
			if err == nil {
				err = os.WriteFile(path, file.Marshal(), 0o644)
			}
			if err != nil {
				f.writeErr = fmt.Errorf("writing the counterexample: %w", err)
				writeErrs = append(writeErrs, f.writeErr)
			} else {
				f.file = path
			}
		}
		founds = append(founds, f)
	}
	res.Workers = workersUsed(res, *workers, sh, *timeLimit)
	if *asJSON {
		search := jsonSearch{Shard: sh.I, Shards: max(sh.N, 1), Props: []string{}, Settings: map[string]any{
			"max_states": *maxStates, "time_limit": timeLimit.String(), "all": *all,
		}}
		for _, p := range sel {
			search.Props = append(search.Props, p.Name)
		}
		st := search.Settings
		switch strat {
		case explore.BFS, explore.DFS:
			st["store"], st["memory"] = string(store), memCap
			st["por"], st["symmetry"], st["chains"] = *por, *symmetry, *chains
			if store == explore.Fingerprint {
				st["fp_bits"] = *fpBits
			}
			if strat == explore.DFS {
				st["max_depth"] = *maxDepth
			}
		case explore.Random, explore.Swarm:
			st["seed"], st["walks"], st["max_depth"] = *seed, *walks, *maxDepth
		case explore.PCT:
			st["seed"], st["walks"], st["max_depth"], st["pct_depth"] = *seed, *walks, *maxDepth, *pctDepth
		case explore.Bounded:
			st["preemptions"], st["max_depth"] = *preemptions, *maxDepth
		}
		err = writeJSON(stdout, m, strat, res, founds, search)
	} else {
		writeText(stdout, m, strat, res, founds, memCap, *unreached)
	}
	if err != nil {
		return 2, err
	}
	if len(writeErrs) > 0 {
		return 2, errors.Join(writeErrs...)
	}
	if len(res.Violations) > 0 {
		return 1, nil
	}
	return 0, nil
}

// workersUsed is the number of goroutines that searched: res.Workers where
// explore sets it (bfs, dfs), 1 for the sequential random, pct and bounded,
// and for swarm the goroutines that run its configurations: workers, but
// no more than the shard has configurations when the swarm has a fixed
// size (no time limit); explore starts workers goroutines, and those
// beyond that end at once.
func workersUsed(res *explore.Result, workers int, sh explore.Shard, timeLimit time.Duration) int {
	if res.Workers > 0 {
		return res.Workers
	}
	if res.Strategy != explore.Swarm {
		return 1
	}
	if timeLimit > 0 {
		return workers // the swarm's configurations go on until the time is up
	}
	configs := explore.SwarmSize
	if sh.N > 0 {
		configs = (explore.SwarmSize - sh.I + sh.N - 1) / sh.N // j < SwarmSize with j%N == I
	}
	return max(1, min(workers, configs))
}

// parseShard reads --shard's "i/N": two decimal numbers, 0 <= i < N, and
// nothing else.
func parseShard(s string) (explore.Shard, error) {
	bad := fmt.Errorf("--shard %q: want i/N, two decimal numbers with 0 <= i < N", s)
	a, b, ok := strings.Cut(s, "/")
	if !ok || !isDigits(a) || !isDigits(b) {
		return explore.Shard{}, bad
	}
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || n < 1 || i >= n {
		return explore.Shard{}, bad
	}
	if n > maxShards {
		return explore.Shard{}, fmt.Errorf("--shard %q: at most %d shards", s, maxShards)
	}
	return explore.Shard{I: i, N: n}, nil
}

// isDigits reports whether s is a non-empty string of ASCII digits.
func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
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

// found is a violation after minimisation, and the file it was written to.
type found struct {
	min  *explore.Minimised
	file string
	// minimised: minimisation ran (to its end or not); minimisation says
	// how far (the JSON's "minimisation").
	minimised    bool
	minimisation string
	writeErr     error // why file is "" though a file was asked for
}

// How far a violation was minimised.
const (
	minComplete    = "complete"    // every search ran to its end: the guarantees hold
	minBounded     = "bounded"     // a search stopped at --minimise-states
	minInterrupted = "interrupted" // Ctrl-C or SIGTERM stopped it, or came before it began
	minNone        = "none"        // --minimise none
)

// writeText prints the report; asked is --memory's cap in bytes (0: none).
func writeText(w io.Writer, m *model.Model, strat explore.Strategy, res *explore.Result, found []*found, asked int64, listUnreached bool) {
	st := res.Stats
	fmt.Fprintf(w, "rqcheck: variant %s, %s search\n", m.Variant.Name, strat)
	fmt.Fprintf(w, "scenario: %s\n", m.Sc)
	for i, v := range res.Violations {
		f := found[i].min
		fmt.Fprintf(w, "\nVIOLATION %s: %s\n", v.Property, f.Violation.Message)
		if !found[i].minimised {
			why := "--minimise none"
			if found[i].minimisation == minInterrupted {
				why = "interrupted"
			}
			fmt.Fprintf(w, "found after %d steps, %d preemptions; not minimised (%s)\n", len(v.Trace), f.Preemptions, why)
		} else {
			fmt.Fprintf(w, "found after %d steps; minimised: ", len(v.Trace))
			if f.Shrink != nil && len(f.Shrink.Applied) > 0 {
				fmt.Fprintf(w, "scenario %s (%s); ", f.Scenario, strings.Join(f.Shrink.Applied, ", "))
			} else if f.Shrink != nil {
				fmt.Fprintf(w, "scenario unchanged (no single reduction keeps it, %d tried); ", f.Shrink.Tried)
			}
			fmt.Fprintf(w, "%d steps, %d preemptions (shortest: %d steps)\n", len(f.Violation.Trace), f.Preemptions, f.Shortest)
			switch found[i].minimisation {
			case minInterrupted:
				fmt.Fprintln(w, "minimisation interrupted: the scenario and schedule may not be minimal")
			case minBounded:
				fmt.Fprintln(w, "minimisation incomplete: a search stopped at --minimise-states, so the schedule may not be minimal")
			}
		}
		for _, line := range explore.Render(f.Model, f.Violation.Trace) {
			fmt.Fprintln(w, "  "+line)
		}
		if found[i].writeErr != nil {
			fmt.Fprintf(w, "counterexample not written: %v\n", found[i].writeErr)
		}
		if found[i].file != "" {
			fmt.Fprintf(w, "counterexample written to %s\nreplay it: rqcheck replay %s   (in a checkout: go run ./cmd/rqcheck replay %s)\n", found[i].file, found[i].file, found[i].file)
		}
	}
	completeness := "exhaustive"
	if !res.Complete {
		completeness = "incomplete (" + res.Stopped + ")"
	}
	fmt.Fprintf(w, "\n%d states, %d transitions, max depth %d, %.2fs, %.0f states/s, %s\n",
		st.States, st.Transitions, st.MaxDepth, st.Elapsed.Seconds(), st.StatesPerSecond(), completeness)
	if res.Store != "" {
		red := strings.Join(res.Reductions, "+")
		if red == "" {
			red = "none"
		}
		perState := ""
		if st.States >= minPerState {
			perState = fmt.Sprintf(", %.1f bytes/state", float64(res.StoreBytes)/float64(st.States))
		}
		fmt.Fprintf(w, "store %s (%d workers, %.1f MiB%s), reductions %s", res.Store, res.Workers, float64(res.StoreBytes)/(1<<20), perState, red)
		switch res.Store {
		case explore.Fingerprint:
			fmt.Fprintf(w, "; probability that a fingerprint collision omitted a state: %.2g", res.Omission)
		case explore.Bitstate:
			fmt.Fprintf(w, "; expected coverage %.4f%% (probability of an omission %.2g)", 100*res.Coverage, res.Omission)
		}
		fmt.Fprintln(w)
	}
	if res.MemoryCap > 0 && res.MemoryCap < asked {
		fmt.Fprintf(w, "memory cap lowered to %.1f GiB (7/8 of the memory available)\n", float64(res.MemoryCap)/(1<<30))
	}
	code := codeOf(m, res)
	fmt.Fprintf(w, "code: steps taken at %d of the model's %d statements", code.Reached, code.Steps)
	if !res.Complete {
		fmt.Fprint(w, " before the search stopped")
	}
	switch {
	case len(code.Unreached) == 0:
		fmt.Fprintln(w)
	case listUnreached:
		fmt.Fprintf(w, "; never taken:\n")
		for _, u := range code.Unreached {
			fmt.Fprintf(w, "  %-40s %s\n", u.Where, u.Code)
		}
	default:
		fmt.Fprintf(w, "; %d never taken (--unreached lists them)\n", len(code.Unreached))
	}
	if res.Strategy == explore.PCT && res.Runs > 0 {
		fmt.Fprintf(w, "PCT guarantee: %d run(s) find any given bug of depth %d with probability at least %.3g\n",
			res.Runs, res.PCTDepth, explore.PCTGuarantee(m.NumCPUs(), st.MaxDepth, res.PCTDepth, res.Runs))
	}
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
	Property    string          `json:"property"`
	Message     string          `json:"message"`
	FoundSteps  int             `json:"found_steps"`
	Preemptions int             `json:"preemptions"`
	Shortest    int             `json:"shortest"`
	Scenario    *model.Scenario `json:"scenario"`
	File        string          `json:"file,omitempty"`
	// Minimisation says how far the violation was minimised: "complete",
	// "bounded" (a search stopped at --minimise-states), "interrupted"
	// (by a signal, while or before minimising) or "none" (--minimise
	// none). Only "complete" keeps minimisation's guarantees.
	Minimisation string     `json:"minimisation"`
	Steps        []jsonStep `json:"steps"`
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
	Store           string          `json:"store,omitempty"`
	StoreBytes      int64           `json:"store_bytes,omitempty"`
	Workers         int             `json:"workers"`
	Reductions      []string        `json:"reductions"`
	// MemoryCap is the memory cap in bytes the search kept to: --memory,
	// or 7/8 of the memory available if that was less (absent: no cap).
	MemoryCap int64    `json:"memory_cap,omitempty"`
	Omission  *float64 `json:"omission_probability,omitempty"`
	Coverage  *float64 `json:"coverage,omitempty"`
	// PCT runs only: the runs, the bug depth d, and the probability that
	// the runs find any given bug of depth d (the text's "PCT guarantee").
	Runs         *int            `json:"runs,omitempty"`
	PCTDepth     *int            `json:"pct_depth,omitempty"`
	PCTGuarantee *float64        `json:"pct_guarantee,omitempty"`
	Violations   []jsonViolation `json:"violations"`
	Code         *jsonCode       `json:"code,omitempty"`
	StepTable    string          `json:"step_table"`
	// Search identifies the search, with Variant, Scenario, Strategy and
	// StepTable, for rqcheck merge; results written before it was added
	// lack it.
	Search *jsonSearch `json:"search,omitempty"`
}

// jsonCode is the kernel code a search ran (explore.Stats.Reached, as
// SPIN's unreached-code report): how many of the model's statements that
// start a step (model.Model.StepPCs) there are, at how many the search
// took a step, and the others, in step-table order. Results written
// before it was added lack it.
type jsonCode struct {
	Steps     int             `json:"steps"`
	Reached   int             `json:"reached"`
	Unreached []jsonStatement `json:"unreached"`
}

// jsonStatement is one statement of the model: its PC (an index into the
// step table that StepTable names), the kernel function and line it
// models (with its caller where the model has the code twice:
// model.StepDef.Site), and its code.
type jsonStatement struct {
	PC    int    `json:"pc"`
	Where string `json:"where"`
	Code  string `json:"code"`
}

// codeOf is res's jsonCode for the model m.
func codeOf(m *model.Model, res *explore.Result) *jsonCode {
	all := m.StepPCs()
	c := &jsonCode{Steps: all.Len(), Unreached: []jsonStatement{}}
	for _, pc := range all.Minus(&res.Stats.Reached).PCs() {
		d := model.Steps[pc]
		c.Unreached = append(c.Unreached, jsonStatement{PC: int(pc), Where: d.Site(), Code: d.Text})
	}
	c.Reached = c.Steps - len(c.Unreached)
	return c
}

// jsonSearch is what, besides the variant, scenario, strategy and step
// table, makes two results shards of one search: the properties checked,
// the settings that change what the strategy explores (as given on the
// command line: max_states, time_limit and all for every strategy; seed,
// walks and max_depth for random, pct and swarm; pct_depth for pct;
// preemptions and max_depth for bounded; store, memory, por, symmetry,
// chains, fp_bits (fingerprint store) and, for dfs, max_depth for bfs and
// dfs), and which shard of how many it is (0 of 1 without --shard).
type jsonSearch struct {
	Props    []string       `json:"props"`
	Settings map[string]any `json:"settings"`
	Shard    int            `json:"shard"`
	Shards   int            `json:"shards"`
}

func writeJSON(w io.Writer, m *model.Model, strat explore.Strategy, res *explore.Result, found []*found, search jsonSearch) error {
	out := jsonResult{
		Verdict: verdict(res), Variant: m.Variant.Name, Scenario: m.Sc, Strategy: string(strat),
		States: res.Stats.States, Transitions: res.Stats.Transitions, MaxDepth: res.Stats.MaxDepth,
		Seconds: res.Stats.Elapsed.Seconds(), StatesPerSecond: res.Stats.StatesPerSecond(),
		Complete: res.Complete, Stopped: res.Stopped, Violations: []jsonViolation{},
		StepTable: model.StepTableFingerprint(), Store: string(res.Store), StoreBytes: res.StoreBytes,
		Workers: res.Workers, Reductions: append([]string{}, res.Reductions...), Search: &search,
		MemoryCap: res.MemoryCap, Code: codeOf(m, res),
	}
	switch res.Store {
	case explore.Fingerprint:
		out.Omission = &res.Omission
	case explore.Bitstate:
		out.Omission, out.Coverage = &res.Omission, &res.Coverage
	}
	if res.Strategy == explore.PCT {
		g := explore.PCTGuarantee(m.NumCPUs(), res.Stats.MaxDepth, res.PCTDepth, res.Runs)
		out.Runs, out.PCTDepth, out.PCTGuarantee = &res.Runs, &res.PCTDepth, &g
	}
	for i, v := range res.Violations {
		f := found[i].min
		jv := jsonViolation{Property: v.Property, Message: f.Violation.Message, FoundSteps: len(v.Trace),
			Preemptions: f.Preemptions, Shortest: f.Shortest, Scenario: f.Scenario, File: found[i].file,
			Minimisation: found[i].minimisation}
		for _, s := range explore.Replay(f.Model, f.Violation.Trace) {
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
		tag := ""
		if p.OptIn {
			tag = " [opt-in: --props " + p.Name + " or all]"
		}
		fmt.Fprintf(w, "  %-17s %s%s\n", p.Name, p.Doc, tag)
	}
	fmt.Fprintln(w, "strategies: bfs (shortest counterexample; parallel), dfs, random (seeded walks), pct (probabilistic guarantee), bounded (preemption bound), swarm (diversified randomised searches; --shard i/N)")
	fmt.Fprintln(w, "stores: fingerprint (64 or 128 bits, lock-free), exact, bitstate (supertrace)")
	fmt.Fprintln(w, "built-in scenarios: default (the 2008 oops), balance (ticks, load_balance, idle balance)")
	fmt.Fprintln(w, "scenario fields: cpus, tasks[{cpu,running,allowed,weight,cache_hot}], ticks, idle_balance, newidle_max, affinity[{caller,target,mask}], cache_nice_tries, nr_balance_failed, addr_order, knobs")
	return nil
}
