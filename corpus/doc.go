// Package corpus holds counterexample files that rqcheck found from scratch
// for the consequences of the 2008 thermal push (spec §4), one file per
// consequence, each minimised (scenario, then schedule). README.md lists
// them with the command that regenerates each.
//
// The tests replay every file and check that it reproduces its violation
// with the message it records, that the same file comes out of a fresh
// search (so no file is written by hand or left stale), and that
// mainline-2.6.24 does not reproduce it.
package corpus
