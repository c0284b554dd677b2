package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rqcheck/rqcheck/explore"
)

// rq runs the command. A check that names no --out writes its
// counterexample into a temporary directory, not into the package.
func rq(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	if len(args) > 0 && args[0] == "check" && !slices.Contains(args, "--out") && !slices.Contains(args, "--no-cex") {
		args = append(args, "--out", filepath.Join(t.TempDir(), "out.cex"))
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckDefaultMainlinePasses(t *testing.T) {
	code, out, errs := rq(t, "check", "--variant", "mainline-2.6.24")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"states", "exhaustive", "verdict: no violation"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckViolationExitsOneAndPrintsSchedule(t *testing.T) {
	code, out, _ := rq(t, "check", "--variant", "broken-lb-irqs-on", "--scenario", "balance")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"VIOLATION kernel-bug", "kernel/sched.c:2090", "double_rq_lock:2090", "cpu1 softirq"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestCheckJSON(t *testing.T) {
	code, out, _ := rq(t, "check", "--variant", "broken-drl-unordered", "--scenario", "balance", "--json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"verdict", "variant", "states", "transitions", "seconds", "complete", "violations"} {
		if _, ok := res[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	v := res["violations"].([]any)[0].(map[string]any)
	if v["property"] != "no-deadlock" || len(v["steps"].([]any)) == 0 || res["verdict"] != "violation" {
		t.Errorf("violation %v", v)
	}
	code, out, _ = rq(t, "check", "--variant", "mainline-2.6.24", "--json")
	if code != 0 || !strings.Contains(out, `"verdict": "pass"`) || !strings.Contains(out, `"complete": true`) {
		t.Errorf("mainline JSON: exit %d\n%s", code, out)
	}
}

func TestBadInputExitsTwo(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"check", "--scenario", "testdata/bad-field.json"}, []string{"testdata/bad-field.json", "tasks[0].allowed[1]"}},
		{[]string{"check", "--scenario", "testdata/bad-syntax.json"}, []string{"testdata/bad-syntax.json", "line 3"}},
		{[]string{"check", "--scenario", "testdata/missing.json"}, []string{"missing.json"}},
		{[]string{"check", "--variant", "nope"}, []string{`unknown variant "nope"`}},
		{[]string{"check", "--reference", "foo"}, []string{`--reference: unknown variant "foo" (known: `, "mainline-2.6.24"}},
		{[]string{"check", "--props", "liveness"}, []string{`unknown property "liveness"`}},
		{[]string{"check", "--strategy", "astar"}, []string{`unknown strategy "astar"`}},
		{[]string{"check", "--cpus", "1"}, []string{"field cpus"}},
		{[]string{"check", "--knob", "x"}, []string{"name=value"}},
		{[]string{"check", "--knob", "x=1"}, []string{"knobs.x"}},
		{[]string{"check", "--bogus"}, []string{"bogus"}},
		{[]string{"frobnicate"}, []string{"unknown command"}},
		{nil, []string{"usage"}},
	}
	for _, tc := range tests {
		code, _, errs := rq(t, tc.args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", tc.args, code, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr %q lacks %q", tc.args, errs, w)
			}
		}
	}
}

func TestList(t *testing.T) {
	code, out, _ := rq(t, "list")
	if code != 0 {
		t.Fatal(code)
	}
	for _, want := range []string{"mainline-2.6.24", "broken-lb-irqs-on", "no-deadlock", "no-lost-task", "affinity", "kernel-bug"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q", want)
		}
	}
}

func TestStrategiesAndLimits(t *testing.T) {
	code, out, _ := rq(t, "check", "--variant", "mainline-2.6.24", "--strategy", "dfs", "--cpus", "3", "--tasks", "3", "--ticks", "0")
	if code != 0 || !strings.Contains(out, "exhaustive") {
		t.Errorf("dfs 3 cpus: exit %d\n%s", code, out)
	}
	code, out, _ = rq(t, "check", "--variant", "mainline-2.6.24", "--strategy", "random", "--seed", "5", "--walks", "50")
	if code != 0 || !strings.Contains(out, "incomplete (walks)") {
		t.Errorf("random: exit %d\n%s", code, out)
	}
	code, out, _ = rq(t, "check", "--variant", "mainline-2.6.24", "--max-states", "5")
	if code != 0 || !strings.Contains(out, "incomplete (max-states)") || !strings.Contains(out, "search incomplete") {
		t.Errorf("max-states: exit %d\n%s", code, out)
	}
}

