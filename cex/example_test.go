package cex_test

import (
	"context"
	"fmt"

	"github.com/rqcheck/rqcheck/cex"
	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// The 2008 oops: search thermal-2008 on the default scenario, write the
// counterexample, read it back and replay it, on its own variant and on
// mainline.
func ExampleReplay() {
	m, err := model.New(model.DefaultScenario(), "thermal-2008")
	if err != nil {
		panic(err)
	}
	res, err := explore.Run(context.Background(), m, explore.Options{Props: properties.Default()})
	if err != nil {
		panic(err)
	}
	v := res.Violations[0]
	written, err := cex.New(m, v.Property, v.Message, v.Trace)
	if err != nil {
		panic(err)
	}

	f, err := cex.Parse("oops.cex", written.Marshal())
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Variant, f.Property, len(f.Steps), "steps")

	for _, variant := range []string{"", "mainline-2.6.24"} {
		out, err := cex.Replay(f, cex.Options{Variant: variant})
		if err != nil {
			panic(err)
		}
		fmt.Printf("on %s: %s at step %d\n", out.Model.Variant.Name, out.Verdict, out.AtStep)
		if out.Verdict == cex.Reproduced {
			fmt.Println(out.Message)
		}
	}
	// Output:
	// thermal-2008 kernel-bug 26 steps
	// on thermal-2008: reproduced at step 26
	// kernel BUG at kernel/sched.c:2090! (double_rq_lock: BUG_ON(!irqs_disabled())) CPU 0 comm migration/0
	// on mainline-2.6.24: schedule no longer applies at step 20
}

// Parse names the file and the line of what it cannot read.
func ExampleParse() {
	_, err := cex.Parse("old.cex", []byte("# written by rqcheck 0.1\nformat 0\n"))
	fmt.Println(err)
	// Output:
	// old.cex:2: format 0: this rqcheck reads format 1 only; regenerate the file with this rqcheck
}
