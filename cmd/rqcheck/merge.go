package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

const mergeUsage = `usage: rqcheck merge [--json] FILE...

Merges the results that 'rqcheck check --json' wrote for the shards of one
search (e.g. --strategy swarm --shard I/N on N machines) into one verdict:
violation if any shard found one, no violation only if every shard was
exhaustive and found none, otherwise unknown. States and transitions are
summed over shards. Exit status: 1 violation, 0 none found, 2 bad input.
`

// mergedViolation is one violated property: the first file (in argument
// order) that reports it, with its message, and the other files that
// report the property too.
type mergedViolation struct {
	Property string   `json:"property"`
	Message  string   `json:"message"`
	File     string   `json:"file"`
	AlsoIn   []string `json:"also_in,omitempty"`
}

type mergedShard struct {
	File        string `json:"file"`
	Strategy    string `json:"strategy"`
	Verdict     string `json:"verdict"`
	States      int64  `json:"states"`
	Transitions int64  `json:"transitions"`
	Complete    bool   `json:"complete"`
	Stopped     string `json:"stopped,omitempty"`
}

// mergedResult is what merge prints with --json. Verdict uses check's
// words: "violation", "pass" (every shard complete, none violated) or
// "unknown". States and Transitions are sums over the shards, so a state
// that several shards reached counts once per shard.
type mergedResult struct {
	Verdict     string            `json:"verdict"`
	Variant     string            `json:"variant"`
	States      int64             `json:"states"`
	Transitions int64             `json:"transitions"`
	Shards      []mergedShard     `json:"shards"`
	Violations  []mergedViolation `json:"violations"`
}

// runMerge is 'rqcheck merge [--json] FILE...'; flags may come anywhere
// among the files. It returns the exit status.
func runMerge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(fs.Output(), mergeUsage) }
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	var files []string
	for {
		if err := fs.Parse(args); err == flag.ErrHelp {
			return 0
		} else if err != nil {
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) == 0 {
		fmt.Fprint(stderr, "rqcheck merge: no result files\n"+mergeUsage)
		return 2
	}
	out, err := merge(files)
	if err != nil {
		fmt.Fprintf(stderr, "rqcheck merge: %v\n", err)
		return 2
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "rqcheck merge: %v\n", err)
			return 2
		}
	} else {
		writeMergeText(stdout, out)
	}
	if out.Verdict == "violation" {
		return 1
	}
	return 0
}

// merge reads the files and merges them. Every file must be one JSON
// result of check with a known verdict that agrees with its violations,
// and all must share the variant, scenario and step table; an error names
// the file.
func merge(files []string) (*mergedResult, error) {
	out := &mergedResult{Verdict: "pass", Shards: []mergedShard{}, Violations: []mergedViolation{}}
	byProp := map[string]int{} // property → index in out.Violations
	var first jsonResult
	for i, file := range files {
		r, err := readResult(file)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first, out.Variant = *r, r.Variant
		} else if err := sameSearch(&first, r, files[0]); err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		out.Shards = append(out.Shards, mergedShard{File: file, Strategy: r.Strategy, Verdict: r.Verdict,
			States: r.States, Transitions: r.Transitions, Complete: r.Complete, Stopped: r.Stopped})
		out.States += r.States
		out.Transitions += r.Transitions
		if r.Verdict != "pass" && out.Verdict == "pass" {
			out.Verdict = "unknown"
		}
		for _, v := range r.Violations {
			out.Verdict = "violation"
			if k, ok := byProp[v.Property]; ok {
				if mv := &out.Violations[k]; mv.File != file && !slices.Contains(mv.AlsoIn, file) {
					mv.AlsoIn = append(mv.AlsoIn, file)
				}
				continue
			}
			byProp[v.Property] = len(out.Violations)
			out.Violations = append(out.Violations, mergedViolation{Property: v.Property, Message: v.Message, File: file})
		}
	}
	return out, nil
}

// readResult reads one JSON result of check and checks that it is whole.
func readResult(file string) (*jsonResult, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var r jsonResult
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: not a result of rqcheck check --json: %v", file, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", file)
	}
	switch {
	case r.Variant == "" || r.Scenario == nil || r.StepTable == "":
		return nil, fmt.Errorf("%s: not a result of rqcheck check --json: variant, scenario or step_table missing", file)
	case r.Verdict != "violation" && r.Verdict != "pass" && r.Verdict != "unknown":
		return nil, fmt.Errorf("%s: unknown verdict %q", file, r.Verdict)
	case (r.Verdict == "violation") != (len(r.Violations) > 0):
		return nil, fmt.Errorf("%s: verdict %q with %d violations", file, r.Verdict, len(r.Violations))
	case r.Verdict == "pass" && !r.Complete:
		return nil, fmt.Errorf("%s: verdict pass but the search is incomplete", file)
	case r.States < 0 || r.Transitions < 0:
		return nil, fmt.Errorf("%s: negative counts", file)
	}
	for i, v := range r.Violations {
		if v.Property == "" || v.Message == "" {
			return nil, fmt.Errorf("%s: violation %d has no property or message", file, i+1)
		}
	}
	return &r, nil
}

// sameSearch says how b differs from a, read from aFile, in what the
// shards of one search share.
func sameSearch(a, b *jsonResult, aFile string) error {
	sa, _ := json.Marshal(a.Scenario)
	sb, _ := json.Marshal(b.Scenario)
	switch {
	case a.Variant != b.Variant:
		return fmt.Errorf("variant %s, not %s as in %s", b.Variant, a.Variant, aFile)
	case !bytes.Equal(sa, sb):
		return fmt.Errorf("another scenario than %s", aFile)
	case a.StepTable != b.StepTable:
		return fmt.Errorf("step table %s, not %s as in %s", b.StepTable, a.StepTable, aFile)
	}
	return nil
}

func writeMergeText(w io.Writer, r *mergedResult) {
	fmt.Fprintf(w, "rqcheck merge: variant %s, %d shard(s)\n", r.Variant, len(r.Shards))
	for _, s := range r.Shards {
		how := "exhaustive"
		if !s.Complete {
			how = "incomplete (" + s.Stopped + ")"
		}
		fmt.Fprintf(w, "  %s: %s search, %s, %d states, %d transitions, %s\n", s.File, s.Strategy, s.Verdict, s.States, s.Transitions, how)
	}
	for _, v := range r.Violations {
		fmt.Fprintf(w, "\nVIOLATION %s (%s): %s\n", v.Property, v.File, v.Message)
		if len(v.AlsoIn) > 0 {
			fmt.Fprintf(w, "  also found in %s\n", strings.Join(v.AlsoIn, ", "))
		}
	}
	fmt.Fprintf(w, "\n%d states, %d transitions (summed over shards)\n", r.States, r.Transitions)
	switch r.Verdict {
	case "pass":
		fmt.Fprintln(w, "verdict: no violation")
	case "unknown":
		fmt.Fprintln(w, "verdict: no violation found (some shard incomplete)")
	default:
		fmt.Fprintf(w, "verdict: %d violation(s)\n", len(r.Violations))
	}
}
