// traces/capture.h: from an ended execution to a Trace, and from a Trace to a replay.
// capture_execution() reads the execution's task and object tables and its scheduler's
// recorded steps and values (valid until the next run); replay_options() gives the replay
// strategy a trace's schedule. Deterministic; no allocation beyond the Trace itself.
#pragma once

#include "sim/execution.h"
#include "sim/strategies/strategy.h"
#include "traces/trace.h"

namespace lockstep::traces {

// The steps, values, tasks and objects of the execution that just ended.
void capture_execution(const sim::Execution& ex, Trace& out);
// The schedule of a trace, for the replay strategy.
sim::ReplayOptions replay_options(const Trace& trace);

}  // namespace lockstep::traces
