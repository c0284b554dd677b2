// Package model is a lock-accurate model of Linux SMP load balancing as of
// v2.6.24 kernel/sched.c, plus variants built on it.
//
// The model is data plus a step function, in the shape of go.etcd.io/raft:
// a State is plain data (fixed-size arrays of small integers, copied by
// assignment, compared with ==); Model.Enabled lists the steps a state
// allows; Model.Apply executes one of them in place and returns its Effects
// as a value. Nothing here schedules or searches: the explore package owns
// every choice.
//
// # What is modelled
//
// N CPUs, each with an interrupt flag and a stack of contexts (a thread, at
// most one softirq, at most one hardirq), its runqueue (rq->lock, curr, the
// fair queue in pick order, nr_running, active_balance, push_cpu,
// migration_queue with 2.6.24's head insertion), its migration thread and
// idle thread, and its sched_domain counters (nr_balance_failed,
// cache_nice_tries). User tasks carry cpus_allowed, cpu, on_rq, state, a
// cache-hot flag and a weight; a task that calls sched_setaffinity carries
// its struct migration_req and completion on its own stack, as in the kernel.
//
// Code paths: the timer tick (hardirq) raising SCHED_SOFTIRQ;
// rebalance_domains → load_balance with unlocked reads of other runqueues,
// double_rq_lock by address order, move_tasks, the all-pinned redo and the
// active-balance kick; migration_thread with active_load_balance,
// double_lock_balance and request handling through __migrate_task and
// complete; set_cpus_allowed from a sched_setaffinity call with task_rq_lock's
// retry, migrate_task, wake_up_process and wait_for_completion; schedule()
// with idle_balance → load_balance_newidle; try_to_wake_up.
//
// # Granularity
//
// A step is one action another CPU could observe: a lock operation, one
// unlocked read or write of a field others share, an irq-flag change, a
// wake-up or a sleep. Statements nobody can observe mid-way (work under a
// held lock, local decisions) are marked Inline in the step table and run
// as part of the step before them. Every PC of the step table names the
// kernel function and the v2.6.24 line it models (kernel/sched.c unless the
// entry names another file). StepPC names the PC a step starts at, and
// StepPCs the PCs of a model's code that start one (not the Inline ones,
// nor the thermal patch's outside its variants): a search that records
// the first (coverage.go) knows which kernel code it never ran.
//
// # Facts for reductions
//
// Footprint (footprint.go) gives the shared objects a step reads and
// writes (rq locks, the load fields balancers read unlocked, runqueue data,
// tasks, migration requests), and FutureGiven over-approximates what a CPU
// may touch from now on; the explorer's partial-order reduction is built
// on them. Symmetries (symmetry.go) is the group of task and CPU
// renamings under which the step function is invariant; runqueue address
// order and find_busiest_group's walk leave no CPU symmetry.
//
// # Where the model abstracts the source
//
// Where the spec (spec/kernel-model.md) and the kernel source disagree, the
// source wins; these are the model's deliberate abstractions, each checked
// against v2.6.24:
//
//   - find_busiest_group uses weighted_cpuload for source_load and
//     target_load (the cpu_load[] decay of update_cpu_load is not
//     modelled), one domain level of single-CPU groups with cpu_power
//     SCHED_LOAD_SCALE; the imbalance arithmetic, small_imbalance included,
//     follows 2574-2681. find_busiest_queue re-reads the busiest runqueue.
//   - task_hot() is a fixed per-task flag of the scenario.
//   - Fair tasks all have prio 120; their pick order is the queue order
//     (enqueue at the tail) rather than vruntime; a fair task never preempts
//     another (no tick-driven slice expiry, no wake-up preemption between
//     fair tasks); the migration thread (SCHED_FIFO) preempts any fair or
//     idle curr, and a fair task preempts only idle.
//   - try_to_wake_up keeps the task on task_cpu(p): the wake-affine and
//     passive-balance placement heuristics (1543-1616) are not modelled.
//   - The kernel is non-preemptible (CONFIG_PREEMPT off): a thread in the
//     kernel runs until it calls schedule(); a task in user mode is
//     preempted when need_resched is set (the reschedule IPI is abstract).
//   - sched_setaffinity's sched_hotcpu_mutex, tasklist_lock and cpuset
//     checks are not modelled, so scenarios allow one calling task, and a
//     task may not change its own affinity (yet).
//   - The spec lists double_lock_balance's BUG as "2132-2135"; the BUG_ON
//     itself is at 2135 and is reported there.
//   - The poster's oops names kernel/sched.c:2103; in v2.6.24 the same
//     BUG_ON(!irqs_disabled()) of double_rq_lock is at 2090, and the model
//     reports 2090.
//   - Spec §4 expects two more consequences that the source rules out in
//     this model: the thermal block before spin_lock_irq cannot race a
//     load_balance kick (a kick needs busiest->curr to be allowed on the
//     kicking CPU, 2826, and while migration/N runs, curr is migration/N,
//     bound to CPU N), and the thermal iterator does not separate from
//     mainline under the quiescent work-conservation check with single-CPU
//     groups. corpus/README.md gives the full account.
//   - CPU hotplug, SMT/MC domains, NO_HZ idle load balancing and
//     SD_SERIALIZE are not modelled.
//
// # Variants
//
// A Variant changes code paths through Patches consulted at the points
// where it differs, and declares knobs; it never copies the model. The
// registry holds mainline-2.6.24, thermal-2008 and deliberately broken
// variants used to test the checker.
//
// # thermal-2008
//
// The thermal push posted to LKML on 2008-04-20 (seed 000), on v2.6.24. With
// sched_thermal == 3 the migration thread, on every pass of its loop, calls
// find_coolest_cpu, then (another core being cooler) saves
// rq->active_balance and rq->push_cpu, sets push_cpu to the coolest CPU,
// calls active_load_balance (commented out in the post) and restores both;
// active balancing then uses the posted thermal iterator, which begins with
// "return NULL;". Its knobs:
//
//   - placement=locked|before-lock: the block runs under rq->lock after the
//     offline check (the post's reading), or at the top of the loop before
//     spin_lock_irq (the post lost its lock lines; spec §4).
//   - sensor=ipi|irq-safe: find_coolest_cpu reads each core's sensor with
//     rdmsr_on_cpu (arch/x86/lib/msr-on-cpu.c:36) →
//     smp_call_function_single (arch/x86/kernel/smp_64.c:419), or with a
//     read that touches neither the interrupt flag nor another CPU. With
//     ipi, v2.6.24 x86-64 semantics, checked in the source: for the calling
//     CPU the function runs between local_irq_disable() and
//     local_irq_enable() (430-432), so interrupts come back on whatever they
//     were; for another CPU, smp_call_function_mask takes call_lock (399),
//     sends CALL_FUNCTION_VECTOR and spins until the target's handler has
//     run (364-371). The target takes the IPI only with interrupts on and
//     no hardirq running, as it takes a tick; the handler takes no lock.
//     The WARN_ON(irqs_disabled()) at 397/427 prints a warning and goes on:
//     it is not a BUG_ON and no property reports it.
//   - alb=off|on: the commented-out active_load_balance(rq, cpu) call.
//   - iterator=thermal|mainline: move_one_task_fair's iterator when called
//     from active balancing. The post does not show where
//     busiest->from_active_balance is set; the model reads it as set for
//     the duration of every active_load_balance call.
//
// Temperatures are not modelled: find_coolest_cpu returns the next CPU
// (cpu+1 mod N), so another core is always cooler, the only case in which
// the block does anything.
//
// This package must not import explore, properties or cmd: the model knows
// nothing of search or of the properties judged on it.
package model
