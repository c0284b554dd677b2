package model

import (
	"fmt"
	"strings"
)

// StepInfo describes a step for people: where it runs and what code it is.
type StepInfo struct {
	CPU     int
	Context string // "T0", "migration/0", "swapper/1", "softirq", "hardirq"
	PC      PC
	Def     StepDef
}

// Describe names the code that step st executes from state s.
func (m *Model) Describe(s *State, st Step) StepInfo {
	c := int(st.CPU)
	info := StepInfo{CPU: c, PC: m.StepPC(s, st)}
	switch st.Kind {
	case KTick, KIPI:
		info.Context = "hardirq"
	case KSyscall:
		info.Context = s.ThreadName(c)
	default:
		_, lvl := s.Top(c)
		info.Context = s.ContextName(c, lvl)
	}
	info.Def = Steps[info.PC]
	return info
}

// Changes lists, in a fixed order, what differs between two states of this
// model: locks, irq flags, contexts, runqueues, flags and tasks. The output
// is deterministic, for golden files.
func (m *Model) Changes(a, b *State) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	owner := func(o int8) string {
		if o == NoOwner {
			return "free"
		}
		return fmt.Sprintf("cpu%d/%s", CtxCPU(o), [...]string{"thread", "softirq", "hardirq"}[CtxLevel(o)])
	}
	for c := 0; c < m.n; c++ {
		x, y := &a.CPU[c], &b.CPU[c]
		if x.Lock != y.Lock {
			add("rq[%d]->lock %s→%s", c, owner(x.Lock), owner(y.Lock))
		}
		if x.IrqsOff != y.IrqsOff {
			add("cpu%d irqs %s", c, map[bool]string{true: "off", false: "on"}[y.IrqsOff])
		}
		if x.InHard != y.InHard {
			add("cpu%d %s hardirq", c, map[bool]string{true: "enters", false: "leaves"}[y.InHard])
		}
		if x.InSoft != y.InSoft {
			add("cpu%d %s softirq", c, map[bool]string{true: "enters", false: "leaves"}[y.InSoft])
		}
		if x.SoftPending != y.SoftPending && y.SoftPending {
			add("cpu%d SCHED_SOFTIRQ raised", c)
		}
		if x.NeedResched != y.NeedResched {
			add("cpu%d need_resched=%v", c, y.NeedResched)
		}
		if x.Curr != y.Curr {
			add("rq[%d]->curr %s→%s", c, a.ThreadName(c), b.ThreadName(c))
		}
		if x.QLen != y.QLen || x.Queue != y.Queue {
			add("rq[%d] queue %s→%s", c, queueString(x), queueString(y))
		}
		if x.NrRunning != y.NrRunning {
			add("rq[%d]->nr_running %d→%d", c, x.NrRunning, y.NrRunning)
		}
		if x.ActiveBalance != y.ActiveBalance {
			add("rq[%d]->active_balance=%d", c, b2i(y.ActiveBalance))
		}
		if x.PushCPU != y.PushCPU {
			add("rq[%d]->push_cpu=%d", c, y.PushCPU)
		}
		if x.MigQLen != y.MigQLen || x.MigQ != y.MigQ {
			add("rq[%d]->migration_queue %s→%s", c, migqString(x), migqString(y))
		}
		if x.MigOnRq != y.MigOnRq || x.MigState != y.MigState {
			add("migration/%d %s", c, taskStateString(y.MigOnRq, y.MigState))
		}
		if x.NrBalanceFailed != y.NrBalanceFailed {
			add("cpu%d sd->nr_balance_failed %d→%d", c, x.NrBalanceFailed, y.NrBalanceFailed)
		}
		if lb := &y.SoftLB; lb.Busiest != x.SoftLB.Busiest && lb.Busiest >= 0 {
			add("cpu%d load_balance: busiest=rq[%d] imbalance=%d", c, lb.Busiest, lb.Imbalance)
		}
		if lb := &y.ThreadLB; lb.Busiest != x.ThreadLB.Busiest && lb.Busiest >= 0 {
			add("cpu%d load_balance_newidle: busiest=rq[%d] imbalance=%d", c, lb.Busiest, lb.Imbalance)
		}
		if x.SaveAB != y.SaveAB || x.SavePush != y.SavePush {
			add("migration/%d save_ab=%d save_push=%d", c, b2i(y.SaveAB), y.SavePush)
		}
	}
	if a.CallLock != b.CallLock {
		add("call_lock %s→%s", owner(a.CallLock), owner(b.CallLock))
	}
	if a.CallTarget != b.CallTarget && b.CallTarget >= 0 {
		add("CALL_FUNCTION_VECTOR IPI sent to cpu%d", b.CallTarget)
	}
	if a.CallDone != b.CallDone && b.CallDone {
		add("cpu%d ran the IPI handler: call_data started=1 finished=1", b.CallTarget)
	}
	for t := 0; t < m.nt; t++ {
		x, y := &a.Task[t], &b.Task[t]
		if x.CPU != y.CPU {
			add("T%d cpu %d→%d", t, x.CPU, y.CPU)
		}
		if x.Mask != y.Mask {
			add("T%d cpus_allowed %s→%s", t, MaskString(x.Mask), MaskString(y.Mask))
		}
		if x.OnRq != y.OnRq || x.State != y.State {
			add("T%d %s", t, taskStateString(y.OnRq, y.State))
		}
		if x.ReqLock != y.ReqLock {
			add("T%d.req.done.wait.lock %s→%s", t, owner(x.ReqLock), owner(y.ReqLock))
		}
		if x.ReqDone != y.ReqDone {
			add("T%d.req.done=%d", t, y.ReqDone)
		}
	}
	if a.Bug != b.Bug && b.Bug != 0 {
		bg := Bugs[int(b.Bug)]
		add("kernel BUG at kernel/sched.c:%d (%s: %s)", b.Bug, bg.Func, bg.Cond)
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func queueString(c *CPU) string {
	parts := make([]string, c.QLen)
	for i := range parts {
		parts[i] = fmt.Sprintf("T%d", c.Queue[i])
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func migqString(c *CPU) string {
	parts := make([]string, c.MigQLen)
	for i := range parts {
		parts[i] = fmt.Sprintf("req(T%d)", c.MigQ[i])
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func taskStateString(onRq bool, state uint8) string {
	st := [...]string{"TASK_RUNNING", "TASK_INTERRUPTIBLE", "TASK_UNINTERRUPTIBLE"}[state]
	if onRq {
		return st + ", on_rq"
	}
	return st + ", off rq"
}

// Summary renders the whole state in a few lines, for reports.
func (m *Model) Summary(s *State) string {
	var b strings.Builder
	for c := 0; c < m.n; c++ {
		cpu := &s.CPU[c]
		irq := "on"
		if cpu.IrqsOff {
			irq = "off"
		}
		ctx, lvl := s.Top(c)
		fmt.Fprintf(&b, "cpu%d: irqs %s, runs %s at %s; rq: curr=%s queue=%s nr_running=%d active_balance=%d push_cpu=%d migration_queue=%s\n",
			c, irq, s.ContextName(c, lvl), Steps[ctx.PC].Where(), s.ThreadName(c), queueString(cpu), cpu.NrRunning,
			b2i(cpu.ActiveBalance), cpu.PushCPU, migqString(cpu))
	}
	for t := 0; t < m.nt; t++ {
		task := &s.Task[t]
		fmt.Fprintf(&b, "T%d: cpu %d, cpus_allowed %s, %s\n", t, task.CPU, MaskString(task.Mask), taskStateString(task.OnRq, task.State))
	}
	return b.String()
}

// CallChain is the model's backtrace of the context at level of cpu,
// innermost first: the statement it is at, then each caller it will return
// to (the Ret stack), then how the context was entered. It is empty if the
// level is not on cpu's stack.
func (s *State) CallChain(cpu, level int) []string {
	ctx := s.Ctx(cpu, level)
	if ctx == nil {
		return nil
	}
	chain := []string{Steps[ctx.PC].Where()}
	for i := int(ctx.SP) - 1; i >= 0; i-- {
		chain = append(chain, Steps[ctx.Ret[i]].Where())
	}
	switch {
	case level == LevelHardirq:
		chain = append(chain, "<hardirq>")
	case level == LevelSoftirq:
		chain = append(chain, "__do_softirq (kernel/softirq.c)", "<softirq, from irq_exit>")
	case s.CPU[cpu].Curr == CurrMig:
		chain = append(chain, "kthread: migration_thread")
	case s.CPU[cpu].Curr == CurrIdle:
		chain = append(chain, "cpu_idle")
	default:
		chain = append(chain, "<user mode>")
	}
	return chain
}
