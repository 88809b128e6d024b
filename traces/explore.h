// traces/explore.h: explore a workload of the state manager under a search strategy, checking
// the seven properties on every execution; replay a trace and check it again.
//
// Contract
// - explore_workload() runs `workload` under `design` once per execution the strategy asks for,
//   each on the simulator with SimRuntime, and after each checks every property
//   (properties::check_execution). The first failing execution's trace (schedule, values,
//   workload, failure with property, message and wait-for chain) is kept in the report; with
//   stop_on_failure the exploration ends there.
// - Lock order is recorded across all executions (sim::LockOrder) and checked at the end
//   (properties::check_lock_order); such violations belong to no single execution. Each
//   violation comes with evidence: the first execution that took each edge of the cycle (or
//   did the hold across a wait), its 0-based ordinal and its trace (captured when the edge
//   first appeared, after that execution: nothing is added to the scheduling step).
// - config.execution (the step bound) applies to every execution.
// - distinct_schedules is exact up to DistinctCounter::kExactLimit, then an estimate
//   (distinct_estimated; traces/distinct.h): memory stays flat however many executions run.
// - replay_trace() re-runs a trace's schedule exactly (the replay strategy), checks the
//   properties again, and says where the schedule diverged if the build no longer matches.
// - An execution the strategy abandoned (nondeterminism, a task cap, a strategy limit) is not
//   checked: it is counted in `abandoned` with the first reason, and the report is then never
//   `exhausted`. An invalid pick (a task that cannot run) is a bug of the tool: the
//   exploration stops and `strategy_error` says why; callers report it as an error.
// - Determinism: the same config gives the same report and the same trace bytes.
// Errors: an invalid workload throws impl::WorkloadError; an unknown strategy name throws
// std::invalid_argument. Cost: one probe log per execution, plus property checking.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "impl/design_variant.h"
#include "impl/probe.h"
#include "impl/workload.h"
#include "properties/property.h"
#include "sim/execution.h"
#include "sim/lock_order.h"
#include "sim/scheduler.h"
#include "sim/strategies/strategy.h"
#include "traces/trace.h"

namespace lockstep::traces {

struct ExploreProgress {
  std::uint64_t executions = 0;
  std::uint64_t failures = 0;
};

struct ExploreConfig {
  impl::Workload workload;
  impl::DesignVariant design = impl::DesignVariant::kCurrent;
  sim::StrategyConfig strategy{"random"};
  sim::ExecutionOptions execution;
  bool stop_on_failure = true;
  // Non-empty: only a violation of one of these properties makes an execution "the first
  // failure" (and stops the exploration); others are counted. Used to ask whether the property
  // SPEC.md names for a variant catches it, when another property fails first.
  std::vector<properties::Property> stop_when;
  std::string program = "workload";  // how the workload was made (file, generator, builtin)
  properties::CheckOptions checks;
  std::function<void(const ExploreProgress&)> progress;  // every progress_every executions
  std::uint64_t progress_every = 1000;
  // Record lock order here instead of in the report (to merge several explorations).
  sim::LockOrder* lock_order = nullptr;
  // Non-empty: a fatal signal during an execution writes its trace here (traces/recovery.h).
  // Empty: the process-wide default, if set (set_crash_trace_path).
  std::string crash_trace_path;
};

struct ExploreReport {
  std::uint64_t executions = 0;
  std::uint64_t failing_executions = 0;
  // Executions the simulator itself failed, no property having flagged them: an exception
  // escaped the system under test ("crash") or the step bound was hit ("livelock").
  std::uint64_t crashes = 0;
  std::uint64_t livelocks = 0;
  // Executions the simulator's race detector failed (property `data-race`, sim/race.h).
  std::uint64_t data_races = 0;
  std::uint64_t distinct_schedules = 0;
  bool distinct_estimated = false;  // HyperLogLog beyond the exact limit (traces/distinct.h)
  std::map<properties::Property, std::uint64_t> failures_by_property;
  std::optional<Trace> first_failure;
  std::uint64_t first_failure_index = 0;  // 0-based execution ordinal
  std::vector<properties::Violation> lock_order_violations;
  // Per lock-order violation (same order): the executions that took its edges or its hold.
  struct LockOrderEvidence {
    std::string what;          // "A held at x, then B taken at y" / "A held across recv at z"
    std::uint64_t execution;   // 0-based ordinal
    Trace trace;
  };
  std::vector<std::vector<LockOrderEvidence>> lock_order_evidence;
  sim::LockOrder lock_order;
  // Executions the strategy gave up on (checked by no property), and why the first was.
  std::uint64_t abandoned = 0;
  std::string first_abandon_reason;
  // Non-empty: the strategy picked a task that cannot run (a bug of the tool, not a verdict).
  std::string strategy_error;
  // The strategy covered its whole space, no execution was abandoned and none failed first.
  bool exhausted = false;
  sim::SchedulerMetrics metrics;
};

ExploreReport explore_workload(const ExploreConfig& config);

// Where a fatal signal during any execution (explore_workload, run_single, replay_trace) writes
// its trace when the caller names no path; empty: nowhere. For command lines, which arm the
// crash recorder for every execution they run.
void set_crash_trace_path(std::string path);

struct ReplayReport {
  Trace trace;                                     // as re-recorded now
  std::vector<properties::Violation> violations;   // found again on the replayed execution
  std::string divergence;                          // non-empty: the build no longer matches
  std::string probe_log;                           // the execution's observations, one per line
};

// Throws TraceError for a trace whose design or workload this build cannot read.
ReplayReport replay_trace(const Trace& trace);

// One execution of `workload` under `strategy` (which must offer exactly one), checked.
// The report's trace carries the strategy's name and options; the caller sets the rest.
ReplayReport run_single(const impl::Workload& workload, impl::DesignVariant design,
                        sim::Strategy& strategy, const std::string& program,
                        const sim::ExecutionOptions& options = {});
// The step bound a replay of `trace` needs: its own length for a trace that ended at the step
// bound (so a livelock replays as one), else at least the default and more than its length.
sim::ExecutionOptions replay_execution_options(const Trace& trace);

// The design and workload a trace names; throws TraceError when this build cannot read them.
impl::DesignVariant trace_design(const Trace& trace);
impl::Workload trace_workload(const Trace& trace);

// How the simulator says `ex` ended, for properties::ExecutionView (valid until its next run).
properties::EndState end_state(const sim::Execution& ex);

// Converts the simulator's lock-order record for the property checker.
properties::LockOrderView lock_order_view(const sim::LockOrder& order);

}  // namespace lockstep::traces
