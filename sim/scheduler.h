// sim/scheduler.h: the only caller of a Strategy.
//
// Contract
// - pick() hands the strategy one scheduling point, checks that the task it returns is
//   runnable, enforces the step bound, and appends the step to the recorded schedule.
// - pick_value() hands out data choices and records them.
// - The recorded schedule (steps(), values()) of the last execution stays readable until the
//   next begin_execution(); it is what a trace stores and what replay checks against.
// - Metrics accumulate across the executions of an exploration.
// Failure: an invalid pick (Outcome::kInvalidPick, a bug of the strategy, reported as an
// error by every caller), an abandon (a replay divergence, nondeterminism, a strategy limit:
// Outcome::kAbandoned, counted, and an exploration with one is never "exhausted") or the step
// bound end the execution; why is in error().
// Cost: pick() is one virtual call (none for a uniform strategy, whose generator it draws from)
// and one comparison (to validate); record() is one append to a vector whose capacity is kept
// across executions.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/strategies/strategy.h"

namespace lockstep::sim {

struct SchedulerMetrics {
  std::uint64_t executions = 0;
  std::uint64_t steps = 0;
  std::uint64_t max_steps_in_execution = 0;
  std::uint64_t abandoned = 0;      // given up by the strategy: no verdict, never "exhausted"
  std::uint64_t pruned = 0;         // cut short as equivalent to an explored execution (DPOR)
  std::uint64_t invalid_picks = 0;  // the strategy picked a task that cannot run: an error
};

class Scheduler final {
 public:
  enum class PickStatus : std::uint8_t { kOk, kStepBound, kAbandoned, kPruned, kInvalid };

  explicit Scheduler(Strategy& strategy) : strategy_(strategy) {}

  std::optional<std::uint64_t> begin_execution();
  void end_execution(const ExecutionOutcome& outcome);

  // Picks the task for the step `steps().size()`: on kOk, `out` is the position of a task in
  // `runnable`, whose step the caller then records through record(). The strategy answers
  // with a position, so validating it is one comparison.
  PickStatus pick(std::span<const Candidate> runnable, std::optional<TaskId> current,
                  std::uint32_t max_steps, std::size_t& out) {
    const auto step = static_cast<std::uint32_t>(steps_.size());
    if (step >= max_steps) return pick_failed(0, TaskId{}, step, max_steps);
    TaskId picked{};
    const std::size_t i =
        uniform_ != nullptr ? static_cast<std::size_t>(uniform_->below(runnable.size()))
                            : strategy_.pick_index({runnable, current, step}, picked);
    if (i >= runnable.size()) return pick_failed(i, picked, step, max_steps);
    out = i;
    return PickStatus::kOk;
  }
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
  // Sets error() for a pick that did not yield a runnable task: the step bound (checked
  // first), an abandon, or an invalid pick.
  PickStatus pick_failed(std::size_t index, TaskId picked, std::uint32_t step,
                         std::uint32_t max_steps);

  Strategy& strategy_;
  std::vector<StepRecord> steps_;
  std::vector<std::uint64_t> values_;
  std::optional<std::uint64_t> seed_;
  std::string error_;
  SchedulerMetrics metrics_;
  bool wants_steps_ = false;
  Rng* uniform_ = nullptr;  // Strategy::uniform_task_picks() of this execution
};

}  // namespace lockstep::sim
