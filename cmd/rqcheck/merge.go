package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
)

const mergeUsage = `usage: rqcheck merge [--json] FILE...

Merges the results that 'rqcheck check --json' wrote for the shards of one
search (--strategy swarm --shard I/N on N machines; a check without
--shard is shard 0/1) into one verdict: violation if any shard found one;
no violation only if all N shards are there and every one was exhaustive
and found none; otherwise unknown. States and transitions are summed over
shards.

The files must be shards of one search: the same variant, scenario, step
table, strategy, properties (--props) and settings that change what runs
(seed, walks, max-depth, max-states, time-limit, all, ...), the same
number of shards N, and each shard at most once; a file that disagrees is
an error that names it and what differs. Missing shards are not an error,
as a model checker's partial search is not: merge warns on stderr, lists
them (JSON: missing_shards), and the verdict is unknown unless a shard
found a violation. Files written by an rqcheck without the search's
identity (no "search" in the JSON) are refused: re-run their check.

Exit status: 1 violation, 0 none found (verdict pass or unknown), 2 bad
input.
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
	Shard       int    `json:"shard"`
	Strategy    string `json:"strategy"`
	Verdict     string `json:"verdict"`
	States      int64  `json:"states"`
	Transitions int64  `json:"transitions"`
	Complete    bool   `json:"complete"`
	Stopped     string `json:"stopped,omitempty"`
}

// mergedResult is what merge prints with --json. Verdict uses check's
// words: "violation", "pass" (every shard there and complete, none
// violated) or "unknown". Strategy, Search (with Search.Shard 0: the
// shards' own indices are in Shards) and Shards' count name the search;
// MissingShards lists the shards of 0..N-1 that no file gave. States and
// Transitions are sums over the shards, so a state that several shards
// reached counts once per shard. Code is the code some shard ran: its
// unreached statements are those that no shard took a step at (absent if
// a file lacks its code, as those of an older rqcheck do).
type mergedResult struct {
	Verdict       string            `json:"verdict"`
	Variant       string            `json:"variant"`
	Strategy      string            `json:"strategy"`
	Search        jsonSearch        `json:"search"`
	States        int64             `json:"states"`
	Transitions   int64             `json:"transitions"`
	Shards        []mergedShard     `json:"shards"`
	MissingShards []int             `json:"missing_shards"`
	Violations    []mergedViolation `json:"violations"`
	Code          *jsonCode         `json:"code,omitempty"`
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
	if len(out.MissingShards) > 0 {
		fmt.Fprintf(stderr, "rqcheck merge: warning: %s missing: the merged result covers part of the search\n", missingText(out))
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
// all must be shards of one search (sameSearch), and no shard may come
// twice; an error names the file.
func merge(files []string) (*mergedResult, error) {
	out := &mergedResult{Verdict: "pass", Shards: []mergedShard{}, MissingShards: []int{}, Violations: []mergedViolation{}}
	byProp := map[string]int{}  // property → index in out.Violations
	byShard := map[int]string{} // shard → file
	var first jsonResult
	for i, file := range files {
		r, err := readResult(file)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first, out.Variant, out.Strategy = *r, r.Variant, r.Strategy
			out.Search = *r.Search
			out.Search.Shard = 0
		} else if err := sameSearch(&first, r, files[0]); err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		sh := r.Search.Shard
		if prev, ok := byShard[sh]; ok {
			return nil, fmt.Errorf("%s: shard %d/%d again, as in %s: each shard may be merged once", file, sh, r.Search.Shards, prev)
		}
		byShard[sh] = file
		out.Shards = append(out.Shards, mergedShard{File: file, Shard: sh, Strategy: r.Strategy, Verdict: r.Verdict,
			States: r.States, Transitions: r.Transitions, Complete: r.Complete, Stopped: r.Stopped})
		out.States += r.States
		out.Transitions += r.Transitions
		switch {
		case i == 0:
			out.Code = r.Code
		case out.Code != nil && r.Code != nil:
			out.Code = bothUnreached(out.Code, r.Code)
		default:
			out.Code = nil
		}
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
	for i := range out.Search.Shards {
		if _, ok := byShard[i]; !ok {
			out.MissingShards = append(out.MissingShards, i)
		}
	}
	if len(out.MissingShards) > 0 && out.Verdict == "pass" {
		out.Verdict = "unknown"
	}
	return out, nil
}

// bothUnreached is the code of two shards of one search together: a
// statement (by PC: the shards share a step table) is unreached if
// neither took a step at it.
func bothUnreached(a, b *jsonCode) *jsonCode {
	inB := map[int]bool{}
	for _, u := range b.Unreached {
		inB[u.PC] = true
	}
	c := &jsonCode{Steps: a.Steps, Unreached: []jsonStatement{}}
	for _, u := range a.Unreached {
		if inB[u.PC] {
			c.Unreached = append(c.Unreached, u)
		}
	}
	c.Reached = c.Steps - len(c.Unreached)
	return c
}

// missingText says which of r's shards are missing, runs of consecutive
// shards as ranges: "shards 1, 3-5 of 8".
func missingText(r *mergedResult) string {
	var list []string
	ms := r.MissingShards
	for i := 0; i < len(ms); {
		j := i
		for j+1 < len(ms) && ms[j+1] == ms[j]+1 {
			j++
		}
		if j == i {
			list = append(list, strconv.Itoa(ms[i]))
		} else {
			list = append(list, fmt.Sprintf("%d-%d", ms[i], ms[j]))
		}
		i = j + 1
	}
	word := "shards"
	if len(ms) == 1 {
		word = "shard"
	}
	return fmt.Sprintf("%s %s of %d", word, strings.Join(list, ", "), r.Search.Shards)
}

// readResult reads one JSON result of check and checks that it is whole.
func readResult(file string) (*jsonResult, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var r jsonResult
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // settings compare exactly (a seed may not fit a float64)
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
	case r.Search == nil:
		return nil, fmt.Errorf("%s: no \"search\" (properties, settings, shard): written by an older rqcheck, so merge cannot tell which search it is a shard of; re-run its check with this rqcheck", file)
	case r.Search.Shards < 1 || r.Search.Shards > maxShards || r.Search.Shard < 0 || r.Search.Shard >= r.Search.Shards:
		return nil, fmt.Errorf("%s: shard %d/%d: want 0 <= i < N <= %d", file, r.Search.Shard, r.Search.Shards, maxShards)
	}
	for i, v := range r.Violations {
		if v.Property == "" || v.Message == "" {
			return nil, fmt.Errorf("%s: violation %d has no property or message", file, i+1)
		}
	}
	return &r, nil
}

// sameSearch says how b differs from a, read from aFile, in what the
// shards of one search share: everything but the shard's index.
func sameSearch(a, b *jsonResult, aFile string) error {
	sa, _ := json.Marshal(a.Scenario)
	sb, _ := json.Marshal(b.Scenario)
	as, bs := a.Search, b.Search
	switch {
	case a.Variant != b.Variant:
		return fmt.Errorf("variant %s, not %s as in %s", b.Variant, a.Variant, aFile)
	case !bytes.Equal(sa, sb):
		return fmt.Errorf("another scenario than %s", aFile)
	case a.StepTable != b.StepTable:
		return fmt.Errorf("step table %s, not %s as in %s", b.StepTable, a.StepTable, aFile)
	case a.Strategy != b.Strategy:
		return fmt.Errorf("strategy %s, not %s as in %s", b.Strategy, a.Strategy, aFile)
	case !slices.Equal(as.Props, bs.Props):
		return fmt.Errorf("properties %s, not %s as in %s", strings.Join(bs.Props, ","), strings.Join(as.Props, ","), aFile)
	case as.Shards != bs.Shards:
		return fmt.Errorf("shard %d/%d, not one of %d shards as in %s", bs.Shard, bs.Shards, as.Shards, aFile)
	}
	keys := slices.Sorted(maps.Keys(as.Settings))
	for k := range bs.Settings {
		if _, ok := as.Settings[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		va, oka := as.Settings[k]
		vb, okb := bs.Settings[k]
		switch {
		case !okb:
			return fmt.Errorf("no setting %s, which %s has (%v)", k, aFile, va)
		case !oka:
			return fmt.Errorf("setting %s %v, which %s does not have", k, vb, aFile)
		case fmt.Sprint(va) != fmt.Sprint(vb):
			return fmt.Errorf("setting %s %v, not %v as in %s", k, vb, va, aFile)
		}
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
		fmt.Fprintf(w, "  %s: shard %d/%d, %s search, %s, %d states, %d transitions, %s\n", s.File, s.Shard, r.Search.Shards, s.Strategy, s.Verdict, s.States, s.Transitions, how)
	}
	for _, v := range r.Violations {
		fmt.Fprintf(w, "\nVIOLATION %s (%s): %s\n", v.Property, v.File, v.Message)
		if len(v.AlsoIn) > 0 {
			fmt.Fprintf(w, "  also found in %s\n", strings.Join(v.AlsoIn, ", "))
		}
	}
	fmt.Fprintf(w, "\n%d states, %d transitions (summed over shards)\n", r.States, r.Transitions)
	if r.Code != nil {
		fmt.Fprintf(w, "code: steps taken at %d of the model's %d statements by some shard", r.Code.Reached, r.Code.Steps)
		if n := len(r.Code.Unreached); n > 0 {
			fmt.Fprintf(w, "; %d never taken (--json lists them)", n)
		}
		fmt.Fprintln(w)
	}
	if len(r.MissingShards) > 0 {
		fmt.Fprintf(w, "missing: %s\n", missingText(r))
	}
	switch r.Verdict {
	case "pass":
		fmt.Fprintln(w, "verdict: no violation")
	case "unknown":
		why := "some shard incomplete"
		if len(r.MissingShards) > 0 {
			why = "some shard missing or incomplete"
		}
		fmt.Fprintf(w, "verdict: no violation found (%s)\n", why)
	default:
		fmt.Fprintf(w, "verdict: %d violation(s)\n", len(r.Violations))
	}
}
