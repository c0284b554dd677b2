package corpus

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rqcheck/rqcheck/cex"
	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

var update = flag.Bool("update", false, "regenerate the corpus files from scratch")

// entry is one corpus file and how rqcheck finds it: the arguments of
// `rqcheck check` that README.md gives for it.
type entry struct {
	file     string
	scenario string // a file under scenarios/, or "" for the built-in default
	props    string
	knobs    map[string]string
	// want is the start of the violation message.
	want string
}

var entries = []entry{
	{file: "oops-2090.cex", props: "default",
		want: "kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 0 comm migration/0"},
	{file: "tick-deadlock.cex", scenario: "tick-deadlock.json", props: "no-deadlock",
		want: "deadlock (interrupt): cpu0/migration/0 is interrupted by cpu0/hardirq"},
	{file: "ipi-deadlock.cex", scenario: "ipi-deadlock.json", props: "no-deadlock",
		want: "deadlock (IPI): cpu0/migration/0 waits for cpu1 to take its IPI"},
	// Not in spec §4: the commented-out call, uncommented.
	{file: "alb-2135.cex", props: "default", knobs: map[string]string{"alb": "on"},
		want: "kernel BUG at kernel/sched.c:2135! (double_lock_balance: BUG_ON(1) /* !irqs_disabled() */) CPU 0 comm migration/0"},
}

