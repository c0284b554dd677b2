package model

import (
	"fmt"
	"hash/fnv"
)

// PC is a program counter: an index into the step table. Every PC is one
// statement (or a few statements that nobody else can observe mid-way) of a
// kernel function, and names the function and the line it models.
type PC uint8

// StepDef describes the code a PC stands for.
type StepDef struct {
	Func string // kernel function
	File string // source file; "" means kernel/sched.c
	Line int    // line in the v2.6.24 source
	Text string // the statement(s)
	// Inline marks code that has no step of its own: it runs as part of the
	// step that reaches it, because nothing another CPU can observe (no lock
	// operation, no unlocked shared access, no irq-flag change) lies between.
	Inline bool
	// Via names the caller of code the table models twice, once per
	// caller (task_rq_lock's retry, from set_cpus_allowed and from
	// try_to_wake_up), so that Site tells the two apart. It is not part of
	// StepTableFingerprint: it names, and changes no step.
	Via string
}

// Site is Where, with " from " and Via when the code has a Via.
func (d StepDef) Site() string {
	if d.Via != "" {
		return d.Where() + " from " + d.Via
	}
	return d.Where()
}

// Where renders "function:line" (with the file when it is not sched.c).
func (d StepDef) Where() string {
	if d.File != "" {
		return fmt.Sprintf("%s:%d (%s)", d.Func, d.Line, d.File)
	}
	return fmt.Sprintf("%s:%d", d.Func, d.Line)
}

// The program counters of v2.6.24 (and of the variants built on it).
const (
	PcNone PC = iota

	// user tasks and the idle loop
	PcUser
	PcIdle
	PcSyscall // pseudo-PC labelling the sched_setaffinity entry step
	PcTickIRQ // pseudo-PC labelling a timer interrupt's arrival

	// schedule()
	PcSchedIrqOff
	PcSchedLock
	PcSchedPick
	PcSchedIrqOn

	// set_cpus_allowed() and wait_for_completion()
	PcSCALock
	PcSCARetryUnlock
	PcSCARetryRestore
	PcSCARetrySave
	PcSCAUnlock
	PcSCARestore
	PcSCAWait
	PcWFCLock
	PcWFCSleepUnlock
	PcWFCSleepIrq
	PcWFCRelock
	PcWFCUnlock
	PcWFCIrqOn
	PcSCAOutUnlock
	PcSCAOutRestore

	// try_to_wake_up()
	PcWakeSave
	PcWakeLock
	PcWakeRetryUnlock
	PcWakeRetryRestore
	PcWakeUnlock
	PcWakeRestore

	// double_rq_lock(), double_rq_unlock(), double_lock_balance()
	PcDRLFirst
	PcDRLSecond
	PcDRUFirst
	PcDRUSecond
	PcDLBTry
	PcDLBUnlock
	PcDLBLockB
	PcDLBLockA
	PcDLBLock2

	// migration_thread(), __migrate_task(), complete(), active_load_balance()
	PcMigSetState
	PcMigIrqOff
	PcMigLock
	PcMigOffline
	PcMigActive
	PcMigClearAB
	PcMigQueue
	PcMigEmptyUnlock
	PcMigEmptyIrqOn
	PcMigUnlockReq
	PcMTMove
	PcMigIrqOn
	PcMigCompSave
	PcMigCompLock
	PcMigCompUnlock
	PcMigCompRestore
	PcALBStart
	PcALBMove
	PcALBUnlock

	// scheduler_tick(), irq_exit(), __do_softirq()
	PcTickLock
	PcTickUnlock
	PcIrqExit
	PcSoftExit

	// load_balance()
	PcLBStart
	PcLBRead
	PcLBFbq
	PcLBNr
	PcLBIrqSave
	PcLBMove
	PcLBIrqRestore
	PcLBFailed
	PcLBKickSave
	PcLBKickLock
	PcLBKickUnlock
	PcLBKickRestore
	PcLBKickReset
	PcLBOutBalanced
	PcLBDone

	// idle_balance() → load_balance_newidle()
	PcNIStart
	PcNIRead
	PcNIFbq
	PcNINr
	PcNIMove
	PcNIUnlock
	PcNIFailed
	PcNIOut

	// thermal-2008: the thermal block of migration_thread, find_coolest_cpu's
	// sensor reads through rdmsr_on_cpu → smp_call_function_single, and the
	// CALL_FUNCTION_VECTOR interrupt.
	PcThStart
	PcThStartEarly
	PcThRead
	PcThSelf
	PcThCallLock
	PcThWait
	PcThSaveAB
	PcThSavePush
	PcThSetPush
	PcThRestoreAB
	PcThRestorePush
	PcIPIIRQ // pseudo-PC labelling an IPI's arrival and handler

	numPCs
)

