// sim/explore.h: the exploration loop: run a body once per execution the strategy asks for,
// check each execution, and keep the first failure with its schedule.
//
// Contract
// - Each execution runs `body` as task 0 of a fresh run (objects created inside are new;
//   objects created outside reset themselves on first use).
// - `check` (optional) runs after each execution, on the OS thread, with the ended Execution;
//   it returns a failure message or nothing. Without it, any outcome other than kCompleted is
//   a failure. A failure message from the run itself (fail(), an exception) is kept.
// - The first failing execution's schedule, values, seed, outcome and wait-for report are kept;
//   with stop_on_failure the exploration ends there.
// - An execution the strategy abandoned (nondeterminism, a divergence, a limit) gets no verdict:
//   it is counted in `abandoned` with the first reason, and an exploration with one is never
//   `exhausted`. An invalid pick (the strategy chose a task that cannot run) is a bug of the
//   tool: it is a failure, never a clean result.
// - One LockOrder (if given) accumulates across all executions.
// Cost: the Execution and Scheduler buffers are reused; per execution, the body's
// std::function copy and the tasks' fiber set-up.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/execution.h"
#include "sim/scheduler.h"

namespace lockstep::sim {

struct ExploreOptions {
  ExecutionOptions execution;
  bool stop_on_failure = true;
  LockOrder* lock_order = nullptr;
  // Called before every execution, e.g. to reset state a program keeps outside the run (a
  // check is not called on pruned executions, so it cannot be where state is reset).
  std::function<void()> before_each;
};

struct FailingExecution {
  std::uint64_t index = 0;  // 0-based ordinal in the exploration
  std::uint64_t seed = 0;
  Outcome outcome = Outcome::kCompleted;
  std::string message;
  std::vector<StepRecord> steps;
  std::vector<std::uint64_t> values;
  std::optional<WaitForReport> wait_for;
  // The property the simulator found violated itself (kDataRace), or empty.
  std::string property;
};

struct ExploreResult {
  std::uint64_t executions = 0;
  std::uint64_t failures = 0;
  std::optional<FailingExecution> first_failure;
  std::uint64_t abandoned = 0;  // executions the strategy gave up on (no verdict)
  std::string first_abandon_reason;
  // The strategy covered its whole space (systematic ones) and abandoned no execution.
  bool exhausted = false;
  SchedulerMetrics metrics;
};

using CheckFn = std::function<std::optional<std::string>(const Execution&)>;

ExploreResult explore(Strategy& strategy, const std::function<void()>& body,
                      const ExploreOptions& options = {}, const CheckFn& check = {});
// As above with several initial tasks (Execution::run_tasks).
ExploreResult explore_tasks(Strategy& strategy, const std::vector<std::function<void()>>& tasks,
                            const ExploreOptions& options = {}, const CheckFn& check = {});

}  // namespace lockstep::sim