// find runs the pipeline of `rqcheck check` with the entry's arguments: a
// BFS for the first violation, then minimisation of scenario and schedule
// with mainline-2.6.24 as the reference, then the file.
func find(t testing.TB, e entry) []byte {
	t.Helper()
	sc := model.DefaultScenario()
	if e.scenario != "" {
		var err error
		if sc, err = model.LoadScenario(filepath.Join("scenarios", e.scenario)); err != nil {
			t.Fatal(err)
		}
	}
	if len(e.knobs) > 0 {
		sc.Knobs = e.knobs
	}
	m, err := model.New(sc, "thermal-2008")
	if err != nil {
		t.Fatal(err)
	}
	props, err := properties.Select(e.props)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := explore.Run(ctx, m, explore.Options{Props: props})
	if err != nil || len(res.Violations) == 0 {
		t.Fatalf("%s: no violation found (%v)", e.file, err)
	}
	mv, err := explore.MinimiseViolation(ctx, m, res.Violations[0], explore.MinimiseViolationOptions{
		Scenario: true, MaxStates: 2_000_000,
		Shrink: explore.ShrinkOptions{Reference: "mainline-2.6.24", MaxStates: 2_000_000},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !mv.Complete {
		t.Fatalf("%s: minimisation did not complete", e.file)
	}
	f, err := cex.New(mv.Model, mv.Violation.Property, mv.Violation.Message, mv.Violation.Trace)
	if err != nil {
		t.Fatal(err)
	}
	return f.Marshal()
}

// TestCorpusIsFoundFromScratch regenerates every file and compares: a file
// that differs was edited by hand or is stale (run with -update).
func TestCorpusIsFoundFromScratch(t *testing.T) {
	for _, e := range entries {
		t.Run(e.file, func(t *testing.T) {
			got := find(t, e)
			if *update {
				if err := os.WriteFile(e.file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(e.file)
			if err != nil {
				t.Fatalf("%v (run go test ./corpus -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what rqcheck finds now; regenerate it with go test ./corpus -update and review the diff", e.file)
			}
		})
	}
}

// TestCorpusReplays replays every file: it reproduces its violation with
// the message it records, and mainline-2.6.24 does not reproduce it.
func TestCorpusReplays(t *testing.T) {
	files, _ := filepath.Glob("*.cex")
	if len(files) != len(entries) {
		t.Errorf("corpus has %d files, the table lists %d", len(files), len(entries))
	}
	for _, e := range entries {
		t.Run(e.file, func(t *testing.T) {
			data, err := os.ReadFile(e.file)
			if err != nil {
				t.Fatal(err)
			}
			f, err := cex.Parse(e.file, data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := cex.Replay(f, cex.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if out.Verdict != cex.Reproduced || !out.SameMessage || out.AtStep != len(f.Steps) {
				t.Fatalf("replay: %v at step %d of %d, message %q", out.Verdict, out.AtStep, len(f.Steps), out.Message)
			}
			if !strings.HasPrefix(out.Message, e.want) {
				t.Errorf("message %q does not start with %q", out.Message, e.want)
			}
			main, err := cex.Replay(f, cex.Options{Variant: "mainline-2.6.24"})
			if err != nil {
				t.Fatal(err)
			}
			if main.Verdict == cex.Reproduced {
				t.Errorf("mainline-2.6.24 reproduces it: %s", main.Message)
			}
			// Stronger: on the file's scenario no schedule at all makes
			// mainline violate the property.
			holds, err := explore.Holds(context.Background(), f.Scenario, "mainline-2.6.24", f.Property, 2_000_000)
			if err != nil || !holds {
				t.Errorf("mainline-2.6.24 violates %s on the file's scenario (%v)", f.Property, err)
			}
		})
	}
}

// TestReadmeListsEveryFile checks that README.md gives a command for each file.
func TestReadmeListsEveryFile(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.Contains(string(readme), "--out corpus/"+e.file) {
			t.Errorf("README.md has no command writing %s", e.file)
		}
	}
}

// TestBeforeLockCannotRace backs the README's account of consequence 3:
// with the thermal block before spin_lock_irq (and active_load_balance
// still commented out), no BUG_ON fires — 3033 included — on scenarios
// that give load_balance every chance to kick the migration thread while it
// runs the block: failed balances preset past cache_nice_tries+2, ticks on
// the other CPUs, a migration request that wakes the thread.
func TestBeforeLockCannotRace(t *testing.T) {
	push := &model.Scenario{
		CPUs:           2,
		Tasks:          []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0, Allowed: []int{0}}},
		Ticks:          []int{0, 1},
		Affinity:       []model.AffinityCall{{Caller: 0, Target: 1, Mask: []int{1}}},
		CacheNiceTries: 1, BalanceFailed: 3,
	}
	three := &model.Scenario{
		CPUs:           3,
		Tasks:          []model.TaskSpec{{CPU: 0, Running: true}, {CPU: 0, CacheHot: true}, {CPU: 2, Running: true}, {CPU: 0}},
		Ticks:          []int{0, 1, 1},
		Affinity:       []model.AffinityCall{{Caller: 0, Target: 1, Mask: []int{2}}},
		CacheNiceTries: 1, BalanceFailed: 3,
	}
	balance := model.BalanceScenario()
	balance.BalanceFailed = 3
	for name, sc := range map[string]*model.Scenario{"balance": balance, "push": push, "three": three} {
		for _, sensor := range []string{"irq-safe", "ipi"} {
			sc := sc.Clone()
			sc.Knobs = map[string]string{"placement": "before-lock", "sensor": sensor, "iterator": "mainline"}
			m, err := model.New(sc, "thermal-2008")
			if err != nil {
				t.Fatal(err)
			}
			res, err := explore.Run(context.Background(), m, explore.Options{Props: []*properties.Property{properties.KernelBug}})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Complete || len(res.Violations) > 0 {
				t.Errorf("%s/%s: complete=%v violations=%v", name, sensor, res.Complete, res.Violations)
			}
			// Not vacuous: a kick (active_balance set) is reachable.
			kick := &properties.Property{Name: "kick", State: func(m *model.Model, s *model.State) string {
				for c := 0; c < m.NumCPUs(); c++ {
					if s.CPU[c].ActiveBalance {
						return "kick"
					}
				}
				return ""
			}}
			if r, _ := explore.Run(context.Background(), m, explore.Options{Props: []*properties.Property{kick}}); len(r.Violations) == 0 {
				t.Errorf("%s/%s: no kick is reachable: the scenario does not test the race", name, sensor)
			}
			t.Logf("%s/%s: %d states, no BUG_ON", name, sensor, res.Stats.States)
		}
	}
}

// BenchmarkFind measures the time to find each corpus file from scratch:
// the search, the minimisation of scenario and schedule, and the file.
func BenchmarkFind(b *testing.B) {
	for _, e := range entries {
		b.Run(strings.TrimSuffix(e.file, ".cex"), func(b *testing.B) {
			for b.Loop() {
				find(b, e)
			}
		})
	}
}