// The main job: check with no flags finds the 2008 oops, writes the
// counterexample, and replay reproduces it.
func TestDefaultCheckFindsTheOopsAndReplays(t *testing.T) {
	file := filepath.Join(t.TempDir(), "oops.cex")
	code, out, errs := rq(t, "check", "--out", file)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"variant thermal-2008",
		"VIOLATION kernel-bug: kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 0 comm migration/0",
		"replay it: rqcheck replay " + file,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = rq(t, "replay", file)
	if code != 1 || !strings.Contains(out, "verdict: reproduced kernel-bug, as the file expects") ||
		!strings.Contains(out, "kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 0 comm migration/0") {
		t.Errorf("replay: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = rq(t, "replay", file, "--variant", "mainline-2.6.24")
	if code != 0 || !strings.Contains(out, "the schedule no longer applies at step") {
		t.Errorf("replay on mainline: exit %d\n%s", code, out)
	}
}

func TestReplayBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.cex")
	if err := os.WriteFile(bad, []byte("format 1\nrqcheck 0.3.0\nbogus line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"replay"}, "no file given"},
		{[]string{"replay", filepath.Join(dir, "missing.cex")}, "missing.cex"},
		{[]string{"replay", bad}, bad + ":3: unknown header key \"bogus\""},
		{[]string{"replay", bad, "--knob", "x"}, "name=value"},
	} {
		code, _, errs := rq(t, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
}

func TestScaleFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--store", "bitstate"}, []string{`"store": "bitstate"`, `"coverage"`, `"omission_probability"`, `"workers": 3`}},
		{[]string{"--store", "fingerprint", "--fp-bits", "128"}, []string{`"store": "fingerprint"`, `"omission_probability"`, `"reductions": [`}},
		{[]string{"--store", "exact"}, []string{`"store": "exact"`, `"verdict": "pass"`, `"por"`, `"symmetry"`}},
		{[]string{"--por=false", "--symmetry=false", "--chains=false"}, []string{`"reductions": []`, `"verdict": "pass"`}},
		{[]string{"--por=false", "--symmetry=false"}, []string{`"reductions": [
    "chains"
  ]`, `"verdict": "pass"`}},
		{[]string{"--memory", "1M"}, []string{`"stopped": "memory"`, `"verdict": "unknown"`}},
	} {
		args := append([]string{"check", "--variant", "mainline-2.6.24", "--scenario", "balance", "--json", "--workers", "3"}, c.args...)
		code, out, errs := rq(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s%s", c.args, code, out, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %s:\n%s", c.args, w, out)
			}
		}
	}
	for _, args := range [][]string{
		{"--store", "tree"}, {"--fp-bits", "32"}, {"--memory", "lots"}, {"--shard", "2/2", "--strategy", "swarm"},
		{"--shard", "0/2"}, {"--preemptions", "-1", "--strategy", "bounded"},
	} {
		if code, out, errs := rq(t, append([]string{"check"}, args...)...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, want 2 with a message\n%s%s", args, code, out, errs)
		}
	}
}

func TestStrategiesFindTheOops(t *testing.T) {
	for _, s := range []string{"pct", "bounded", "swarm", "random", "dfs"} {
		code, out, errs := rq(t, "check", "--strategy", s, "--minimise", "none")
		if code != 1 || !strings.Contains(out, "sched.c:2090") {
			t.Errorf("%s: exit %d\n%s%s", s, code, out, errs)
		}
	}
}

// TestBytesPerStateOnlyWhenMeaningful: the report gives the store's bytes
// per state for a search of many states, not for a tiny one, where the
// store's initial size would make the figure meaningless.
func TestBytesPerStateOnlyWhenMeaningful(t *testing.T) {
	_, out, _ := rq(t, "check", "--no-cex")
	if strings.Contains(out, "bytes/state") {
		t.Errorf("the default job (a few states) reports bytes/state:\n%s", out)
	}
	_, out, _ = rq(t, "check", "--variant", "mainline-2.6.24", "--cpus", "3", "--tasks", "2", "--no-cex")
	if !strings.Contains(out, "bytes/state") {
		t.Errorf("a search of many states lacks bytes/state:\n%s", out)
	}
}

