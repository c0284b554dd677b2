package explore

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

var porSweep = flag.Bool("por.sweep", false, "run the bigger partial-order reduction sweep")

// porOutcome is what one exhaustive search found.
type porOutcome struct {
	states    int
	trans     int
	terminals map[string]bool // encodings of the terminal states reached
	violated  map[string]bool // names of the properties violated somewhere
	bugs      map[string]bool // kernel-bug reports (one per BUG terminal state)
	cut       bool            // the state limit stopped the search
}

// porSearch is a plain stateful DFS over m with a Go map as the visited
// set, judging State judges on every visited state, Step judges on every
// explored transition and Terminal judges on terminal states. With reduce
// it explores persistent(...) of each state, fully expanding a state when
// an ample successor is on the DFS stack (the cycle proviso). It stops
// after limit states (0: none).
func porSearch(m *model.Model, props []*properties.Property, reduce bool, limit int) porOutcome {
	sc := m.Sc
	out := porOutcome{terminals: map[string]bool{}, violated: map[string]bool{}, bugs: map[string]bool{}}
	vis := visibility(props)
	// onStack: 1 on the DFS stack, 2 done.
	seen := map[string]uint8{}
	judgeState := func(s *model.State) {
		for _, p := range props {
			if p.State != nil {
				if msg := p.State(m, s); msg != "" {
					out.violated[p.Name] = true
					if p == properties.KernelBug {
						out.bugs[msg] = true
					}
				}
			}
		}
	}
	type frame struct {
		s     model.State
		key   string
		steps []model.Step
		next  int
	}
	init := m.Init()
	key := string(model.Encode(nil, &init, sc))
	judgeState(&init)
	var buf, amp []model.Step
	var stack []frame
	push := func(s *model.State, key string) {
		seen[key] = 1
		out.states++
		buf = m.Enabled(s, buf)
		if len(buf) == 0 {
			out.terminals[key] = true
			for _, p := range props {
				if p.Terminal != nil && p.Terminal(m, s) != "" {
					out.violated[p.Name] = true
				}
			}
			seen[key] = 2
			return
		}
		steps := buf
		if reduce {
			amp = persistent(m, s, buf, vis, amp)
			if len(amp) < len(buf) {
				// Cycle proviso: expand fully if an ample successor is on
				// the stack.
				for _, st := range amp {
					n := *s
					m.Apply(&n, st)
					if seen[string(model.Encode(nil, &n, sc))] == 1 {
						amp = append(amp[:0], buf...)
						break
					}
				}
			}
			steps = amp
		}
		stack = append(stack, frame{s: *s, key: key, steps: slices.Clone(steps)})
	}
	push(&init, key)
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next == len(top.steps) {
			seen[top.key] = 2
			stack = stack[:len(stack)-1]
			continue
		}
		st := top.steps[top.next]
		top.next++
		next := top.s
		eff := m.Apply(&next, st)
		out.trans++
		for _, p := range props {
			if p.Step != nil && p.Step(m, &top.s, st, &eff, &next) != "" {
				out.violated[p.Name] = true
			}
		}
		k := string(model.Encode(nil, &next, sc))
		if seen[k] != 0 {
			continue
		}
		if limit > 0 && out.states >= limit {
			out.cut = true
			return out
		}
		judgeState(&next)
		push(&next, k)
	}
	return out
}

func porNames(set map[string]bool) string {
	var names []string
	for k := range set {
		names = append(names, k)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func TestPORScratch(t *testing.T) {
	for _, sz := range [][2]int{{2, 2}, {2, 3}, {3, 2}, {3, 3}, {3, 4}} {
		sc, _ := model.GenerateScenario(sz[0], sz[1])
		m, _ := model.New(sc, "mainline-2.6.24")
		for _, pl := range []string{"kernel-bug,no-deadlock", "default"} {
			props, _ := properties.Select(pl)
			t0 := time.Now()
			red := porSearch(m, props, true, 0)
			t.Logf("%v %s: reduced %d states, %d terminals (%v)", sz, pl, red.states, len(red.terminals), time.Since(t0))
		}
	}
	_ = fmt.Sprint
	_ = rand.N[int]
	_ = filepath.Join
}

func objKind(o model.Objs) string {
	s := o.String()
	s = strings.Trim(s, "{}")
	var kinds []string
	seen := map[string]bool{}
	for _, f := range strings.Fields(s) {
		k := strings.TrimRight(f, "0123456789")
		if !seen[k] {
			seen[k] = true
			kinds = append(kinds, k)
		}
	}
	return strings.Join(kinds, "+")
}

func TestPORWhy(t *testing.T) {
	sc, _ := model.GenerateScenario(3, 4)
	m, _ := model.New(sc, "mainline-2.6.24")
	// random walk states
	rng := rand.New(rand.NewPCG(1, 2))
	hist := map[string]int{}
	var buf []model.Step
	for walk := 0; walk < 300; walk++ {
		s := m.Init()
		for {
			buf = m.Enabled(&s, buf)
			if len(buf) == 0 {
				break
			}
			// for each seed c with enabled steps: direct reasons d is added
			for c := 0; c < m.NumCPUs(); c++ {
				var r, w model.Objs
				for _, k := range []model.StepKind{model.KRun, model.KTick, model.KSyscall, model.KIPI} {
					rr, ww := m.Footprint(&s, model.Step{CPU: int8(c), Kind: k})
					r, w = r|rr, w|ww
				}
				for d := 0; d < m.NumCPUs(); d++ {
					if d == c {
						continue
					}
					fr, fw := m.Future(&s, d)
					x := (w & (fr | fw)) | (r & fw)
					if x != 0 {
						desc := m.Describe(&s, model.Step{CPU: int8(c), Kind: model.KRun})
						hist[fmt.Sprintf("%-22s %s", desc.Def.Func+":"+fmt.Sprint(desc.Def.Line), objKind(x))]++
					}
				}
			}
			m.Apply(&s, buf[rng.IntN(len(buf))])
		}
	}
	type kv struct {
		k string
		v int
	}
	var kvs []kv
	for k, v := range hist {
		kvs = append(kvs, kv{k, v})
	}
	sort.Slice(kvs, func(i, j int) bool { return kvs[i].v > kvs[j].v })
	for i, x := range kvs {
		if i > 40 {
			break
		}
		t.Logf("%6d %s", x.v, x.k)
	}
}
