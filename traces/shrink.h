// traces/shrink.h: make a failing trace smaller while the same property still fails.
//
// Two phases, each keeping a candidate only when the same property fails on it:
// 1. Workload: remove whole client scripts, then single operations, one at a time (delta
//    debugging with single-element steps, repeated until nothing can go). A candidate
//    workload is tried first under the old schedule as a preference (the guided strategy),
//    then by a short re-search (PCT, `research_budget` executions).
// 2. Schedule: fewer context switches. The schedule is a sequence of blocks (runs of one
//    task); moving a block after the next block of another task removes a switch. Each
//    candidate runs under the guided strategy; its own recorded schedule is kept.
// Before anything, the trace is replayed: if it diverges or its failure does not happen again,
// shrink_trace throws TraceError saying so. Budget: max_attempts candidate executions and
// max_total_steps simulated steps in all (deterministic, never wall time); a spent budget
// keeps the smallest failing trace so far (budget_spent). `progress` is called after each
// candidate. The result names the original strategy with the option "shrunk".
// Deterministic: the same trace and options give the same result.
#pragma once

#include <cstdint>
#include <functional>

#include "traces/trace.h"

namespace lockstep::traces {

struct ShrinkProgress {
  std::uint64_t attempts = 0;        // candidate executions so far
  std::uint64_t steps = 0;           // their simulated steps
  std::size_t ops = 0;               // workload ops of the smallest failing trace so far
  std::size_t schedule_steps = 0;    // its steps
};

struct ShrinkOptions {
  std::uint64_t research_budget = 300;       // executions per re-search of a smaller workload
  std::uint64_t max_attempts = 2000;         // candidate executions in all
  std::uint64_t max_total_steps = 5'000'000;   // simulated steps in all
  std::function<void(const ShrinkProgress&)> progress;
};

struct ShrinkResult {
  Trace trace;  // the smaller failing trace (the original if nothing smaller fails)
  std::size_t ops_before = 0, ops_after = 0;
  std::size_t steps_before = 0, steps_after = 0;
  std::size_t switches_before = 0, switches_after = 0;
  std::uint64_t attempts = 0;
  bool budget_spent = false;  // stopped by the budget, not because nothing smaller failed
};

// Context switches of a schedule: steps whose task differs from the previous step's.
std::size_t context_switches(const Trace& trace);
std::size_t workload_ops(const Trace& trace);

// Throws TraceError when the trace has no failure or cannot be read.
ShrinkResult shrink_trace(const Trace& failing, const ShrinkOptions& options = {});

}  // namespace lockstep::traces
