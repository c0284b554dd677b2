package explore

import (
	"container/heap"
	"context"
	"slices"
	"time"

	"github.com/rqcheck/rqcheck/model"
	"github.com/rqcheck/rqcheck/properties"
)

// Target is the violation a minimisation must keep: a property and the
// class of its message (properties.Class).
type Target struct {
	Property string
	Class    string
}

// TargetOf is the target of a violation.
func TargetOf(v Violation) Target {
	return Target{Property: v.Property, Class: properties.Class(v.Property, v.Message)}
}

func (t Target) String() string {
	if t.Class == t.Property {
		return t.Property
	}
	return t.Property + " (" + t.Class + ")"
}

// Order is what a minimising search minimises, lexicographically.
type Order int

const (
	// Shortest: fewest steps (as BFS), then fewest preemptions.
	Shortest Order = iota
	// FewestPreemptions: fewest preemptions, then fewest steps.
	FewestPreemptions
)

// Preemptions counts the switches between CPUs in a schedule: the steps
// whose CPU differs from the step before. A schedule run by one CPU after
// another, each to its end, has CPUs-1 preemptions.
func Preemptions(trace []model.Step) int {
	n := 0
	for i := 1; i < len(trace); i++ {
		if trace[i].CPU != trace[i-1].CPU {
			n++
		}
	}
	return n
}

// Minimal is the outcome of a minimising search.
type Minimal struct {
	// Found: a schedule violating the target was found.
	Found       bool
	Violation   Violation
	Preemptions int
	Stats       Stats
	// Complete: the search settled every schedule cheaper than the one it
	// returns, so the guarantee of its Order holds. False when a limit cut
	// the search.
	Complete bool
	Stopped  string
}

// MinimiseOptions bound a minimising search.
type MinimiseOptions struct {
	Order     Order
	MaxStates int64 // nodes settled, 0: no limit
}

// Minimise finds, among all schedules from the initial state that violate
// the target, one that is minimal in the given order. It is exact: it is
// Dijkstra's algorithm over (state, CPU of the last step) with the cost
// (preemptions, steps) or (steps, preemptions), so with Complete set no
// violating schedule is cheaper. In particular dropping any single step
// never yields a cheaper violating schedule, because dropping a step never
// adds a preemption.
func Minimise(ctx context.Context, m *model.Model, target Target, opt MinimiseOptions) (*Minimal, error) {
	prop, err := properties.Lookup(target.Property)
	if err != nil {
		return nil, err
	}
	ms := &minSearch{m: m, prop: prop, target: target, opt: opt, ctx: ctx, start: time.Now(),
		size: model.EncodedSize(m.Sc), best: map[minKey]cost{}}
	res := ms.run()
	res.Stats.Elapsed = time.Since(ms.start)
	return res, nil
}

type cost struct{ a, b int32 } // lexicographic

func (c cost) less(d cost) bool { return c.a < d.a || (c.a == d.a && c.b < d.b) }

type minKey struct {
	f    fp
	last int8
}

type minNode struct {
	parent int32
	via    model.Step
	last   int8
	cost   cost
}

type minItem struct {
	cost cost
	seq  int64
	node int32 // index into nodes
	// goal: reaching node (or taking step via from node, if stepGoal) violates the target.
	goal     bool
	stepGoal bool
	via      model.Step
	msg      string
}

type minHeap []minItem

