package cex_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rqcheck/rqcheck/cex"
)

// FuzzParse: Parse never panics, names a line of the file in every error,
// and what it accepts Marshal writes back to the same file; Replay and
// Render of what it accepts do not panic either.
//
// The seeds are the counterexamples in ../corpus (if any), the fixtures in
// testdata and a few short texts.
func FuzzParse(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"../corpus/*.cex", "testdata/*.cex"} {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, paths...)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		"",
		"\n",
		"# comment\n",
		"format 1\n",
		"format 1\nscenario\n",
		"format 1\nscenario",
		"format 1\nrqcheck 0.3.0\nstep-table 0\nkernel v\nvariant mainline-2.6.24\nproperty kernel-bug\nexpect x\nsteps 0\nscenario\n" +
			`{"cpus": 2, "tasks": [{"cpu": 0, "running": true}], "ticks": [1, 0]` + "\n}\nschedule\nend\n",
		"format 1\nrqcheck 0.3.0\nstep-table 0\nkernel v\nvariant thermal-2008\nknob alb=on\nproperty no-deadlock\nexpect x\nsteps 2\npreemptions 1\nscenario\n" +
			`{"cpus": 3, "tasks": [{"cpu": 0, "running": true}, {"cpu": 2}], "ticks": [1, 0, 1], "idle_balance": true, "newidle_max": 1` +
			"\n}\nschedule\n 1 cpu0 tick hardirq scheduler_tick:3\n2 cpu2 run T1 x:1\nend\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.cex"
		file, err := cex.Parse(name, data)
		if err != nil {
			if file != nil {
				t.Errorf("Parse returned a file with its error %v", err)
			}
			var pe *cex.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T) is not a *cex.ParseError", err, err)
			}
			lines := strings.Count(string(data), "\n")
			if len(data) > 0 && data[len(data)-1] != '\n' {
				lines++
			}
			if pe.File != name || pe.Line < 1 || pe.Line > lines+1 {
				t.Fatalf("error %q: line %d out of 1..%d", err, pe.Line, lines+1)
			}
			if prefix := fmt.Sprintf("%s:%d: ", name, pe.Line); !strings.HasPrefix(err.Error(), prefix) {
				t.Fatalf("error %q does not start with %q", err, prefix)
			}
			return
		}
		out := file.Marshal()
		again, err := cex.Parse(name, out)
		if err != nil {
			t.Fatalf("Parse(Marshal()) = %v\ninput:\n%q\nmarshalled:\n%s", err, data, out)
		}
		// EquateEmpty: a scenario's empty lists and maps may come back
		// absent (omitempty), which means the same scenario.
		if diff := cmp.Diff(file, again, ignoreLine, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("Parse(Marshal()) differs (-parsed +reparsed):\n%s\ninput:\n%q", diff, data)
		}
		if len(file.Steps) <= 200 {
			// Only a panic matters: most fuzzed schedules do not apply.
			if out, err := cex.Replay(file, cex.Options{}); err == nil {
				_ = out.Render(file)
			}
		}
	})
}