// TestMaxDepthHelp: --max-depth's help says what it bounds: with chain
// compression DFS's schedules may be longer than the bound.
func TestMaxDepthHelp(t *testing.T) {
	code, _, errs := rq(t, "check", "-h")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	i := strings.Index(errs, "-max-depth")
	if i < 0 {
		t.Fatalf("help lacks -max-depth:\n%s", errs)
	}
	help := errs[i:]
	help = help[:strings.Index(help[1:], "\n  -")+1]
	for _, want := range []string{"bfs ignores it", "--chains", "may be longer"} {
		if !strings.Contains(help, want) {
			t.Errorf("--max-depth help lacks %q:\n%s", want, help)
		}
	}
	// What the help says: DFS with chains goes past the bound.
	_, out, _ := rq(t, "check", "--strategy", "dfs", "--max-depth", "2", "--minimise", "none", "--no-cex")
	if !strings.Contains(out, "found after 26 steps") {
		t.Errorf("dfs --max-depth 2 no longer finds a 26-step schedule:\n%s", out)
	}
}

// TestPCTJSON: a PCT search's JSON has its runs, depth and guarantee, as
// the text has; other strategies' JSON has none of them.
func TestPCTJSON(t *testing.T) {
	for _, tc := range []struct {
		args []string
		pct  bool
	}{
		{[]string{"--strategy", "pct", "--walks", "20", "--pct-depth", "2"}, true},
		{[]string{"--strategy", "random", "--walks", "20"}, false},
		{nil, false},
	} {
		args := append([]string{"check", "--variant", "mainline-2.6.24", "--json"}, tc.args...)
		code, out, errs := rq(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", tc.args, code, errs)
		}
		var res struct {
			PCTGuarantee *float64 `json:"pct_guarantee"`
			MaxDepth     int      `json:"max_depth"`
		}
		var raw map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal([]byte(out), &raw)
		if !tc.pct {
			for _, k := range []string{"runs", "pct_depth", "pct_guarantee"} {
				if _, ok := raw[k]; ok {
					t.Errorf("%v: JSON has %q", tc.args, k)
				}
			}
			continue
		}
		if raw["runs"] != 20.0 || raw["pct_depth"] != 2.0 || res.PCTGuarantee == nil {
			t.Fatalf("%v: runs %v, pct_depth %v, pct_guarantee %v", tc.args, raw["runs"], raw["pct_depth"], raw["pct_guarantee"])
		}
		if want := explore.PCTGuarantee(2, res.MaxDepth, 2, 20); *res.PCTGuarantee != want || want <= 0 {
			t.Errorf("pct_guarantee %v, want %v", *res.PCTGuarantee, want)
		}
	}
}

// TestJSONWorkers: JSON's workers is the goroutines that searched, for
// every strategy, not 0 where explore does not set it.
func TestJSONWorkers(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want float64
	}{
		{[]string{"--strategy", "bfs", "--workers", "2"}, 2},
		{[]string{"--strategy", "dfs", "--workers", "2"}, 1},
		{[]string{"--strategy", "random", "--workers", "2", "--walks", "5"}, 1},
		{[]string{"--strategy", "pct", "--workers", "2", "--walks", "5"}, 1},
		{[]string{"--strategy", "bounded", "--workers", "2"}, 1},
		{[]string{"--strategy", "swarm", "--workers", "2", "--walks", "1"}, 2},
		{[]string{"--strategy", "swarm", "--workers", "3", "--walks", "1", "--shard", "0/32"}, 2},
		{[]string{"--strategy", "swarm", "--workers", "3", "--walks", "1", "--shard", "1/64"}, 1},
	} {
		res := jsonOf(t, tc.args...)
		if res["workers"] != tc.want {
			t.Errorf("%v: workers %v, want %v", tc.args, res["workers"], tc.want)
		}
	}
}

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want explore.Shard
		ok   bool
	}{
		{"0/1", explore.Shard{I: 0, N: 1}, true},
		{"1/2", explore.Shard{I: 1, N: 2}, true},
		{"63/64", explore.Shard{I: 63, N: 64}, true},
		{"1/2x", explore.Shard{}, false},
		{"1/2/3", explore.Shard{}, false},
		{"2/2", explore.Shard{}, false},
		{"0/0", explore.Shard{}, false},
		{"-1/2", explore.Shard{}, false},
		{"+1/2", explore.Shard{}, false},
		{" 1/2", explore.Shard{}, false},
		{"1 /2", explore.Shard{}, false},
		{"1", explore.Shard{}, false},
		{"/2", explore.Shard{}, false},
		{"1/", explore.Shard{}, false},
		{"1/99999999999999999999", explore.Shard{}, false},
		{"0/1048576", explore.Shard{I: 0, N: 1048576}, true},
		{"0/1048577", explore.Shard{}, false},
	} {
		got, err := parseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseShard(%q) = %v, %v; want %v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--shard") {
			t.Errorf("parseShard(%q): error %q does not name the flag", tc.in, err)
		}
	}
}

