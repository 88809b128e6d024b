// sim/strategies/random.cc: uniform random scheduling. At every point each runnable task is
// equally likely; each execution has its own seed derived from the exploration's seed and the
// execution's index, so any single execution can be re-run from its seed alone.
#include <fmt/format.h>

#include "sim/strategies/rng.h"
#include "sim/strategies/strategy.h"

namespace lockstep::sim {

namespace {

class RandomStrategy final : public Strategy {
 public:
  explicit RandomStrategy(const RandomOptions& o) : options_(o) {}
  std::string_view name() const noexcept override { return "random"; }
  std::optional<std::uint64_t> begin_execution() override {
    if (index_ >= options_.executions) return std::nullopt;
    const std::uint64_t seed =
        execution_seed(options_.seed, options_.shard + options_.shards * index_++);
    rng_.reseed(seed);
    return seed;
  }
  std::optional<TaskId> pick_task(const SchedulingPoint& p) override {
    return p.runnable[rng_.below(p.runnable.size())].task;
  }
  // Same draw as pick_task, by position.
  std::size_t pick_index(const SchedulingPoint& p, TaskId&) override {
    return static_cast<std::size_t>(rng_.below(p.runnable.size()));
  }
  Rng* uniform_task_picks() override { return &rng_; }
  std::uint64_t pick_value(std::uint64_t bound) override { return rng_.below(bound); }
  std::vector<std::pair<std::string, std::string>> options() const override {
    return {{"seed", std::to_string(options_.seed)},
            {"executions", std::to_string(options_.executions)}};
  }

 private:
  RandomOptions options_;
  std::uint64_t index_ = 0;
  Rng rng_;
};

}  // namespace

std::unique_ptr<Strategy> make_random_strategy(const RandomOptions& options) {
  return std::make_unique<RandomStrategy>(options);
}

}  // namespace lockstep::sim
