package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkJSON runs check --json with args and writes its output to a file
// under dir; it returns the path.
func checkJSON(t *testing.T, dir, name string, wantCode int, args ...string) string {
	t.Helper()
	code, out, errs := rq(t, append([]string{"check", "--json", "--no-cex", "--minimise", "none"}, args...)...)
	if code != wantCode {
		t.Fatalf("check %v: exit %d, want %d\n%s", args, code, wantCode, errs)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func merged(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runMerge(args, &out, &errb)
	return code, out.String(), errb.String()
}

func mergedJSON(t *testing.T, files ...string) (int, mergedResult) {
	t.Helper()
	code, out, errs := merged(t, append(files, "--json")...)
	var r mergedResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON (exit %d): %v\n%s%s", code, err, out, errs)
	}
	return code, r
}

func TestMergeVerdicts(t *testing.T) {
	dir := t.TempDir()
	pass := checkJSON(t, dir, "pass.json", 0, "--variant", "mainline-2.6.24")
	cut := checkJSON(t, dir, "cut.json", 0, "--variant", "mainline-2.6.24", "--max-states", "5")
	swarm := []string{"--strategy", "swarm", "--walks", "2"}
	var shards, oops []string // mainline's shards, and thermal-2008's (each finds the oops)
	for i := range 3 {
		shard := []string{"--shard", fmt.Sprintf("%d/3", i)}
		shards = append(shards, checkJSON(t, dir, fmt.Sprintf("shard%d.json", i), 0, append(append([]string{"--variant", "mainline-2.6.24"}, swarm...), shard...)...))
		oops = append(oops, checkJSON(t, dir, fmt.Sprintf("oops%d.json", i), 1, append(swarm, shard...)...))
	}

	code, r := mergedJSON(t, pass)
	if code != 0 || r.Verdict != "pass" || len(r.Shards) != 1 || r.Search.Shards != 1 || len(r.MissingShards) != 0 || r.Strategy != "bfs" {
		t.Errorf("pass: exit %d, %+v", code, r)
	}
	if code, r = mergedJSON(t, cut); code != 0 || r.Verdict != "unknown" || len(r.Violations) != 0 {
		t.Errorf("incomplete: exit %d, %+v", code, r)
	}
	code, r = mergedJSON(t, shards...)
	if code != 0 || r.Verdict != "unknown" || len(r.Shards) != 3 || len(r.MissingShards) != 0 ||
		r.States != r.Shards[0].States+r.Shards[1].States+r.Shards[2].States || r.Search.Settings["walks"] != 2.0 {
		t.Errorf("three swarm shards: exit %d, %+v", code, r)
	}
	code, r = mergedJSON(t, oops[2], oops[0], oops[1])
	if code != 1 || r.Verdict != "violation" || len(r.Violations) != 1 {
		t.Fatalf("three violating shards: exit %d, %+v", code, r)
	}
	v := r.Violations[0]
	if v.Property != "kernel-bug" || v.File != oops[2] || !strings.Contains(v.Message, "sched.c:2090") ||
		len(v.AlsoIn) != 2 || v.AlsoIn[0] != oops[0] || v.AlsoIn[1] != oops[1] {
		t.Errorf("violation %+v", v)
	}
	if want := r.Shards[0].Transitions + r.Shards[1].Transitions + r.Shards[2].Transitions; r.Transitions != want {
		t.Errorf("transitions %d, shards sum to %d", r.Transitions, want)
	}
	// The shards' code together: unreached only where no shard took a step.
	_, r = mergedJSON(t, shards...)
	if r.Code == nil || r.Code.Reached+len(r.Code.Unreached) != r.Code.Steps {
		t.Fatalf("merged code %+v", r.Code)
	}
	for _, f := range shards {
		var one jsonResult
		data, err := os.ReadFile(f)
		if err != nil || json.Unmarshal(data, &one) != nil || one.Code == nil {
			t.Fatalf("%s: %v, %+v", f, err, one.Code)
		}
		if one.Code.Reached > r.Code.Reached {
			t.Errorf("%s reached %d statements, the shards together %d", f, one.Code.Reached, r.Code.Reached)
		}
		for _, u := range r.Code.Unreached {
			if !slices.Contains(one.Code.Unreached, u) {
				t.Errorf("merged unreached %v, which %s reached", u, f)
			}
		}
	}

	code, out, _ := merged(t, oops[0], oops[1], oops[2])
	for _, want := range []string{"VIOLATION kernel-bug (" + oops[0] + "): kernel BUG at kernel/sched.c:2090!", "shard 2/3, swarm search", "verdict: 1 violation(s)"} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("text: exit %d, lacks %q:\n%s", code, want, out)
		}
	}
	if code, out, _ = merged(t, cut); code != 0 || !strings.Contains(out, "verdict: no violation found (some shard incomplete)") {
		t.Errorf("text: exit %d\n%s", code, out)
	}
}

