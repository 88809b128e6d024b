// sim/strategies/replay.cc: re-runs a recorded schedule and checks it step by step.
//
// At step i the recorded task must be runnable and about to perform the recorded operation on
// the recorded object; otherwise the execution is abandoned and abandon_reason() names the
// step and the mismatch. A program that ends before the schedule does, or goes on after it,
// diverges too (diverged() says so after the execution). Data choices return the recorded
// values in order. One execution only.
#include <fmt/format.h>

#include "sim/strategies/strategy.h"

namespace lockstep::sim {

namespace {

std::string describe(PendingOp op) {
  if (op.object == kNoObject) return std::string(op_kind_name(op.kind));
  return fmt::format("{} object {}", op_kind_name(op.kind), raw(op.object));
}

class ReplayStrategy final : public Strategy {
 public:
  explicit ReplayStrategy(ReplayOptions o) : options_(std::move(o)) {}
  std::string_view name() const noexcept override { return "replay"; }

  std::optional<std::uint64_t> begin_execution() override {
    if (started_) return std::nullopt;
    started_ = true;
    return 0;
  }

  std::optional<TaskId> pick_task(const SchedulingPoint& p) override {
    if (p.step >= options_.steps.size()) {
      error_ = fmt::format("replay diverged at step {}: the schedule has {} steps but the "
                           "execution goes on",
                           p.step, options_.steps.size());
      return std::nullopt;
    }
    const StepRecord& want = options_.steps[p.step];
    for (const Candidate& c : p.runnable) {
      if (c.task != want.task) continue;
      if (c.next == want.op) {
        consumed_ = p.step + 1;
        return c.task;
      }
      error_ = fmt::format("replay diverged at step {}: task {} was recorded to {} but is about "
                           "to {}",
                           p.step, raw(want.task), describe(want.op), describe(c.next));
      return std::nullopt;
    }
    std::string runnable;
    for (const Candidate& c : p.runnable) {
      runnable += fmt::format("{}task {} ({})", runnable.empty() ? "" : ", ", raw(c.task),
                              describe(c.next));
    }
    error_ = fmt::format("replay diverged at step {}: task {} ({}) is not runnable; runnable: {}",
                         p.step, raw(want.task), describe(want.op), runnable);
    return std::nullopt;
  }

  std::uint64_t pick_value(std::uint64_t bound) override {
    if (value_index_ >= options_.values.size() || options_.values[value_index_] >= bound) {
      if (error_.empty()) {
        error_ = fmt::format("replay diverged at data choice {}: no recorded value below {}",
                             value_index_, bound);
      }
      ++value_index_;
      return 0;
    }
    return options_.values[value_index_++];
  }

  void end_execution(const ExecutionOutcome& o) override {
    if (error_.empty() && o.steps < options_.steps.size()) {
      error_ = fmt::format("replay diverged: the execution ended after {} of the {} recorded steps",
                           o.steps, options_.steps.size());
    }
  }

  std::string abandon_reason() const override { return error_; }
  std::vector<std::pair<std::string, std::string>> options() const override {
    return {{"steps", std::to_string(options_.steps.size())}};
  }
  std::string divergence() const override { return error_; }

 private:
  ReplayOptions options_;
  bool started_ = false;
  std::size_t consumed_ = 0;
  std::size_t value_index_ = 0;
  std::string error_;
};

}  // namespace

std::unique_ptr<Strategy> make_replay_strategy(ReplayOptions options) {
  return std::make_unique<ReplayStrategy>(std::move(options));
}

}  // namespace lockstep::sim
