// sim/strategies/guided.cc: a lenient replay used by schedule shrinking. It follows a preferred
// task order: at step i it picks preferred[i] if that task is runnable, otherwise the task
// that ran the last step if it still can, otherwise the lowest runnable TaskId. Data choices
// take the recorded values while they fit their bound, then 0. It never diverges: a mutated
// schedule (a preemption removed, a block moved) still yields a complete execution, whose
// own recorded schedule becomes the next candidate. One execution.
//
// Follows the schedule-reduction idea of delta debugging applied to thread schedules
// (Choi and Zeller, ISSTA 2002): candidate schedules differ from the failing one by fewer
// context switches, and a candidate is kept when the same failure recurs.
#include "sim/strategies/strategy.h"

namespace lockstep::sim {

namespace {

class GuidedStrategy final : public Strategy {
 public:
  explicit GuidedStrategy(GuidedOptions o) : options_(std::move(o)) {}
  std::string_view name() const noexcept override { return "guided"; }
  std::optional<std::uint64_t> begin_execution() override {
    if (started_) return std::nullopt;
    started_ = true;
    return 0;
  }
  std::optional<TaskId> pick_task(const SchedulingPoint& p) override {
    auto runnable = [&](TaskId t) {
      for (const Candidate& c : p.runnable) {
        if (c.task == t) return true;
      }
      return false;
    };
    if (p.step < options_.preferred.size() && runnable(options_.preferred[p.step])) {
      return options_.preferred[p.step];
    }
    if (p.current && runnable(*p.current)) return *p.current;
    return p.runnable.front().task;
  }
  std::uint64_t pick_value(std::uint64_t bound) override {
    const std::uint64_t v = next_value_ < options_.values.size() ? options_.values[next_value_] : 0;
    ++next_value_;
    return v < bound ? v : 0;
  }

 private:
  GuidedOptions options_;
  bool started_ = false;
  std::size_t next_value_ = 0;
};

}  // namespace

std::unique_ptr<Strategy> make_guided_strategy(GuidedOptions options) {
  return std::make_unique<GuidedStrategy>(std::move(options));
}

}  // namespace lockstep::sim
