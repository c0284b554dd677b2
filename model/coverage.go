package model

import "math/bits"

// PCSet is a set of program counters: the steps a search took, or the
// steps a model's code has (Model.StepPCs); any PC fits (PC is a byte).
// Its zero value is empty.
type PCSet [4]uint64

// Add puts pc in the set.
func (p *PCSet) Add(pc PC) { p[pc>>6] |= 1 << (pc & 63) }

// Has reports whether pc is in the set.
func (p PCSet) Has(pc PC) bool { return p[pc>>6]&(1<<(pc&63)) != 0 }

// Union adds the PCs of q to the set.
func (p *PCSet) Union(q *PCSet) {
	for i := range p {
		p[i] |= q[i]
	}
}

// Minus returns the PCs of the set that are not in q.
func (p PCSet) Minus(q *PCSet) PCSet {
	for i := range p {
		p[i] &^= q[i]
	}
	return p
}

// Len is the number of PCs in the set.
func (p PCSet) Len() int {
	n := 0
	for _, w := range p {
		n += bits.OnesCount64(w)
	}
	return n
}

// PCs lists the set in increasing order (step-table order).
func (p PCSet) PCs() []PC {
	var out []PC
	for i, w := range p {
		for ; w != 0; w &= w - 1 {
			out = append(out, PC(64*i+bits.TrailingZeros64(w)))
		}
	}
	return out
}

// StepPC is the program counter step st of state s starts at: the
// statement Describe names. For a KRun step it is the PC of the CPU's top
// context; timer ticks, IPIs and sched_setaffinity calls start at their
// pseudo-PCs (PcTickIRQ, PcIPIIRQ, PcSyscall).
func (m *Model) StepPC(s *State, st Step) PC {
	switch st.Kind {
	case KTick:
		return PcTickIRQ
	case KSyscall:
		return PcSyscall
	case KIPI:
		return PcIPIIRQ
	}
	ctx, _ := s.Top(int(st.CPU))
	return ctx.PC
}

// StepPCs is the set of PCs that start a step of this model's code: every
// PC of the step table except PcNone, the Inline ones (which run only as
// part of the step that reaches them), and the thermal patch's that the
// variant and its knobs leave out (hasCode). A search that takes no step
// at some of them never ran that code: Stats.Reached in package explore
// records the PCs it took.
func (m *Model) StepPCs() PCSet {
	var p PCSet
	for pc := PcNone + 1; pc < numPCs; pc++ {
		if !Steps[pc].Inline && m.hasCode(pc) {
			p.Add(pc)
		}
	}
	return p
}

// hasCode reports whether the variant, with its knob settings, can run
// the code at pc: all of v2.6.24's, and of the thermal patch (PcThStart
// on) what exec's thermal block reaches. The block placed before the lock
// starts at PcThStartEarly and saves and restores push_cpu in steps of
// their own (loopTop, PcThSaveAB, PcThRestoreAB); rq->active_balance is
// restored in a step of its own only then or after the active_load_balance
// call (thermalSetPush); only the IPI sensor reads through
// smp_call_function (PcThRead).
func (m *Model) hasCode(pc PC) bool {
	th := m.th
	switch {
	case pc < PcThStart:
		return true
	case !th.on:
		return false
	}
	switch pc {
	case PcThStartEarly, PcThSavePush, PcThSetPush, PcThRestorePush:
		return th.beforeLock
	case PcThRestoreAB:
		return th.beforeLock || th.alb
	case PcThSelf, PcThCallLock, PcThWait, PcIPIIRQ:
		return th.ipi
	}
	return true
}
