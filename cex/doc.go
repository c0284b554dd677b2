// Package cex records counterexamples as files and replays them.
//
// A counterexample file is plain text, diff-friendly and versioned. Outside
// the scenario's JSON, blank lines and lines starting with '#' are comments. The header is one
// "key value" per line:
//
//	format 1                      the file format (first line that is not a comment)
//	rqcheck 0.3.0                 the rqcheck version that wrote it
//	step-table 0123456789abcdef   model.StepTableFingerprint() of the writer
//	kernel v2.6.24                the kernel version the step lines name
//	variant thermal-2008
//	knob placement=locked         one line per knob of the variant, sorted
//	property kernel-bug
//	expect kernel BUG at ...      the violation message the schedule ends in
//	steps 26
//	preemptions 2                 switches between CPUs in the schedule
//
// then "scenario" followed by the scenario as indented JSON (ending with a
// line "}"), then "schedule", one step per line, and "end":
//
//	17 cpu0 run     migration/0  smp_call_function_single:429 (arch/x86/kernel/smp_64.c)
//
// A step line is the step's number, its CPU, its kind (run, tick, syscall,
// ipi), the context that runs and the function:line of the code it runs.
// The CPU and kind are what replays; the context and function:line let a
// person read the schedule and let Replay notice a model that no longer
// runs the same code.
//
// Parse reports every problem as "file:line: message" (a *ParseError).
// Replay re-executes the schedule on the file's variant (or another) and
// says whether the violation is reproduced, the property holds, or the
// schedule no longer applies, and at which step.
//
// Model versions: a file whose step-table fingerprint differs from this
// rqcheck's is not refused outright. It is replayed with a warning, and
// every step must still be enabled and run the function:line the file
// records; the first step that does not ends the replay with
// NoLongerApplies, naming the step. So an old file either replays exactly
// or says where the model moved under it.
package cex
