package explore_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rqcheck/rqcheck/explore"
	"github.com/rqcheck/rqcheck/model"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestRenderGolden pins the rendering of the shortest schedule of each broken
// variant. Run with -update after an intended change of model or renderer.
func TestRenderGolden(t *testing.T) {
	for _, v := range []string{"broken-lb-irqs-on", "broken-drl-unordered", "broken-migrate-lost", "broken-move-affinity"} {
		t.Run(v, func(t *testing.T) {
			m := newModel(t, model.BalanceScenario(), v)
			res := search(t, m, explore.Options{})
			if len(res.Violations) == 0 {
				t.Fatal("no violation")
			}
			got := res.Violations[0].Property + ": " + res.Violations[0].Message + "\n" + join(explore.Render(m, res.Violations[0].Trace)) + "\n"
			path := filepath.Join("testdata", v+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("rendering changed; run with -update if intended.\ngot:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
