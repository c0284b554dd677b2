package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
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
	stageHook = func(name string) { fmt.Fprintln(os.Stderr, stagePrefix+name) }
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
		out, errb, err := signalled(t, "search", 300*time.Millisecond, sig,
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
		out, errb, err := signalled(t, "minimise", 0, os.Interrupt, args...)
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

// stagePrefix starts the line the child prints on stderr at each stage
// (stageHook).
const stagePrefix = "rqcheck-test-stage: "

// signalled runs rqcheck with args in a child process, sends it sig once
// it has reached stage (stageHook) and after delay, and returns its
// stdout, its stderr (less the stage lines) and how it ended. It fails the
// test if the child ends without reaching the stage.
func signalled(t *testing.T, stage string, delay time.Duration, sig os.Signal, args ...string) (out, errb *bytes.Buffer, err error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "RQCHECK_MAIN=1")
	out, errb = new(bytes.Buffer), new(bytes.Buffer)
	cmd.Stdout = out
	pipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reached, done := make(chan struct{}), make(chan struct{})
	go func() { // the only writer of errb until done is closed
		defer close(done)
		seen := false
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			if name, ok := strings.CutPrefix(line, stagePrefix); ok {
				if name == stage && !seen {
					seen = true
					close(reached)
				}
				continue
			}
			errb.WriteString(line + "\n")
		}
	}()
	select {
	case <-reached:
	case <-done:
		err := cmd.Wait()
		t.Fatalf("rqcheck %s ended (%v) before stage %q\n%s%s", strings.Join(args, " "), err, stage, out.String(), errb.String())
	}
	time.Sleep(delay)
	if err := cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	<-done
	return out, errb, cmd.Wait()
}
