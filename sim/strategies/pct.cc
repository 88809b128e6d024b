// sim/strategies/pct.cc: probabilistic concurrency testing.
//
// Follows Burckhardt, Kothari, Musuvathi and Nagarakatte, "A Randomized Scheduler with
// Probabilistic Guarantees of Finding Bugs", ASPLOS 2010: every task gets a random distinct
// priority above d; d - 1 change points are drawn uniformly among the first k steps; at each
// step the highest-priority runnable task runs; when the step is the i-th change point, the
// task about to run drops to priority i (below every initial priority) first. A bug of depth d
// is then found with probability at least 1 / (n * k^(d-1)) per execution.
//
// Departures from the paper: tasks are created during the run, so a new task is inserted at a
// uniformly random rank among the tasks that exist (the paper fixes n up front); k is the
// option `steps_estimate`, or when 0 the largest step count seen so far in this exploration,
// since the paper assumes k known. The first execution, before any length is known, runs on
// its random priorities alone (no change point: a full PCT execution for a bug of depth 1);
// from the second on, the change points are drawn among the steps of the longest execution
// seen. (A fixed floor would put most change points past the end of a short program.)
#include <algorithm>
#include <vector>

#include "sim/strategies/rng.h"
#include "sim/strategies/strategy.h"

namespace lockstep::sim {

namespace {

class PctStrategy final : public Strategy {
 public:
  explicit PctStrategy(const PctOptions& o) : options_(o) {}
  std::string_view name() const noexcept override { return "pct"; }

  std::optional<std::uint64_t> begin_execution() override {
    if (index_ >= options_.executions) return std::nullopt;
    const std::uint64_t seed =
        execution_seed(options_.seed, options_.shard + options_.shards * index_++);
    rng_.reseed(seed);
    ranks_.clear();
    const std::uint64_t k = options_.steps_estimate != 0 ? options_.steps_estimate : learned_k_;
    change_points_.clear();
    if (k > 0) {
      for (std::uint32_t i = 1; i < options_.depth; ++i) change_points_.push_back(rng_.below(k));
    }
    return seed;
  }

  std::optional<TaskId> pick_task(const SchedulingPoint& p) override {
    for (const Candidate& c : p.runnable) known(c.task);
    TaskId best = highest(p);
    for (std::size_t i = 0; i < change_points_.size(); ++i) {
      if (change_points_[i] == p.step) {
        // Lower than every initial priority; later change points rank above earlier ones.
        priority_[raw(best)] = static_cast<std::int64_t>(i) + 1;
        best = highest(p);
      }
    }
    return best;
  }

  std::uint64_t pick_value(std::uint64_t bound) override { return rng_.below(bound); }

  void end_execution(const ExecutionOutcome& o) override {
    learned_k_ = std::max<std::uint64_t>(learned_k_, o.steps);
  }

  std::vector<std::pair<std::string, std::string>> options() const override {
    return {{"seed", std::to_string(options_.seed)},
            {"executions", std::to_string(options_.executions)},
            {"depth", std::to_string(options_.depth)},
            {"steps-estimate", std::to_string(options_.steps_estimate)}};
  }

 private:
  // Gives a task seen for the first time a random rank among the tasks known so far.
  void known(TaskId t) {
    const std::uint32_t id = raw(t);
    if (id < priority_.size() && seen_generation_[id] == index_) return;
    if (id >= priority_.size()) {
      priority_.resize(id + 1, 0);
      seen_generation_.resize(id + 1, 0);
    }
    seen_generation_[id] = index_;
    const std::size_t rank = rng_.below(ranks_.size() + 1);
    ranks_.insert(ranks_.begin() + static_cast<std::ptrdiff_t>(rank), t);
    // Initial priorities: d + position from the bottom, all above the change-point ones.
    for (std::size_t r = 0; r < ranks_.size(); ++r) {
      const std::uint32_t task = raw(ranks_[r]);
      if (priority_[task] >= static_cast<std::int64_t>(options_.depth) || task == id) {
        priority_[task] = static_cast<std::int64_t>(options_.depth + ranks_.size() - r);
      }
    }
  }

  TaskId highest(const SchedulingPoint& p) const {
    TaskId best = p.runnable.front().task;
    for (const Candidate& c : p.runnable) {
      if (priority_[raw(c.task)] > priority_[raw(best)]) best = c.task;
    }
    return best;
  }

  PctOptions options_;
  std::uint64_t index_ = 0;
  std::uint64_t learned_k_ = 0;  // the longest execution so far (0: none yet)
  Rng rng_;
  std::vector<TaskId> ranks_;           // highest priority first
  std::vector<std::int64_t> priority_;  // by TaskId
  std::vector<std::uint64_t> seen_generation_;
  std::vector<std::uint64_t> change_points_;
};

}  // namespace

std::unique_ptr<Strategy> make_pct_strategy(const PctOptions& options) {
  return std::make_unique<PctStrategy>(options);
}

}  // namespace lockstep::sim
