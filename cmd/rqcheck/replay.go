package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rqcheck/rqcheck/cex"
)

// replay is `rqcheck replay FILE [--variant V] [--knob k=v]`: exit 1 if the
// violation is reproduced, 0 if it is not (the property holds, or the
// schedule no longer applies), 2 for bad input.
func replay(args []string, stdout, stderr io.Writer) (int, error) {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	variant := fs.String("variant", "", "replay on this variant instead of the file's")
	var knobs multiFlag
	fs.Var(&knobs, "knob", "set a variant knob `name=value` (repeatable)")
	// Accept flags before and after FILE.
	var file string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			return 2, usageError{err}
		}
		args = fs.Args()
		if len(args) > 0 {
			if file != "" {
				return 2, usageError{fmt.Errorf("replay: one file at a time (got %q and %q)", file, args[0])}
			}
			file, args = args[0], args[1:]
		}
	}
	if file == "" {
		return 2, usageError{fmt.Errorf("replay: no file given: rqcheck replay FILE [--variant V] [--knob k=v]")}
	}
	opt := cex.Options{Variant: *variant, Knobs: map[string]string{}}
	for _, kv := range knobs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return 2, usageError{fmt.Errorf("--knob %q: want name=value", kv)}
		}
		opt.Knobs[k] = v
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return 2, err
	}
	f, err := cex.Parse(file, data)
	if err != nil {
		return 2, err
	}
	out, err := cex.Replay(f, opt)
	if err != nil {
		return 2, fmt.Errorf("%s: %w", file, err)
	}
	fmt.Fprint(stdout, out.Render(f))
	if out.Verdict == cex.Reproduced {
		return 1, nil
	}
	return 0, nil
}
