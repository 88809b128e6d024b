// sim/strategies/strategy.cc: the name table of strategies selectable by name.
#include "sim/strategies/strategy.h"

#include <array>

namespace lockstep::sim {

namespace {

std::unique_ptr<Strategy> random_from(const StrategyConfig& c) {
  return make_random_strategy({c.seed, c.executions, c.shard, c.shards});
}
std::unique_ptr<Strategy> pct_from(const StrategyConfig& c) {
  return make_pct_strategy({c.seed, c.executions, c.depth, c.steps_estimate, c.shard, c.shards});
}
std::unique_ptr<Strategy> dfs_from(const StrategyConfig& c) {
  return make_dfs_strategy({c.preemption_bound, c.executions});
}
std::unique_ptr<Strategy> dpor_from(const StrategyConfig& c) {
  return make_dpor_strategy({c.executions, c.preemption_bound, c.records_commute});
}

constexpr std::array kTable{
    StrategyEntry{"random", "uniform random choice at every scheduling point", &random_from},
    StrategyEntry{"pct", "probabilistic concurrency testing (priorities, d-1 change points)",
                  &pct_from},
    StrategyEntry{"dfs", "exhaustive depth-first search, optionally preemption-bounded",
                  &dfs_from},
    StrategyEntry{"dpor",
                  "exhaustive search up to equivalence: source-set DPOR, sleep sets; optionally "
                  "preemption-bounded",
                  &dpor_from},
};

}  // namespace

std::size_t Strategy::pick_index(const SchedulingPoint& point, TaskId& picked) {
  const std::optional<TaskId> t = pick_task(point);
  if (!t) return kAbandon;
  picked = *t;
  std::size_t i = 0;
  while (i < point.runnable.size() && point.runnable[i].task != *t) ++i;
  return i;
}

std::span<const StrategyEntry> strategy_table() { return kTable; }

std::unique_ptr<Strategy> make_strategy(const StrategyConfig& config) {
  for (const StrategyEntry& e : kTable) {
    if (e.name == config.name) return e.make(config);
  }
  return nullptr;
}

}  // namespace lockstep::sim
