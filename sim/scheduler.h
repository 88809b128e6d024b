// sim/scheduler.h: the only caller of a Strategy.
//
// Contract
// - pick() hands the strategy one scheduling point, checks that the task it returns is
//   runnable, enforces the step bound, and appends the step to the recorded schedule.
// - pick_value() hands out data choices and records them.
// - The recorded schedule (steps(), values()) of the last execution stays readable until the
//   next begin_execution(); it is what a trace stores and what replay checks against.
// - Metrics accumulate across the executions of an exploration.
// Failure: an invalid pick, a replay divergence or the step bound end the execution; why is in
// error(). Cost: pick() is one virtual call, one scan of the runnable set (to validate) and
// one append to a vector whose capacity is kept across executions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/strategies/strategy.h"

namespace lockstep::sim {

struct SchedulerMetrics {
  std::uint64_t executions = 0;
  std::uint64_t steps = 0;
  std::uint64_t max_steps_in_execution = 0;
  std::uint64_t abandoned = 0;
  std::uint64_t pruned = 0;  // cut short as equivalent to an explored execution (DPOR)
};

class Scheduler final {
 public:
  enum class PickStatus : std::uint8_t { kOk, kStepBound, kAbandoned, kPruned, kInvalid };

  explicit Scheduler(Strategy& strategy) : strategy_(strategy) {}

  std::optional<std::uint64_t> begin_execution();
  void end_execution(const ExecutionOutcome& outcome);

  // Picks the task for the step `steps().size()`. On kOk, `out` is runnable and the step is
  // recorded with `site_of(out)` supplied by the caller afterwards through record().
  PickStatus pick(std::span<const Candidate> runnable, std::optional<TaskId> current,
                  std::uint32_t max_steps, TaskId& out);
  void record(const StepRecord& step) {
    steps_.push_back(step);
    if (wants_steps_) strategy_.on_step(step);
  }
  std::uint64_t pick_value(std::uint64_t bound);
  // Whether the strategy wants step effects this execution (asked once, at its start).
  bool wants_steps() const { return wants_steps_; }
  void step_done(const StepEffects& effects) { strategy_.on_step_done(effects); }
  void clock_advanced() { strategy_.on_clock_advance(); }
  void pending(std::span<const Candidate> tasks) { strategy_.on_pending(tasks); }

  Strategy& strategy() { return strategy_; }
  const std::vector<StepRecord>& steps() const { return steps_; }
  const std::vector<std::uint64_t>& values() const { return values_; }
  std::optional<std::uint64_t> seed() const { return seed_; }
  const std::string& error() const { return error_; }
  const SchedulerMetrics& metrics() const { return metrics_; }

 private:
  Strategy& strategy_;
  std::vector<StepRecord> steps_;
  std::vector<std::uint64_t> values_;
  std::optional<std::uint64_t> seed_;
  std::string error_;
  SchedulerMetrics metrics_;
  bool wants_steps_ = false;
};

}  // namespace lockstep::sim