// TestShardFlag: a malformed --shard, or one with more shards than a swarm
// without a time limit has configurations, is bad input, not a search that
// runs nothing.
func TestShardFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--shard", "1/2x"}, `--shard "1/2x": want i/N`},
		{[]string{"--shard", "1/2/3"}, `--shard "1/2/3": want i/N`},
		{[]string{"--shard", "70/100"}, "--shard 70/100: without --time-limit a swarm has 64 configurations"},
		{[]string{"--shard", "3/65"}, "want at most 64 shards"},
	} {
		args := append([]string{"check", "--strategy", "swarm", "--walks", "1", "--no-cex"}, tc.args...)
		code, out, errs := rq(t, args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q\n%s", tc.args, code, errs, tc.want, out)
		}
	}
	// With a time limit every shard has configurations to run (1 s: a
	// loaded machine can stall a run longer than 200 ms before its first).
	code, out, errs := rq(t, "check", "--strategy", "swarm", "--walks", "1", "--shard", "70/100", "--time-limit", "1s", "--variant", "mainline-2.6.24", "--json")
	if code != 0 || !strings.Contains(out, `"states"`) || strings.Contains(out, `"states": 0,`) {
		t.Errorf("--shard 70/100 --time-limit: exit %d\n%s%s", code, out, errs)
	}
}

// TestMemoryFlag: --memory takes sizes strictly; a size that used to mean
// "no cap" silently (NaN, overflow, a fraction of a byte) or a tiny one is
// bad input.
func TestMemoryFlag(t *testing.T) {
	for _, tc := range []struct {
		size, want string
	}{
		{"NaN", `--memory: size "NaN": want a number`},
		{"Inf", `--memory: size "Inf": want a number`},
		{"99999999999999999999", `--memory: size "99999999999999999999": too large`},
		{"1e30T", `--memory: size "1e30T": want a number`},
		{"0.5", `--memory: size "0.5" is 0.5 bytes, below the minimum of 1 MiB`},
		{"10", `--memory: size "10" is 10 bytes, below the minimum of 1 MiB`},
		{"4X", `--memory: size "4X": want a number`},
	} {
		code, out, errs := rq(t, "check", "--variant", "mainline-2.6.24", "--memory", tc.size)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("--memory %s: exit %d, stderr %q; want 2 and %q\n%s", tc.size, code, errs, tc.want, out)
		}
	}
	for _, size := range []string{"4g", "4G", "4GiB", "4 gb", "0"} {
		if code, out, errs := rq(t, "check", "--variant", "mainline-2.6.24", "--memory", size); code != 0 {
			t.Errorf("--memory %q: exit %d\n%s%s", size, code, out, errs)
		}
	}
}

