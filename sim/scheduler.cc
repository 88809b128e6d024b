#include "sim/scheduler.h"

#include <fmt/format.h>

namespace lockstep::sim {

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::kCompleted: return "completed";
    case Outcome::kStuck: return "stuck";
    case Outcome::kStepBound: return "step-bound";
    case Outcome::kFailed: return "failed";
    case Outcome::kAbandoned: return "abandoned";
    case Outcome::kPruned: return "pruned";
    case Outcome::kInvalidPick: return "invalid-pick";
  }
  return "?";
}

std::optional<std::uint64_t> Scheduler::begin_execution() {
  steps_.clear();
  values_.clear();
  error_.clear();
  seed_ = strategy_.begin_execution();
  wants_steps_ = strategy_.wants_steps();
  uniform_ = strategy_.uniform_task_picks();
  return seed_;
}

void Scheduler::end_execution(const ExecutionOutcome& outcome) {
  ++metrics_.executions;
  metrics_.steps += steps_.size();
  if (steps_.size() > metrics_.max_steps_in_execution) {
    metrics_.max_steps_in_execution = steps_.size();
  }
  if (outcome.outcome == Outcome::kAbandoned) ++metrics_.abandoned;
  if (outcome.outcome == Outcome::kPruned) ++metrics_.pruned;
  if (outcome.outcome == Outcome::kInvalidPick) ++metrics_.invalid_picks;
  strategy_.end_execution(outcome);
}

Scheduler::PickStatus Scheduler::pick_failed(std::size_t index, TaskId picked,
                                             std::uint32_t step, std::uint32_t max_steps) {
  if (step >= max_steps) {
    error_ = fmt::format("step bound of {} steps exceeded (a possible livelock)", max_steps);
    return PickStatus::kStepBound;
  }
  if (index == Strategy::kAbandon) {
    if (strategy_.pruned()) return PickStatus::kPruned;
    error_ = strategy_.abandon_reason();
    if (error_.empty()) error_ = fmt::format("strategy {} abandoned", strategy_.name());
    return PickStatus::kAbandoned;
  }
  error_ = fmt::format("strategy {} picked task {} at step {}, which is not runnable",
                       strategy_.name(), raw(picked), step);
  return PickStatus::kInvalid;
}

std::uint64_t Scheduler::pick_value(std::uint64_t bound) {
  const std::uint64_t v = bound <= 1 ? 0 : strategy_.pick_value(bound);
  values_.push_back(v);
  return v;
}

}  // namespace lockstep::sim
