package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
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
	oops := checkJSON(t, dir, "oops.json", 1)
	oops2 := checkJSON(t, dir, "oops2.json", 1, "--strategy", "dfs")
	walk := checkJSON(t, dir, "walk.json", 0, "--strategy", "random", "--walks", "1", "--max-depth", "3")

	code, r := mergedJSON(t, pass, pass)
	if code != 0 || r.Verdict != "pass" || r.States != 2*r.Shards[0].States || len(r.Shards) != 2 {
		t.Errorf("pass+pass: exit %d, %+v", code, r)
	}
	if code, r = mergedJSON(t, pass, cut); code != 0 || r.Verdict != "unknown" || len(r.Violations) != 0 {
		t.Errorf("pass+incomplete: exit %d, %+v", code, r)
	}
	code, r = mergedJSON(t, walk, oops, oops2)
	if code != 1 || r.Verdict != "violation" || len(r.Violations) != 1 {
		t.Fatalf("walk+oops+oops2: exit %d, %+v", code, r)
	}
	v := r.Violations[0]
	if v.Property != "kernel-bug" || v.File != oops || !strings.Contains(v.Message, "sched.c:2090") ||
		len(v.AlsoIn) != 1 || v.AlsoIn[0] != oops2 {
		t.Errorf("violation %+v", v)
	}
	if want := r.Shards[0].Transitions + r.Shards[1].Transitions + r.Shards[2].Transitions; r.Transitions != want {
		t.Errorf("transitions %d, shards sum to %d", r.Transitions, want)
	}

	code, out, _ := merged(t, oops, walk)
	for _, want := range []string{"VIOLATION kernel-bug (" + oops + "): kernel BUG at kernel/sched.c:2090!", "verdict: 1 violation(s)"} {
		if code != 1 || !strings.Contains(out, want) {
			t.Errorf("text: exit %d, lacks %q:\n%s", code, want, out)
		}
	}
	if code, out, _ = merged(t, pass, cut); code != 0 || !strings.Contains(out, "verdict: no violation found (some shard incomplete)") {
		t.Errorf("text: exit %d\n%s", code, out)
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
		{"no files", []string{"--json"}, "no result files"},
		{"bad flag", []string{"--shard", good}, "flag provided but not defined"},
	} {
		code, out, errs := merged(t, tc.files...)
		if code != 2 || !strings.Contains(errs, tc.want) || out != "" {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want 2 and %q", tc.name, code, errs, out, tc.want)
		}
	}
}
