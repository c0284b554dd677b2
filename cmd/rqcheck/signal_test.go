package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestHelperProcess is the rqcheck binary for TestSignalStopsCleanly: the
// test binary runs itself with this test selected and RQCHECK_MAIN set.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("RQCHECK_MAIN") != "1" {
		t.Skip("runs only as the child of TestSignalStopsCleanly")
	}
	for i, a := range os.Args {
		if a == "--" {
			os.Args = append([]string{"rqcheck"}, os.Args[i+1:]...)
			main()
		}
	}
	t.Fatal("no -- before the rqcheck arguments")
}

// TestSignalStopsCleanly: SIGINT (Ctrl-C) and SIGTERM (a job runner's
// deadline) stop a long search, which exits 0 with its partial result,
// Stopped "cancelled".
func TestSignalStopsCleanly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM")
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		out, errb, err := signalled(t, 500*time.Millisecond, sig,
			"check", "--variant", "mainline-2.6.24", "--cpus", "4", "--tasks", "5", "--quiet", "--no-cex", "--json")
		if err != nil {
			t.Fatalf("%v: %v\n%s", sig, err, errb.String())
		}
		var res struct {
			Verdict, Stopped string
			States           int64
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil {
			t.Fatalf("%v: output is not the JSON result: %v\n%s", sig, err, out.String())
		}
		if res.Stopped != "cancelled" || res.Verdict != "unknown" || res.States == 0 {
			t.Errorf("%v: stopped %q verdict %q states %d", sig, res.Stopped, res.Verdict, res.States)
		}
	}
}

// TestSignalDuringMinimisation: Ctrl-C while a violation is minimised (the
// search takes milliseconds, minimising it seconds) still writes the
// report and the counterexample, exit 1, and says that the minimisation
// was interrupted, in the text and in the JSON.
func TestSignalDuringMinimisation(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT")
	}
	for _, asJSON := range []bool{false, true} {
		cex := filepath.Join(t.TempDir(), "x.cex")
		args := []string{"check", "--cpus", "3", "--tasks", "4", "--quiet", "--out", cex}
		if asJSON {
			args = append(args, "--json")
		}
		out, errb, err := signalled(t, 700*time.Millisecond, os.Interrupt, args...)
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
			t.Fatalf("json %v: %v, want exit 1\n%s%s", asJSON, err, out.String(), errb.String())
		}
		if _, err := os.Stat(cex); err != nil {
			t.Errorf("json %v: no counterexample: %v", asJSON, err)
		}
		if !asJSON {
			if !strings.Contains(out.String(), "minimisation interrupted: ") {
				t.Errorf("text does not say the minimisation was interrupted:\n%s", out.String())
			}
			continue
		}
		var res struct {
			Violations []struct{ Minimisation string }
		}
		if err := json.Unmarshal(out.Bytes(), &res); err != nil || len(res.Violations) != 1 {
			t.Fatalf("not the JSON result with one violation: %v\n%s", err, out.String())
		}
		if m := res.Violations[0].Minimisation; m != "interrupted" {
			t.Errorf("minimisation %q, want interrupted", m)
		}
	}
}

// signalled runs rqcheck with args in a child process, sends it sig after
// the delay, and returns its stdout, its stderr and how it ended.
func signalled(t *testing.T, after time.Duration, sig os.Signal, args ...string) (out, errb *bytes.Buffer, err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "RQCHECK_MAIN=1")
	out, errb = new(bytes.Buffer), new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = out, errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(after)
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	return out, errb, cmd.Wait()
}
