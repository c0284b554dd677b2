package model

import "testing"

// TestMayWaitIsNecessary: in reachable states of every test scenario,
// variant and knob setting, a context that waits (WaitOf) implies MayWait,
// so a judge that skips states without MayWait misses no wait.
func TestMayWaitIsNecessary(t *testing.T) {
	waits := 0
	for _, cfg := range fpConfigs(t) {
		for _, s := range reachable(cfg.m, 2000) {
			for c := 0; c < cfg.m.NumCPUs(); c++ {
				for lvl := LevelThread; lvl <= LevelHardirq; lvl++ {
					if _, ok := cfg.m.WaitOf(&s, c, lvl); ok {
						waits++
						if !cfg.m.MayWait(&s) {
							t.Fatalf("%s: cpu%d level %d waits but MayWait is false", cfg.name, c, lvl)
						}
					}
				}
			}
		}
	}
	if waits == 0 {
		t.Fatal("no waiting context in any reachable state: the test checks nothing")
	}
	t.Logf("%d waiting contexts, all with MayWait", waits)
}
