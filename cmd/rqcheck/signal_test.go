package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"runtime"
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
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "--",
			"check", "--variant", "mainline-2.6.24", "--cpus", "4", "--tasks", "5", "--quiet", "--no-cex", "--json")
		cmd.Env = append(os.Environ(), "RQCHECK_MAIN=1")
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
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
