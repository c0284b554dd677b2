// Package explore drives a model.Model through its interleavings and judges
// properties on every state and transition.
//
// Strategies: BFS (level by level, so the first violation found has a
// shortest schedule; parallel), DFS (depth first with an explicit stack,
// and BFS's stores and reductions),
// seeded random walks, PCT (Burckhardt et al., ASPLOS 2010: random
// priorities with d-1 change points, and PCTGuarantee's lower bound on
// finding a depth-d bug), preemption-bounded search (CHESS's iterative
// context bounding) and swarm (many diversified random walks and PCT runs
// over all workers; Options.Shard splits one swarm across machines, and
// `rqcheck merge` combines the shards' JSON results). A search is
// deterministic for a model, options and seed, but for what depends on
// timing: where a time limit or the memory cap cuts it; with several BFS
// workers, which of equally short schedules is reported, and with
// Options.Chains also how long it is (see chain compression below); and
// which state a fingerprint collision or a bitstate false positive
// omits.
//
// With Options.All every property that fails at a transition or a state
// is reported at it (stepVerdicts), not only the first in Options.Props
// order, by every strategy: a property that fails only where an earlier
// one fails too gets the same schedule (TestAllReportsCopiesTogether).
//
// # Parallel BFS and state stores
//
// BFS expands each level on Options.Workers goroutines that share one
// visited store (bfs.go). The fingerprint store is a lock-free
// open-addressing table of 64-bit fingerprints (or 127-bit, FPBits 128):
// a slot is claimed by compare-and-swap, as in SPIN's multi-core mode, and
// the table grows by half between rounds of work, so it holds 10 to 15
// bytes per state. The exact store keeps every encoding; the bitstate
// store (supertrace) is a register-blocked Bloom filter: 5 bits of one
// 64-bit word per state, set by one atomic OR. Every store's add is
// linearizable (one compare-and-swap, one OR, or a lock decides), so a
// state is new to exactly one worker. Hence the set of states at every
// depth is the same for any number of workers unless the store omitted a
// state, and complete searches report the same state count and the same
// violated properties; violations of one level are reported in order of
// schedule length, then property. An omission (two states with one
// fingerprint, or a new state whose bitstate bits were all set) hits
// whichever state is added second, and with several workers that order
// depends on timing: then, and only then, counts can differ between runs
// (bitstate's over-count of a few states in 267,517 with 2 workers, before
// its add was one OR, was a race, not an omission). Result gives the
// probability of an omission (for fingerprints the union bound
// n²/2^(b+1)) and bitstate's expected coverage (an upper bound: states
// reachable only through an omitted one are not counted).
// With Options.Memory the search stops cleanly near the cap, with Stopped
// "memory" and everything found so far. Nothing is capped or allocated
// beyond what the machine can give, since a Go program whose allocation
// fails dies ("fatal error: runtime: out of memory") rather than stop: a
// cap above 7/8 of the memory available when the search starts (Linux:
// MemAvailable, and a memory cgroup's limit less its usage; elsewhere not
// known, and not checked) is lowered to it, and a bitstate array, which is
// allocated in full at the start, is at most half of it (mem.go).
// Result.MemoryCap and Result.StoreBytes say what was kept to.
//
// Besides the store, BFS holds a parent link per state (8 bytes, in fixed
// blocks that grow without copying) and two levels of states. A level is
// never concatenated: each worker's output is one segment of it, and each
// state in it is packed (pack.go) as its XOR with the state before it in
// the same chunk of 64, zero words elided. Neighbours in a level are
// siblings and cousins, so a 715-byte state of 4 CPUs / 5 tasks takes
// about 100 bytes. A record's head word keeps the state's persistent set
// (as a set of CPUs) when the search computed it on discovery, to decide
// whether the state is a chain state; expanding the state then filters
// its enabled steps by it instead of computing it again. Without symmetry
// a fingerprint store hashes each successor in place (model.Words; the
// fingerprint is a sum over 16-byte blocks, so the state's two regions
// need no copy into one encoding), and only a new state is encoded.
// Expanding a state first builds all its successors and their
// fingerprints, prefetching each one's slot of the store (a PREFETCHT0 on
// amd64), and only then looks them up, so that the lookups' cache misses
// overlap: about 5% more states per CPU-second on 3 CPUs / 4 tasks.
// Two changes the profile suggested gave nothing measurable there (10
// interleaved runs each, both within noise and slightly slower): claiming
// slots with a plain store instead of compare-and-swap when one worker
// adds, and a two-state pipeline that looks up one state's successors
// only after building the next state's, for a longer prefetch lead. The
// hash could also be updated from the parent's by rehashing only the
// blocks a step changed, but comparing the two states in Go costs as much
// as hashing one on the CI machine (134-142 against 112-134 ns); with an
// AVX-512 compare (VPCMPUQ, eight words at a time) the update took 69-72
// ns in four runs of five (one 109) against 78-99 for the whole hash, but
// the parent's sums then ride in each level record (16 bytes more to
// pack), and over 8 interleaved runs of the whole search the medians were
// 605k against 618k states per CPU-second: no gain, so it is not kept
// either. Nor are huge pages for the table (its own mmap with
// MADV_HUGEPAGE, which the kernel granted): 10 interleaved runs, 579.5k
// against 582.4k (p=0.63). Likely why, not measured: the page tables of a
// 48 MB table (about 96 KB) fit in the cache, so TLB misses are not what
// the lookups wait for.
// On amd64 the two hot loops of a successor have assembly kernels, chosen
// at start-up from the CPU's features (golang.org/x/sys/cpu) and held to
// the Go loops bit for bit by the tests (kernels_test.go runs each test
// of them on both): absorb with MULX (BMI2), and packGroup
// eight words at a time with AVX-512's VPCOMPRESSQ (BenchmarkPack 239 to
// 84 ns, fastest of 30 runs). Together about 10% more states per
// CPU-second on 3 CPUs / 4 tasks (p=0.023 over 16 interleaved runs).
// Elsewhere, or without those features, the Go loops run and every
// result is the same.
//
// DFS (dfs.go) uses the same stores, reductions, memory cap and progress
// reports on one goroutine. It holds the store and a stack of the current
// schedule's states, not a level of encodings and a parent link per state
// as BFS does, so its memory is the store (10 to 15 bytes per state with
// 64-bit fingerprints) plus the stack: SPIN's default mode. With an
// exact or fingerprint store and no reductions, or POR or symmetry alone,
// a complete DFS visits the same states as BFS; its schedules are the
// stack's, not shortest.
//
// The walk strategies (random walks, PCT, bounded, swarm) keep a set of
// the 128-bit fingerprints of the states they saw (32 to 64 bytes per
// state); bounded search also keeps one per node, its stack and its
// deferred steps, which share their schedules in a tree (bounded.go).
// They keep to Options.Memory as BFS and DFS do: a set grows only if the
// cap leaves room for it, and the process's memory is checked against
// 7/8 of the cap every 1024 steps and on every tick of the watcher; there
// the search stops with Stopped "memory" and what it found (a swarm:
// every configuration, the running ones cut). Options.Progress is called
// for every strategy, with what it knows (Progress): states and steps so
// far, runs done of how many, and an estimate of the time left.
//
// Partial-order reduction (Options.POR, por.go) expands a persistent set
// of each state's steps: the steps of a set T of CPUs such that no other
// CPU, in any future before T moves, touches what T's steps touch
// (model.Footprint against model.FutureGiven, which drops accesses that
// need an rq lock a CPU of T holds). Steps that write what a non-stable
// property reads (no-lost-task, affinity) are visible and force a full
// expansion; kernel-bug, no-deadlock and terminal checks are preserved
// because persistent sets reach every terminal state of an acyclic state
// graph, and the model's graph is acyclic (model tests check it), so no
// cycle proviso is needed, in BFS or in DFS (no successor is ever on the
// stack).
//
// Chain compression (Options.Chains, BFS and DFS) stores only the states
// with a choice: a state with exactly one step to take (one enabled step,
// or with POR a persistent set of one) is judged, by every State and Step
// judge, and its step is followed at once, but it is not stored (DIVINE's
// tau-reduction, SPIN's statement merging, with POR's choice as the
// rule). No interleaving is dropped that POR does not already drop; what
// changes is only that a chain state reached twice is walked twice. The
// costly part of a walk, each state's persistent set, is remembered: with
// the fingerprint and bitstate stores every worker keeps chainStep's
// answers in a direct-mapped memo keyed by the state's own fingerprint
// (chainmemo.go); the answer depends on the state alone, so the search is
// the same with or without it.
// Whether a state is a chain state depends on the state alone, so BFS and
// DFS store the same states, and a BFS node's schedule is its first step
// and then the chain rule, which traceTo redoes from the initial state.
// With POR it stores 3.3 to 3.6 times fewer states (3 CPUs / 3 and 4
// tasks) for about half again as many transitions; BFS's levels then count
// stored states, not steps, so the first violation found need not have the
// shortest schedule (the minimiser finds that). Nor is its length fixed: a
// stored state's schedule is that of the parent whose chain reached it
// first, chains from different parents differ in length, and several
// workers take a level in an order that depends on timing (one worker: in
// level order). So with Chains and several workers the schedule reported
// can differ in length from run to run, as each property's does with All:
// thermal-2008 on 3 CPUs / 3 tasks, kernel-bug after 29 or 37 steps with 2
// workers, 37 with one, and 29, the shortest, without chains.
//
// Symmetry reduction (Options.Symmetry) stores one state per orbit of
// model.Symmetries: BFS's level and DFS's stack keep the state itself and
// the store its canonical encoding, so schedules need no un-permuting.
//
// Deadlocks are found two ways: the no-deadlock property looks for cycles in
// every state's wait-for graph (spinning contexts, interrupted contexts),
// and states with no enabled step are judged by the properties' Terminal
// checks (something still spins, sleeps or waits while nothing can run).
//
// # Code coverage
//
// Every strategy records in Stats.Reached the program counter each step
// it takes starts at (model.Model.StepPC), as SPIN reports the statements
// a search never reached: the model's StepPCs less Reached is the kernel
// code the search never ran, so a pass that never took, say,
// active_load_balance says nothing about it. Inline statements run only
// inside the step that reaches them and are not counted.
//
// A complete BFS or DFS takes steps at the same PCs with or without POR,
// symmetry and chains. It rests on a fact of the model: a step moves only
// its own CPU's contexts (the one write to another task's context is a
// sched_setaffinity call's, on its caller, which runs on that CPU), so the
// PC a step of CPU d starts at changes only by d's steps. Symmetry stores
// one state of an orbit, and the steps of its other states start at the
// same PCs (renaming tasks moves no CPU's context). Chains take every step
// of a chain. POR, with T the CPUs of the persistent set at an expanded
// state s, and "outside" meaning of a CPU not in T:
//
//   - every step t enabled at s is taken from some expanded state, at the
//     PC it has in s: if t is not in the persistent set, it is itself a
//     sequence of steps outside T, so each persistent step a is
//     independent of it: a(s) has t enabled at the same PC (a moves no
//     context of t's CPU);
//   - every step t enabled at a state u that a plain search reaches from
//     s by a path w is taken at its PC in u: if w has a step of T, its
//     first is enabled at s (no step outside T enables a step of T), so
//     in the persistent set, and moves to the front of w; otherwise w and
//     t are outside T, so a persistent step a commutes with all of w and
//     leaves t enabled at the same PC in a(u), reached from a(s) by w.
//
// The state graph is acyclic, so both follow by induction on the longest
// path from s to a terminal state (where nothing is enabled). Tested by
// TestReductionsMatchPlain and TestReductionsMatchPlainOnRandomScenarios.
// Walk strategies take some of the steps; a swarm's Reached is that of the
// configurations it keeps, as its Stats are.
//
// # Minimal counterexamples
//
// A violation is minimised in three passes (MinimiseViolation, which
// rqcheck check runs by default), each keeping the same Target: the same
// property and the same class of message (properties.Class: the kind of
// deadlock cycle, or the whole kernel-bug report with line, CPU and comm).
//
//  1. Shortest: BFS's first violation has the fewest steps of any
//     violation of any selected property; Minimise with Order Shortest
//     gives the fewest steps for one target.
//  2. Fewest preemptions: Minimise with Order FewestPreemptions is
//     Dijkstra's algorithm over (state, CPU of the last step) with the cost
//     (preemptions, steps), a preemption being a step on another CPU than
//     the step before. No schedule that violates the target has fewer
//     preemptions, and none with as few is shorter. So no single step can be
//     dropped: a schedule without it would have no more preemptions and
//     fewer steps.
//  3. Smallest scenario: ShrinkScenario tries every single reduction of
//     model.Scenario.Reductions (drop a CPU and its tasks, drop a task, one
//     tick fewer, drop a sched_setaffinity call, idle balance off or one
//     fewer) and keeps one that still shows the target, and on which the
//     reference variant (mainline-2.6.24 for patched variants) shows no
//     violation of the property; it repeats until none is kept. The result
//     is 1-minimal: no single CPU, task or event can be dropped.
//
// The guarantees hold when the searches complete (Minimal.Complete,
// Minimised.Complete); a search cut by MaxStates keeps the larger
// scenario or the schedule it had, never a wrong one.
//
// This package imports model and properties; it must not import cmd.
package explore