func (h minHeap) Len() int { return len(h) }
func (h minHeap) Less(i, j int) bool {
	if h[i].cost != h[j].cost {
		return h[i].cost.less(h[j].cost)
	}
	return h[i].seq < h[j].seq
}
func (h minHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)   { *h = append(*h, x.(minItem)) }
func (h *minHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

type minSearch struct {
	m      *model.Model
	prop   *properties.Property
	target Target
	opt    MinimiseOptions
	ctx    context.Context
	start  time.Time
	size   int
	nodes  []minNode
	states []byte // encodings, size bytes per node
	best   map[minKey]cost
	h      minHeap
	seq    int64
}

func (ms *minSearch) edge(from *minNode, st model.Step) cost {
	c := from.cost
	switch switched := from.last >= 0 && st.CPU != from.last; ms.opt.Order {
	case FewestPreemptions:
		if switched {
			c.a++
		}
		c.b++
	default:
		c.a++
		if switched {
			c.b++
		}
	}
	return c
}

func (ms *minSearch) matches(msg string) bool {
	return msg != "" && properties.Class(ms.prop.Name, msg) == ms.target.Class
}

func (ms *minSearch) push(it minItem) {
	it.seq = ms.seq
	ms.seq++
	heap.Push(&ms.h, it)
}

// add records a node reached with cost c, unless a cheaper one is known.
func (ms *minSearch) add(parent int32, via model.Step, last int8, c cost, s *model.State, enc []byte) {
	k := minKey{fingerprint(enc), last}
	if old, ok := ms.best[k]; ok && !c.less(old) {
		return
	}
	ms.best[k] = c
	id := int32(len(ms.nodes))
	ms.nodes = append(ms.nodes, minNode{parent: parent, via: via, last: last, cost: c})
	ms.states = append(ms.states, enc...)
	if ms.prop.State != nil {
		if msg := ms.prop.State(ms.m, s); ms.matches(msg) {
			ms.push(minItem{cost: c, node: id, goal: true, msg: msg})
			return
		}
	}
	ms.push(minItem{cost: c, node: id})
}

func (ms *minSearch) trace(id int32, last *model.Step) []model.Step {
	var rev []model.Step
	if last != nil {
		rev = append(rev, *last)
	}
	for ; id > 0; id = ms.nodes[id].parent {
		rev = append(rev, ms.nodes[id].via)
	}
	slices.Reverse(rev)
	return rev
}

func (ms *minSearch) run() *Minimal {
	m := ms.m
	res := &Minimal{}
	init := m.Init()
	enc := model.Encode(make([]byte, 0, ms.size), &init, m.Sc)
	ms.add(-1, model.Step{}, -1, cost{}, &init, enc)
	settled := map[minKey]bool{}
	var cur, next model.State
	var buf []model.Step
	for ms.h.Len() > 0 {
		it := heap.Pop(&ms.h).(minItem)
		if it.goal {
			var tr []model.Step
			if it.stepGoal {
				tr = ms.trace(it.node, &it.via)
			} else {
				tr = ms.trace(it.node, nil)
			}
			res.Found, res.Complete = true, true
			res.Violation = Violation{Property: ms.prop.Name, Message: it.msg, Trace: tr}
			res.Preemptions = Preemptions(tr)
			return res
		}
		n := ms.nodes[it.node]
		off := int(it.node) * ms.size
		k := minKey{fingerprint(ms.states[off : off+ms.size]), n.last}
		if settled[k] || ms.best[k].less(n.cost) {
			continue
		}
		settled[k] = true
		res.Stats.States++
		res.Stats.MaxDepth = max(res.Stats.MaxDepth, int(max(n.cost.a, n.cost.b)))
		if ms.opt.MaxStates > 0 && res.Stats.States >= ms.opt.MaxStates {
			res.Stopped = "max-states"
			return res
		}
		if res.Stats.States&1023 == 0 && ms.ctx.Err() != nil {
			res.Stopped = "cancelled"
			return res
		}
		model.Decode(ms.states[off:off+ms.size], &cur, m.Sc)
		buf = m.Enabled(&cur, buf)
		if len(buf) == 0 {
			if ms.prop.Terminal != nil {
				if msg := ms.prop.Terminal(m, &cur); ms.matches(msg) {
					ms.push(minItem{cost: n.cost, node: it.node, goal: true, msg: msg})
				}
			}
			continue
		}
		for _, st := range buf {
			model.CopyState(&next, &cur, m.Sc)
			eff := m.Apply(&next, st)
			res.Stats.Transitions++
			c := ms.edge(&n, st)
			if ms.prop.Step != nil {
				if msg := ms.prop.Step(m, &cur, st, &eff, &next); ms.matches(msg) {
					ms.push(minItem{cost: c, node: it.node, goal: true, stepGoal: true, via: st, msg: msg})
					continue
				}
			}
			enc = model.Encode(enc[:0], &next, m.Sc)
			ms.add(it.node, st, st.CPU, c, &next, enc)
		}
	}
	res.Complete = true // nothing reachable violates the target
	return res
}