// TestMergeMissingShards: an incomplete set of shards is merged, with a
// warning and the missing shards listed; the verdict is unknown unless a
// shard found a violation.
func TestMergeMissingShards(t *testing.T) {
	dir := t.TempDir()
	var shards, oops []string
	for i := range 4 {
		shard := []string{"--strategy", "swarm", "--walks", "1", "--shard", fmt.Sprintf("%d/4", i)}
		shards = append(shards, checkJSON(t, dir, fmt.Sprintf("shard%d.json", i), 0, append([]string{"--variant", "mainline-2.6.24"}, shard...)...))
		oops = append(oops, checkJSON(t, dir, fmt.Sprintf("oops%d.json", i), 1, shard...))
	}
	code, out, errs := merged(t, shards[0], shards[2], "--json")
	var r mergedResult
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 0 || r.Verdict != "unknown" || !slices.Equal(r.MissingShards, []int{1, 3}) {
		t.Errorf("shards 0, 2 of 4: exit %d, %v, %+v", code, err, r)
	}
	if want := "rqcheck merge: warning: shards 1, 3 of 4 missing"; !strings.Contains(errs, want) {
		t.Errorf("stderr %q lacks %q", errs, want)
	}
	code, out, errs = merged(t, oops[3])
	if code != 1 || !strings.Contains(out, "missing: shards 0-2 of 4") || !strings.Contains(out, "verdict: 1 violation(s)") ||
		!strings.Contains(errs, "shards 0-2 of 4 missing") {
		t.Errorf("violating shard 3 of 4 alone: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = merged(t, shards[1])
	if code != 0 || !strings.Contains(out, "missing: shards 0, 2-3 of 4") || !strings.Contains(out, "some shard missing or incomplete") {
		t.Errorf("shard 1 of 4 alone: exit %d\n%s%s", code, out, errs)
	}
	if code, out, errs = merged(t, shards...); code != 0 || strings.Contains(out, "missing") || errs != "" {
		t.Errorf("all 4 shards: exit %d\n%s%s", code, out, errs)
	}
}

func TestMergeBadInput(t *testing.T) {
	dir := t.TempDir()
	good := checkJSON(t, dir, "good.json", 0, "--variant", "mainline-2.6.24")
	other := checkJSON(t, dir, "other.json", 1, "--variant", "broken-lb-irqs-on", "--scenario", "balance")
	balance := checkJSON(t, dir, "balance.json", 0, "--variant", "mainline-2.6.24", "--scenario", "balance")
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var res jsonResult
	data, _ := os.ReadFile(good)
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatal(err)
	}
	res.Verdict = "violation" // but no violations
	liar, _ := json.Marshal(res)
	var old map[string]any
	if err := json.Unmarshal(data, &old); err != nil {
		t.Fatal(err)
	}
	delete(old, "search") // as rqcheck wrote it before it recorded the search
	legacy, _ := json.Marshal(old)
	swarm := []string{"--variant", "mainline-2.6.24", "--strategy", "swarm", "--walks", "1"}
	s0 := checkJSON(t, dir, "s0.json", 0, append(swarm, "--shard", "0/2")...)
	s1 := checkJSON(t, dir, "s1.json", 0, append(swarm, "--shard", "1/2")...)
	seed2 := checkJSON(t, dir, "seed2.json", 0, append(swarm, "--shard", "1/2", "--seed", "2")...)
	walks := checkJSON(t, dir, "walks.json", 0, append(swarm, "--shard", "1/2", "--walks", "2")...)
	of3 := checkJSON(t, dir, "of3.json", 0, append(swarm, "--shard", "1/3")...)
	props := checkJSON(t, dir, "props.json", 0, append(swarm, "--shard", "1/2", "--props", "kernel-bug")...)
	for _, tc := range []struct {
		name  string
		files []string
		want  string
	}{
		{"missing", []string{good, filepath.Join(dir, "absent.json")}, "absent.json"},
		{"syntax", []string{good, write("syntax.json", `{"verdict": "pass",`)}, "syntax.json"},
		{"not a result", []string{write("empty.json", `{}`)}, "empty.json"},
		{"two values", []string{write("two.json", string(data)+string(data))}, "two.json"},
		{"inconsistent", []string{write("liar.json", string(liar))}, "liar.json"},
		{"other variant", []string{good, other}, "other.json: variant broken-lb-irqs-on, not mainline-2.6.24 as in " + good},
		{"other scenario", []string{good, balance}, "balance.json: another scenario than " + good},
		{"duplicate", []string{s0, s1, s0}, "s0.json: shard 0/2 again, as in " + s0},
		{"same file twice", []string{good, good}, "good.json: shard 0/1 again, as in " + good},
		{"other seed", []string{s0, seed2}, "seed2.json: setting seed 2, not 1 as in " + s0},
		{"other walks", []string{s0, walks}, "walks.json: setting walks 2, not 1 as in " + s0},
		{"other shard count", []string{s0, of3}, "of3.json: shard 1/3, not one of 2 shards as in " + s0},
		{"other props", []string{s0, props}, "props.json: properties kernel-bug, not no-deadlock,no-lost-task,affinity,kernel-bug as in " + s0},
		{"other strategy", []string{good, s1}, "s1.json: strategy swarm, not bfs as in " + good},
		{"other settings", []string{good, write("nopor.json", strings.Replace(string(data), `"por": true`, `"por": false`, 1))}, "nopor.json: setting por false, not true as in " + good},
		{"legacy", []string{write("legacy.json", string(legacy))}, "legacy.json: no \"search\""},
		{"bad shard", []string{write("badshard.json", strings.Replace(string(data), `"shards": 1`, `"shards": 0`, 1))}, "badshard.json: shard 0/0"},
		{"no files", []string{"--json"}, "no result files"},
		{"bad flag", []string{"--shard", good}, "flag provided but not defined"},
	} {
		code, out, errs := merged(t, tc.files...)
		if code != 2 || !strings.Contains(errs, tc.want) || out != "" {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want 2 and %q", tc.name, code, errs, out, tc.want)
		}
	}
}

// TestMissingText: runs of missing shards print as ranges, so a large
// job array's gaps stay short.
func TestMissingText(t *testing.T) {
	for _, tc := range []struct {
		missing []int
		want    string
	}{
		{[]int{2}, "shard 2 of 8"},
		{[]int{1, 3}, "shards 1, 3 of 8"},
		{[]int{0, 1, 2, 5, 6, 7}, "shards 0-2, 5-7 of 8"},
		{[]int{1, 3, 4, 5}, "shards 1, 3-5 of 8"},
	} {
		r := &mergedResult{MissingShards: tc.missing}
		r.Search.Shards = 8
		if got := missingText(r); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.missing, got, tc.want)
		}
	}
}

