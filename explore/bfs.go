package explore

import (
	"slices"

	"github.com/rqcheck/rqcheck/model"
)

// bfs is breadth-first search over encoded states, one level at a time.
// Every visited state keeps its parent and the step that reached it, so a
// schedule is rebuilt by walking back to the root.
func (e *explorer) bfs() {
	m := e.m
	size := model.EncodedSize(m.Sc)
	visited := newFPSet()
	// nodes[id] is the parent of state id and the step that reached it.
	type node struct {
		parent uint32
		via    model.Step
	}
	nodes := []node{{}}
	traceTo := func(id uint32, last *model.Step) []model.Step {
		var rev []model.Step
		if last != nil {
			rev = append(rev, *last)
		}
		for ; id != 0; id = nodes[id].parent {
			rev = append(rev, nodes[id].via)
		}
		slices.Reverse(rev)
		return rev
	}

	init := m.Init()
	enc := model.Encode(make([]byte, 0, size), &init, m.Sc)
	visited.add(fingerprint(enc))
	e.res.Stats.States = 1
	if prop, msg := e.judgeState(&init); prop >= 0 && e.report(prop, msg, nil) {
		return
	}
	level := append([]byte(nil), enc...)
	levelBase := uint32(0)
	depth := 0
	var cur, next model.State
	var eff model.Effects
	var nextLevel []byte
	// A violation on a step out of level d has d+1 steps, while a terminal
	// state later in level d has d: such violations wait in pending until
	// the level is done, so the first violation reported is a shortest.
	type found struct {
		prop  int
		msg   string
		trace []model.Step
	}
	var pending []found
	pend := make([]bool, len(e.opt.Props))
	flush := func() bool {
		for _, f := range pending {
			if !e.seen[f.prop] && e.report(f.prop, f.msg, f.trace) {
				return true
			}
		}
		pending = pending[:0]
		return false
	}
	for len(level) > 0 {
		nextLevel = nextLevel[:0]
		nextBase := uint32(len(nodes))
		for off := 0; off < len(level); off += size {
			id := levelBase + uint32(off/size)
			model.Decode(level[off:off+size], &cur, m.Sc)
			e.buf = m.Enabled(&cur, e.buf)
			if len(e.buf) == 0 {
				if prop, msg := e.judgeTerminal(&cur); prop >= 0 && e.report(prop, msg, traceTo(id, nil)) {
					return
				}
				continue
			}
			if len(pending) > 0 && !e.opt.All {
				continue // only terminal states of this level can still be shorter
			}
			for _, st := range e.buf {
				model.CopyState(&next, &cur, m.Sc)
				eff = m.Apply(&next, st)
				e.res.Stats.Transitions++
				enc = model.Encode(enc[:0], &next, m.Sc)
				isNew := visited.add(fingerprint(enc))
				newID := id
				if isNew {
					newID = uint32(len(nodes))
					nodes = append(nodes, node{id, st})
					nextLevel = append(nextLevel, enc...)
					e.res.Stats.States++
					e.res.Stats.MaxDepth = depth + 1
				}
				if prop, msg := e.judgeStep(&cur, st, &eff, &next, isNew); prop >= 0 && !pend[prop] {
					var tr []model.Step
					if isNew {
						tr = traceTo(newID, nil)
					} else {
						last := st
						tr = traceTo(id, &last)
					}
					pend[prop] = true
					pending = append(pending, found{prop, msg, tr})
				}
				if e.stop() {
					flush()
					return
				}
			}
		}
		if flush() {
			return
		}
		// The level just expanded is dead: reuse its buffer for the next.
		level, nextLevel, levelBase = nextLevel, level, nextBase
		depth++
	}
	e.res.Complete = true
}