// The step table must fit PC.
var _ = [255 - int(numPCs-1)]struct{}{}

// Steps is the step table, indexed by PC.
var Steps = [numPCs]StepDef{
	PcNone:    {Func: "none", Text: "no code"},
	PcUser:    {Func: "schedule", Line: 3642, Text: "preempted on return to user mode: local_irq_disable()"},
	PcIdle:    {Func: "schedule", Line: 3642, Text: "cpu_idle sees need_resched: local_irq_disable()"},
	PcSyscall: {Func: "set_cpus_allowed", Line: 5074, Text: "sched_setaffinity → set_cpus_allowed → task_rq_lock: local_irq_save(); rq = task_rq(p)"},
	PcTickIRQ: {Func: "scheduler_tick", Line: 3476, Text: "timer interrupt: hardirq entry, interrupts off"},

	PcSchedIrqOff: {Func: "schedule", Line: 3642, Text: "local_irq_disable()"},
	PcSchedLock:   {Func: "schedule", Line: 3644, Text: "spin_lock(&rq->lock); deactivate_task(prev) if it sleeps (3652); idle_balance if !rq->nr_running (3657)"},
	PcSchedPick:   {Func: "schedule", Line: 3670, Text: "pick_next_task; context_switch → finish_lock_switch: spin_unlock(&rq->lock) (539)"},
	PcSchedIrqOn:  {Func: "finish_lock_switch", Line: 539, Text: "spin_unlock_irq: local_irq_enable(); schedule returns (3680)"},

	PcSCALock:         {Func: "task_rq_lock", Line: 615, Text: "spin_lock(&rq->lock); recheck task_rq(p) (616); set_cpus_allowed 5075-5085: p->cpus_allowed = new_mask, migrate_task → list_add(&req->list, &rq->migration_queue) (1137)"},
	PcSCARetryUnlock:  {Func: "task_rq_lock", Line: 618, Text: "task moved: spin_unlock_irqrestore: spin_unlock(&rq->lock)", Via: "set_cpus_allowed"},
	PcSCARetryRestore: {Func: "task_rq_lock", Line: 618, Text: "spin_unlock_irqrestore: local_irq_restore(flags)", Via: "set_cpus_allowed"},
	PcSCARetrySave:    {Func: "task_rq_lock", Line: 613, Text: "retry: local_irq_save(flags); rq = task_rq(p)"},
	PcSCAUnlock:       {Func: "set_cpus_allowed", Line: 5087, Text: "task_rq_unlock: spin_unlock(&rq->lock)"},
	PcSCARestore:      {Func: "set_cpus_allowed", Line: 5087, Text: "task_rq_unlock: local_irq_restore(flags)"},
	PcSCAWait:         {Func: "wait_for_completion", Line: 3923, Text: "set_cpus_allowed 5089: spin_lock_irq(&x->wait.lock): local_irq_disable()"},
	PcWFCLock:         {Func: "wait_for_completion", Line: 3923, Text: "spin_lock(&x->wait.lock); if !x->done: __add_wait_queue_tail, __set_current_state(TASK_UNINTERRUPTIBLE) (3896-3903); else x->done-- (3914)"},
	PcWFCSleepUnlock:  {Func: "do_wait_for_common", Line: 3904, Text: "spin_unlock_irq(&x->wait.lock): spin_unlock"},
	PcWFCSleepIrq:     {Func: "do_wait_for_common", Line: 3904, Text: "spin_unlock_irq: local_irq_enable(); schedule_timeout → schedule() (3905)"},
	PcWFCRelock:       {Func: "do_wait_for_common", Line: 3906, Text: "spin_lock_irq(&x->wait.lock): local_irq_disable()"},
	PcWFCUnlock:       {Func: "wait_for_common", Line: 3925, Text: "spin_unlock_irq(&x->wait.lock): spin_unlock"},
	PcWFCIrqOn:        {Func: "wait_for_common", Line: 3925, Text: "spin_unlock_irq: local_irq_enable(); set_cpus_allowed returns 0 (5091)"},
	PcSCAOutUnlock:    {Func: "set_cpus_allowed", Line: 5094, Text: "task_rq_unlock: spin_unlock(&rq->lock)"},
	PcSCAOutRestore:   {Func: "set_cpus_allowed", Line: 5094, Text: "task_rq_unlock: local_irq_restore(flags); return"},

	PcWakeSave:         {Func: "try_to_wake_up", Line: 1519, Text: "task_rq_lock: local_irq_save(flags); rq = task_rq(p) (613-614)"},
	PcWakeLock:         {Func: "try_to_wake_up", Line: 1519, Text: "task_rq_lock: spin_lock(&rq->lock) (615); recheck (616); activate_task, check_preempt_curr, p->state = TASK_RUNNING (1520-1651)"},
	PcWakeRetryUnlock:  {Func: "task_rq_lock", Line: 618, Text: "task moved: spin_unlock_irqrestore: spin_unlock(&rq->lock)", Via: "try_to_wake_up"},
	PcWakeRetryRestore: {Func: "task_rq_lock", Line: 618, Text: "spin_unlock_irqrestore: local_irq_restore(flags)", Via: "try_to_wake_up"},
	PcWakeUnlock:       {Func: "try_to_wake_up", Line: 1653, Text: "task_rq_unlock: spin_unlock(&rq->lock)"},
	PcWakeRestore:      {Func: "try_to_wake_up", Line: 1653, Text: "task_rq_unlock: local_irq_restore(flags)"},

	PcDRLFirst:  {Func: "double_rq_lock", Line: 2090, Text: "BUG_ON(!irqs_disabled()); spin_lock of the lower-addressed rq (2096/2099)"},
	PcDRLSecond: {Func: "double_rq_lock", Line: 2097, Text: "spin_lock of the higher-addressed rq (2097/2100)"},
	PcDRUFirst:  {Func: "double_rq_unlock", Line: 2117, Text: "spin_unlock(&rq1->lock)"},
	PcDRUSecond: {Func: "double_rq_unlock", Line: 2119, Text: "spin_unlock(&rq2->lock)"},
	PcDLBTry:    {Func: "double_lock_balance", Line: 2137, Text: "BUG_ON(1) if !irqs_disabled() (2132-2135); spin_trylock(&busiest->lock)"},
	PcDLBUnlock: {Func: "double_lock_balance", Line: 2139, Text: "busiest < this_rq: spin_unlock(&this_rq->lock)"},
	PcDLBLockB:  {Func: "double_lock_balance", Line: 2140, Text: "spin_lock(&busiest->lock)"},
	PcDLBLockA:  {Func: "double_lock_balance", Line: 2141, Text: "spin_lock(&this_rq->lock)"},
	PcDLBLock2:  {Func: "double_lock_balance", Line: 2143, Text: "spin_lock(&busiest->lock)"},

	PcMigSetState:    {Func: "migration_thread", Line: 5180, Text: "set_current_state(TASK_INTERRUPTIBLE)"},
	PcMigIrqOff:      {Func: "migration_thread", Line: 5163, Text: "spin_lock_irq(&rq->lock): local_irq_disable()"},
	PcMigLock:        {Func: "migration_thread", Line: 5163, Text: "spin_lock(&rq->lock)"},
	PcMigOffline:     {Func: "migration_thread", Line: 5165, Text: "if (cpu_is_offline(cpu)): CPU is online", Inline: true},
	PcMigActive:      {Func: "migration_thread", Line: 5170, Text: "if (rq->active_balance) active_load_balance(rq, cpu)", Inline: true},
	PcMigClearAB:     {Func: "migration_thread", Line: 5172, Text: "rq->active_balance = 0", Inline: true},
	PcMigQueue:       {Func: "migration_thread", Line: 5177, Text: "list_empty(head)? else req = head->next; list_del_init (5183-5184)", Inline: true},
	PcMigEmptyUnlock: {Func: "migration_thread", Line: 5178, Text: "spin_unlock_irq(&rq->lock): spin_unlock"},
	PcMigEmptyIrqOn:  {Func: "migration_thread", Line: 5178, Text: "spin_unlock_irq: local_irq_enable(); schedule() (5179)"},
	PcMigUnlockReq:   {Func: "migration_thread", Line: 5186, Text: "spin_unlock(&rq->lock), interrupts stay off; __migrate_task(req->task, cpu, req->dest_cpu) (5187)"},
	PcMTMove:         {Func: "__migrate_task", Line: 5124, Text: "task_cpu(p) == src_cpu, dest allowed: deactivate_task, set_task_cpu, activate_task (5124-5138)"},
	PcMigIrqOn:       {Func: "migration_thread", Line: 5188, Text: "local_irq_enable()"},
	PcMigCompSave:    {Func: "complete", Line: 3869, Text: "migration_thread 5190: spin_lock_irqsave(&x->wait.lock): local_irq_save"},
	PcMigCompLock:    {Func: "complete", Line: 3869, Text: "spin_lock(&x->wait.lock); x->done++ (3870); __wake_up_common (3871)"},
	PcMigCompUnlock:  {Func: "complete", Line: 3873, Text: "spin_unlock_irqrestore(&x->wait.lock): spin_unlock"},
	PcMigCompRestore: {Func: "complete", Line: 3873, Text: "spin_unlock_irqrestore: local_irq_restore(flags)"},
	PcALBStart:       {Func: "active_load_balance", Line: 3018, Text: "target_cpu = busiest_rq->push_cpu; nr_running <= 1 → return (3023); BUG_ON(busiest_rq == target_rq) (3033)", Inline: true},
	PcALBMove:        {Func: "active_load_balance", Line: 3050, Text: "move_one_task(target_rq, target_cpu, busiest_rq, sd, CPU_IDLE) (thermal-2008, posted iterator: load_balance_start_therm returns NULL, nothing moves)"},
	PcALBUnlock:      {Func: "active_load_balance", Line: 3056, Text: "spin_unlock(&target_rq->lock)"},

	PcTickLock:   {Func: "scheduler_tick", Line: 3483, Text: "spin_lock(&rq->lock); update_cpu_load, task_tick (3484-3493)"},
	PcTickUnlock: {Func: "scheduler_tick", Line: 3494, Text: "spin_unlock(&rq->lock); rq->idle_at_tick = idle_cpu(cpu) (3497); trigger_load_balance: raise_softirq(SCHED_SOFTIRQ) (3313)"},
	PcIrqExit:    {Func: "irq_exit", File: "kernel/softirq.c", Line: 302, Text: "return from hardirq; softirq pending and not in interrupt: __do_softirq: local_irq_enable (226)"},
	PcSoftExit:   {Func: "__do_softirq", File: "kernel/softirq.c", Line: 239, Text: "local_irq_disable(); restart if pending (242), else return to the interrupted context"},

	PcLBStart:       {Func: "rebalance_domains", Line: 3173, Text: "run_rebalance_domains → rebalance_domains → load_balance(cpu, rq, sd, idle)", Inline: true},
	PcLBRead:        {Func: "find_busiest_group", Line: 2764, Text: "read a group's nr_running and weighted_cpuload without its lock"},
	PcLBFbq:         {Func: "find_busiest_queue", Line: 2716, Text: "read busiest's nr_running and weighted_cpuload without its lock; BUG_ON(busiest == this_rq) (2781)"},
	PcLBNr:          {Func: "load_balance", Line: 2786, Text: "if (busiest->nr_running > 1), read without the lock"},
	PcLBIrqSave:     {Func: "load_balance", Line: 2793, Text: "local_irq_save(flags); double_rq_lock(this_rq, busiest) (2794)"},
	PcLBMove:        {Func: "load_balance", Line: 2795, Text: "move_tasks → balance_tasks → can_migrate_task (2215), pull_task (2198)"},
	PcLBIrqRestore:  {Func: "load_balance", Line: 2798, Text: "local_irq_restore(flags); all pinned → redo (2807)"},
	PcLBFailed:      {Func: "load_balance", Line: 2815, Text: "!ld_moved: sd->nr_balance_failed++ (2817)", Inline: true},
	PcLBKickSave:    {Func: "load_balance", Line: 2821, Text: "spin_lock_irqsave(&busiest->lock): local_irq_save"},
	PcLBKickLock:    {Func: "load_balance", Line: 2821, Text: "spin_lock(&busiest->lock); curr may run here? (2826); if !busiest->active_balance: active_balance = 1, push_cpu = this_cpu (2832-2836)"},
	PcLBKickUnlock:  {Func: "load_balance", Line: 2837, Text: "spin_unlock_irqrestore(&busiest->lock): spin_unlock"},
	PcLBKickRestore: {Func: "load_balance", Line: 2837, Text: "spin_unlock_irqrestore: local_irq_restore; wake_up_process(busiest->migration_thread) (2839)"},
	PcLBKickReset:   {Func: "load_balance", Line: 2845, Text: "sd->nr_balance_failed = sd->cache_nice_tries+1", Inline: true},
	PcLBOutBalanced: {Func: "load_balance", Line: 2872, Text: "out_balanced: sd->nr_balance_failed = 0", Inline: true},
	PcLBDone:        {Func: "rebalance_domains", Line: 3181, Text: "load_balance returns", Inline: true},

	PcNIStart:  {Func: "load_balance_newidle", Line: 2916, Text: "idle_balance (2990) → load_balance_newidle; find_busiest_group reads this_rq (locked)", Inline: true},
	PcNIRead:   {Func: "find_busiest_group", Line: 2916, Text: "read another group's nr_running and weighted_cpuload without its lock"},
	PcNIFbq:    {Func: "find_busiest_queue", Line: 2923, Text: "read busiest's nr_running and weighted_cpuload without its lock; BUG_ON(busiest == this_rq) (2930)"},
	PcNINr:     {Func: "load_balance_newidle", Line: 2935, Text: "if (busiest->nr_running > 1), read without busiest's lock; double_lock_balance (2937)"},
	PcNIMove:   {Func: "load_balance_newidle", Line: 2940, Text: "move_tasks(..., CPU_NEWLY_IDLE, &all_pinned)"},
	PcNIUnlock: {Func: "load_balance_newidle", Line: 2943, Text: "spin_unlock(&busiest->lock); all pinned → redo (2945)"},
	PcNIFailed: {Func: "load_balance_newidle", Line: 2952, Text: "ld_moved? sd->nr_balance_failed = 0 (2958); return to schedule", Inline: true},
	PcNIOut:    {Func: "load_balance_newidle", Line: 2967, Text: "out_balanced: sd->nr_balance_failed = 0; return to schedule", Inline: true},

	// The thermal-2008 patch has no line numbers of its own: its statements
	// carry the v2.6.24 line they are inserted at and say "patch:".
	PcThStart:       {Func: "migration_thread", Line: 5169, Text: "patch: after the offline check, under rq->lock: if (sched_thermal == 3) coolest = find_coolest_cpu(NULL)", Inline: true},
	PcThStartEarly:  {Func: "migration_thread", Line: 5162, Text: "patch: before spin_lock_irq(&rq->lock): if (sched_thermal == 3) coolest = find_coolest_cpu(NULL)", Inline: true},
	PcThRead:        {Func: "rdmsr_on_cpu", File: "arch/x86/lib/msr-on-cpu.c", Line: 36, Text: "find_coolest_cpu reads the next core's sensor: smp_call_function_single(cpu, __rdmsr_on_cpu, &rv, 0, 1), or the irq-safe read; after the last core: if (coolest != cpu)", Inline: true},
	PcThSelf:        {Func: "smp_call_function_single", File: "arch/x86/kernel/smp_64.c", Line: 429, Text: "cpu == me: local_irq_disable(); func(info); local_irq_enable() (430-432): interrupts on, whatever they were"},
	PcThCallLock:    {Func: "smp_call_function_mask", File: "arch/x86/kernel/smp_64.c", Line: 399, Text: "WARN_ON(irqs_disabled()) (397); spin_lock(&call_lock); __smp_call_function_mask: call_data = &data; send_IPI_mask(CALL_FUNCTION_VECTOR) (354-361)"},
	PcThWait:        {Func: "__smp_call_function_mask", File: "arch/x86/kernel/smp_64.c", Line: 364, Text: "spin until data.started and data.finished reach 1 (364-371); spin_unlock(&call_lock) (401)"},
	PcThSaveAB:      {Func: "migration_thread", Line: 5169, Text: "patch: save_ab = rq->active_balance (under rq->lock also: save_push = rq->push_cpu; rq->push_cpu = coolest; restore both if active_load_balance stays commented out)"},
	PcThSavePush:    {Func: "migration_thread", Line: 5169, Text: "patch: save_push = rq->push_cpu"},
	PcThSetPush:     {Func: "migration_thread", Line: 5169, Text: "patch: rq->push_cpu = coolest; [active_load_balance(rq, cpu), commented out in the post]"},
	PcThRestoreAB:   {Func: "migration_thread", Line: 5169, Text: "patch: rq->active_balance = save_ab (under rq->lock also: rq->push_cpu = save_push)"},
	PcThRestorePush: {Func: "migration_thread", Line: 5169, Text: "patch: rq->push_cpu = save_push"},
	PcIPIIRQ:        {Func: "smp_call_function_interrupt", File: "arch/x86/kernel/smp_64.c", Line: 507, Text: "CALL_FUNCTION_VECTOR IPI: hardirq entry; ack_APIC_irq; started++ (519); __rdmsr_on_cpu (525); irq_exit (527); finished++ (530); return from interrupt"},
}

// StepTableFingerprint hashes the step table. A counterexample file records
// it: a file written against another table may not replay.
func StepTableFingerprint() string {
	h := fnv.New64a()
	for pc, d := range Steps {
		fmt.Fprintf(h, "%d|%s|%s|%d|%s|%v\n", pc, d.Func, d.File, d.Line, d.Text, d.Inline)
	}
	return fmt.Sprintf("%016x", h.Sum64())
}
