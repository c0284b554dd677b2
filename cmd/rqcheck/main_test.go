package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func rq(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
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
	code, out, _ := rq(t, "check", "--variant", "broken-lb-irqs-on")
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
	code, out, _ := rq(t, "check", "--variant", "broken-drl-unordered", "--json")
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
	code, out, _ = rq(t, "check", "--json")
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
	code, out, _ := rq(t, "check", "--strategy", "dfs", "--cpus", "3", "--tasks", "3", "--ticks", "0")
	if code != 0 || !strings.Contains(out, "exhaustive") {
		t.Errorf("dfs 3 cpus: exit %d\n%s", code, out)
	}
	code, out, _ = rq(t, "check", "--strategy", "random", "--seed", "5", "--walks", "50")
	if code != 0 || !strings.Contains(out, "incomplete (walks)") {
		t.Errorf("random: exit %d\n%s", code, out)
	}
	code, out, _ = rq(t, "check", "--max-states", "50")
	if code != 0 || !strings.Contains(out, "incomplete (max-states)") || !strings.Contains(out, "search incomplete") {
		t.Errorf("max-states: exit %d\n%s", code, out)
	}
}