// TestBadNumericFlags: a numeric flag out of its range is bad input naming
// the flag and the value, not silently replaced by a default or left
// unbounded.
func TestBadNumericFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--workers", "0"}, "--workers 0: want 1..1024"},
		{[]string{"--workers", "-3"}, "--workers -3: want 1..1024"},
		{[]string{"--workers", "1000000"}, "--workers 1000000: want 1..1024"},
		{[]string{"--strategy", "pct", "--pct-depth", "0"}, "--pct-depth 0: want 1..100"},
		{[]string{"--strategy", "pct", "--pct-depth", "-2"}, "--pct-depth -2: want 1..100"},
		{[]string{"--strategy", "pct", "--pct-depth", "1000000000"}, "--pct-depth 1000000000: want 1..100"},
		{[]string{"--strategy", "random", "--walks", "-1"}, "--walks -1: want 0 (the default) or more"},
		{[]string{"--strategy", "random", "--time-limit", "-1s"}, "--time-limit -1s: want 0 (no limit) or more"},
		{[]string{"--max-states", "-5"}, "--max-states -5: want 0 (no limit) or more"},
		{[]string{"--strategy", "dfs", "--max-depth", "-1"}, "--max-depth -1: want 0 (no bound) or more"},
		{[]string{"--minimise-states", "-1"}, "--minimise-states -1: want 0 (no limit) or more"},
		{[]string{"--ticks", "-5"}, "--ticks -5: want 0..100"},
		{[]string{"--ticks", "-1"}, "--ticks -1: want 0..100"},
		{[]string{"--ticks", "101"}, "--ticks 101: want 0..100"},
		{[]string{"--fp-bits", "0"}, "--fp-bits 0: want 64 or 128"},
		{[]string{"--fp-bits", "32"}, "--fp-bits 32: want 64 or 128"},
		{[]string{"--strategy", "bounded", "--preemptions", "-1"}, "--preemptions -1: want 0 or more"},
	} {
		code, out, errs := rq(t, append([]string{"check", "--no-cex"}, tc.args...)...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q\n%s", tc.args, code, errs, tc.want, out)
		}
	}
	// The documented meanings stay: 0 is the default or no limit.
	for _, args := range [][]string{
		{"--strategy", "random", "--walks", "0", "--time-limit", "0", "--max-depth", "0"},
		{"--max-states", "0", "--minimise-states", "0", "--ticks", "0", "--workers", "1"},
		{"--strategy", "pct", "--pct-depth", "1", "--walks", "10"},
	} {
		if code, out, errs := rq(t, append([]string{"check", "--variant", "mainline-2.6.24", "--no-cex"}, args...)...); code != 0 {
			t.Errorf("%v: exit %d\n%s%s", args, code, out, errs)
		}
	}
}

// TestMinimisationReported: the report says how far each violation was
// minimised: the JSON's "minimisation", and in the text a note when the
// guarantees do not hold. (An interrupted one: TestSignalDuringMinimisation.)
func TestMinimisationReported(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		json    string
		text    string
		textNot string
	}{
		{nil, "complete", "; minimised: ", "minimisation "},
		{[]string{"--minimise-states", "10"}, "bounded", "minimisation incomplete: a search stopped at --minimise-states", ""},
		{[]string{"--minimise", "none"}, "none", "not minimised (--minimise none)", "minimised: "},
	} {
		code, out, errs := rq(t, append([]string{"check", "--no-cex", "--json"}, tc.args...)...)
		var res struct {
			Violations []struct{ Minimisation string }
		}
		if err := json.Unmarshal([]byte(out), &res); code != 1 || err != nil || len(res.Violations) != 1 {
			t.Fatalf("%v: exit %d, %v\n%s%s", tc.args, code, err, out, errs)
		}
		if m := res.Violations[0].Minimisation; m != tc.json {
			t.Errorf("%v: minimisation %q, want %q", tc.args, m, tc.json)
		}
		_, out, _ = rq(t, append([]string{"check", "--no-cex"}, tc.args...)...)
		if !strings.Contains(out, tc.text) || (tc.textNot != "" && strings.Contains(out, tc.textNot)) {
			t.Errorf("%v: text lacks %q or has %q:\n%s", tc.args, tc.text, tc.textNot, out)
		}
	}
}

