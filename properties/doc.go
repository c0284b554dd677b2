// Package properties defines the named invariants rqcheck checks, as
// functions over model states and transitions:
//
//   - no-deadlock: no cycle in the wait-for graph of contexts (spinning on a
//     held spinlock, waiting for a CPU that keeps an IPI out, or interrupted
//     by a context above it on the same CPU);
//     no state with nothing enabled while a context spins, a task sleeps in
//     wait_for_completion, or a migration request is queued.
//   - no-lost-task: every task is on exactly one runqueue or asleep, never
//     duplicated, never gone; nr_running matches the runqueue (in every
//     state: the model updates both in one step, so this check does not read
//     rq->lock and lock steps stay invisible to partial-order reduction).
//   - affinity: no balancing, migration or wake-up path enqueues a task on a
//     CPU outside cpus_allowed; sched_setaffinity returns with the task on an
//     allowed CPU.
//   - kernel-bug: no modelled BUG_ON fires; the violation names the line.
//   - work-conservation (opt-in): in a quiescent state (nothing enabled,
//     every context at rest) no CPU idles while another has two or more
//     runnable tasks, one of which may run on it. It is a check of the
//     states where a search ends, not liveness under fairness; see its doc.
//
// The default set (Default, "--props default") is every property but the
// opt-in ones; "all" adds them. Class names the kind of a violation
// message, so that minimisation keeps "the same" violation.
//
// Properties read model state; they never change it. This package imports
// model only; it must not import explore or cmd.
package properties
