// tests/support/harness.h: run lambdas under a strategy and say what was found.
// Every helper returns the full sim::ExploreResult so tests assert on counts and failures.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sim/explore.h"
#include "sim/strategies/strategy.h"

namespace lockstep::testing {

using Tasks = std::vector<std::function<void()>>;

inline sim::ExploreResult run_dfs(const Tasks& tasks, std::optional<std::uint32_t> bound = {},
                                  const sim::CheckFn& check = {}, bool stop_on_failure = true) {
  auto s = sim::make_dfs_strategy({bound, 0});
  sim::ExploreOptions o;
  o.stop_on_failure = stop_on_failure;
  return sim::explore_tasks(*s, tasks, o, check);
}

inline sim::ExploreResult run_random(const Tasks& tasks, std::uint64_t seed, std::uint64_t n,
                                     const sim::CheckFn& check = {}) {
  auto s = sim::make_random_strategy({seed, n});
  return sim::explore_tasks(*s, tasks, {}, check);
}

inline sim::ExploreResult run_pct(const Tasks& tasks, std::uint64_t seed, std::uint64_t n,
                                  std::uint32_t depth, const sim::CheckFn& check = {}) {
  auto s = sim::make_pct_strategy({seed, n, depth, 0});
  return sim::explore_tasks(*s, tasks, {}, check);
}

// A check that fails the execution when `failed` was set by the program.
inline sim::CheckFn flag_check(const bool& failed, std::string what) {
  return [&failed, what](const sim::Execution& ex) -> std::optional<std::string> {
    if (failed) return what;
    if (ex.outcome() != sim::Outcome::kCompleted) {
      return std::string(sim::outcome_name(ex.outcome())) + ": " + ex.failure();
    }
    return std::nullopt;
  };
}

}  // namespace lockstep::testing
