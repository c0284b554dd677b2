package model_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rqcheck/rqcheck/model"
)

func TestValidateNamesTheField(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(sc *model.Scenario)
		field string
	}{
		{"no CPUs", func(sc *model.Scenario) { sc.CPUs = 0 }, "cpus"},
		{"too many CPUs", func(sc *model.Scenario) { sc.CPUs = 9 }, "cpus"},
		{"no tasks", func(sc *model.Scenario) { sc.Tasks = nil }, "tasks"},
		{"mask names a missing CPU", func(sc *model.Scenario) { sc.Tasks[1].Allowed = []int{0, 5} }, "tasks[1].allowed[1]"},
		{"placed on a missing CPU", func(sc *model.Scenario) { sc.Tasks[2].CPU = 2 }, "tasks[2].cpu"},
		{"placed where the mask forbids", func(sc *model.Scenario) { sc.Tasks[1].Allowed = []int{1} }, "tasks[1].cpu"},
		{"two running on one CPU", func(sc *model.Scenario) { sc.Tasks[1].Running = true }, "tasks[1].running"},
		{"negative weight", func(sc *model.Scenario) { sc.Tasks[0].Weight = -1 }, "tasks[0].weight"},
		{"negative ticks", func(sc *model.Scenario) { sc.Ticks[1] = -1 }, "ticks[1]"},
		{"ticks per CPU", func(sc *model.Scenario) { sc.Ticks = []int{1} }, "ticks"},
		{"negative newidle", func(sc *model.Scenario) { sc.NewIdleMax = -2 }, "newidle_max"},
		{"negative cache_nice_tries", func(sc *model.Scenario) { sc.CacheNiceTries = -1 }, "cache_nice_tries"},
		{"negative nr_balance_failed", func(sc *model.Scenario) { sc.BalanceFailed = -1 }, "nr_balance_failed"},
		{"affinity caller missing", func(sc *model.Scenario) { sc.Affinity[0].Caller = 7 }, "affinity[0].caller"},
		{"affinity target missing", func(sc *model.Scenario) { sc.Affinity[0].Target = -1 }, "affinity[0].target"},
		{"affinity mask empty", func(sc *model.Scenario) { sc.Affinity[0].Mask = nil }, "affinity[0].mask"},
		{"affinity mask missing CPU", func(sc *model.Scenario) { sc.Affinity[0].Mask = []int{3} }, "affinity[0].mask[0]"},
		{"addr_order not a permutation", func(sc *model.Scenario) { sc.AddrOrder = []int{0, 0} }, "addr_order[1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := model.BalanceScenario()
			tc.edit(sc)
			err := sc.Validate()
			if err == nil {
				t.Fatal("Validate accepted an impossible scenario")
			}
			if !strings.HasPrefix(err.Error(), "field "+tc.field+":") {
				t.Errorf("error %q does not name field %s", err, tc.field)
			}
		})
	}
	if err := model.DefaultScenario().Validate(); err != nil {
		t.Fatalf("default scenario invalid: %v", err)
	}
}

func TestParseScenarioErrors(t *testing.T) {
	tests := []struct{ json, want string }{
		{`{"cpus": 2, "tasks": [{"cpu": 0}], "ticks": [1, 1], "bogus": 1}`, `field "bogus": unknown field`},
		{`{"cpus": "two"}`, `field "cpus"`},
		{"{\n\"cpus\": 2,\n,}", "line 3: JSON syntax"},
		{`{"cpus": 2, "tasks": [{"cpu": 3}], "ticks": [0, 0]}`, "field tasks[0].cpu"},
		{`{"cpus": 2, "tasks": [{"cpu": 0}], "ticks": [0, 0]} {}`, "trailing data"},
	}
	for _, tc := range tests {
		_, err := model.ParseScenario([]byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseScenario(%q) = %v, want error containing %q", tc.json, err, tc.want)
		}
	}
}

func TestLoadScenarioNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, []byte(`{"cpus": 1, "tasks": [{"cpu": 0}], "ticks": [0]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := model.LoadScenario(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "field cpus") {
		t.Fatalf("LoadScenario = %v, want file name and field", err)
	}
}

func TestLoadScenarioFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.json")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		_, err := model.LoadScenario(f)
		bad := strings.HasPrefix(filepath.Base(f), "bad-")
		if bad && err == nil {
			t.Errorf("%s: accepted", f)
		}
		if !bad && err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestGenerateScenario(t *testing.T) {
	for cpus := 2; cpus <= model.MaxCPUs; cpus++ {
		for tasks := 1; tasks <= model.MaxTasks; tasks++ {
			if _, err := model.GenerateScenario(cpus, tasks); err != nil {
				t.Errorf("GenerateScenario(%d, %d): %v", cpus, tasks, err)
			}
		}
	}
	if _, err := model.GenerateScenario(1, 3); err == nil {
		t.Error("GenerateScenario accepted 1 CPU")
	}
	sc, _ := model.GenerateScenario(2, 3)
	if sc.String() != model.BalanceScenario().String() {
		t.Errorf("GenerateScenario(2, 3) = %s, want the balance scenario %s", sc, model.BalanceScenario())
	}
}