// TestMergeCode: merged code is unreached only where no shard took a step,
// statement by statement (PC), and absent when a file has none, as those
// of an older rqcheck.
func TestMergeCode(t *testing.T) {
	retry := func(pc int) jsonStatement { return jsonStatement{PC: pc, Where: "task_rq_lock:618", Code: "same text"} }
	a := &jsonCode{Steps: 10, Reached: 8, Unreached: []jsonStatement{retry(10), retry(26)}}
	b := &jsonCode{Steps: 10, Reached: 8, Unreached: []jsonStatement{retry(26), {PC: 40, Where: "x:1"}}}
	if c := bothUnreached(a, b); c.Reached != 9 || len(c.Unreached) != 1 || c.Unreached[0].PC != 26 {
		t.Errorf("together: %+v", c)
	}

	dir := t.TempDir()
	one := checkJSON(t, dir, "one.json", 0, "--variant", "mainline-2.6.24", "--strategy", "swarm", "--walks", "1", "--shard", "0/2")
	two := checkJSON(t, dir, "two.json", 0, "--variant", "mainline-2.6.24", "--strategy", "swarm", "--walks", "1", "--shard", "1/2")
	data, err := os.ReadFile(two)
	if err != nil {
		t.Fatal(err)
	}
	var old map[string]any
	if err := json.Unmarshal(data, &old); err != nil {
		t.Fatal(err)
	}
	delete(old, "code")
	if data, err = json.Marshal(old); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(two, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, r := mergedJSON(t, one, two); r.Code != nil {
		t.Errorf("a file without code merged into code %+v", r.Code)
	}
	if _, r := mergedJSON(t, one); r.Code == nil || r.Code.Steps == 0 {
		t.Errorf("one shard's code: %+v", r.Code)
	}
}
