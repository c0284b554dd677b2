package model_test

import (
	"testing"

	"github.com/rqcheck/rqcheck/model"
)

func TestScratchCounts(t *testing.T) {
	for _, sz := range [][2]int{{2, 2}, {2, 3}, {3, 2}, {3, 3}, {3, 4}} {
		sc, _ := model.GenerateScenario(sz[0], sz[1])
		m, _ := model.New(sc, "mainline-2.6.24")
		seen := map[string]bool{}
		init := m.Init()
		stack := []model.State{init}
		seen[string(model.Encode(nil, &init, sc))] = true
		var buf []model.Step
		term := 0
		for len(stack) > 0 {
			s := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			buf = m.Enabled(&s, buf)
			if len(buf) == 0 {
				term++
			}
			for _, st := range buf {
				n := s
				m.Apply(&n, st)
				k := string(model.Encode(nil, &n, sc))
				if !seen[k] {
					seen[k] = true
					stack = append(stack, n)
				}
			}
		}
		t.Logf("%v: %d states, %d terminal", sz, len(seen), term)
	}
}
