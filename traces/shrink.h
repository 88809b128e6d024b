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
// Deterministic: the same trace and options give the same result.
#pragma once

#include <cstdint>

#include "traces/trace.h"

namespace lockstep::traces {

struct ShrinkOptions {
  std::uint64_t research_budget = 300;  // executions per re-search of a smaller workload
  std::uint64_t max_attempts = 2000;    // candidate executions in all
};

struct ShrinkResult {
  Trace trace;  // the smaller failing trace (the original if nothing smaller fails)
  std::size_t ops_before = 0, ops_after = 0;
  std::size_t steps_before = 0, steps_after = 0;
  std::size_t switches_before = 0, switches_after = 0;
  std::uint64_t attempts = 0;
};

// Context switches of a schedule: steps whose task differs from the previous step's.
std::size_t context_switches(const Trace& trace);
std::size_t workload_ops(const Trace& trace);

// Throws TraceError when the trace has no failure or cannot be read.
ShrinkResult shrink_trace(const Trace& failing, const ShrinkOptions& options = {});

}  // namespace lockstep::traces