// TestOutUnwritable: an --out in a directory that does not exist is bad
// input before any search; a file that cannot be written after the search
// (here: --out names a directory) costs neither the report nor the
// nonzero exit.
func TestOutUnwritable(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing", "x.cex")
	code, out, errs := rq(t, "check", "--out", missing)
	if code != 2 || out != "" || !strings.Contains(errs, "--out "+missing+": ") {
		t.Errorf("--out in a missing directory: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, errs = rq(t, "check", "--minimise", "none", "--out", dir)
	if code != 2 || !strings.Contains(errs, "writing the counterexample: ") {
		t.Errorf("--out a directory: exit %d, stderr %q; want 2 and the write error", code, errs)
	}
	for _, want := range []string{"VIOLATION kernel-bug", "counterexample not written: ", "verdict: 1 violation(s)"} {
		if !strings.Contains(out, want) {
			t.Errorf("--out a directory: report lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = rq(t, "check", "--minimise", "none", "--json", "--out", dir)
	var res struct{ Verdict string }
	if err := json.Unmarshal([]byte(out), &res); code != 2 || err != nil || res.Verdict != "violation" || !strings.Contains(errs, "writing the counterexample") {
		t.Errorf("--json, --out a directory: exit %d, %v, verdict %q, stderr %q", code, err, res.Verdict, errs)
	}
}

// TestJSONMemoryCap: a --memory cap the machine can give is the cap the
// JSON reports, for every strategy; without one there is no memory_cap.
func TestJSONMemoryCap(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want any
	}{
		{[]string{"--strategy", "bfs", "--memory", "64M"}, float64(64 << 20)},
		{[]string{"--strategy", "random", "--walks", "5", "--memory", "64M"}, float64(64 << 20)},
		{[]string{"--strategy", "bfs"}, nil},
	} {
		res := jsonOf(t, tc.args...)
		if res["memory_cap"] != tc.want {
			t.Errorf("%v: memory_cap %v, want %v", tc.args, res["memory_cap"], tc.want)
		}
	}
}

// jsonOf runs check --json on mainline-2.6.24 with args and returns its
// JSON result's fields.
func jsonOf(t *testing.T, args ...string) map[string]any {
	t.Helper()
	_, out, errs := rq(t, append([]string{"check", "--variant", "mainline-2.6.24", "--json"}, args...)...)
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, errs)
	}
	return res
}

// TestCheckReportsUnreachedCode: check reports how many of the model's
// statements the search took a step at; --unreached lists the others, as
// the JSON's code.unreached does, and they are the code a search of the
// scenario cannot run: on the default scenario (2 CPUs, no tick) mainline
// never balances.
func TestCheckReportsUnreachedCode(t *testing.T) {
	args := []string{"check", "--variant", "mainline-2.6.24", "--no-cex"}
	var r jsonResult
	_, out, errs := rq(t, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Code == nil {
		t.Fatalf("JSON: %v, code %v\n%s%s", err, r.Code, out, errs)
	}
	c := r.Code
	if c.Reached <= 0 || c.Reached+len(c.Unreached) != c.Steps {
		t.Fatalf("code: %d reached + %d unreached != %d statements", c.Reached, len(c.Unreached), c.Steps)
	}
	var where []string
	for _, u := range c.Unreached {
		where = append(where, u.Where)
	}
	for _, want := range []string{"load_balance:2821", "active_load_balance:3050"} {
		if !slices.Contains(where, want) {
			t.Errorf("unreached %v lacks %s", where, want)
		}
	}
	for _, no := range []string{"smp_call_function_mask:399 (arch/x86/kernel/smp_64.c)", "migration_thread:5163"} {
		if slices.Contains(where, no) {
			t.Errorf("unreached lists %s: the thermal patch, not mainline's code, or migration/0's lock, which the affinity call makes it take: %v", no, where)
		}
	}

	_, text, _ := rq(t, args...)
	summary := fmt.Sprintf("code: steps taken at %d of the model's %d statements; %d never taken (--unreached lists them)", c.Reached, c.Steps, len(c.Unreached))
	if !strings.Contains(text, summary) {
		t.Errorf("text lacks %q:\n%s", summary, text)
	}
	_, list, _ := rq(t, append(args, "--unreached")...)
	for _, u := range c.Unreached {
		if !strings.Contains(list, u.Where) || !strings.Contains(list, u.Code) {
			t.Errorf("--unreached lacks %s %s:\n%s", u.Where, u.Code, list)
		}
	}
}
