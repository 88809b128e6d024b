// tests/sim/race_support.h: run a program under exhaustive DFS and collect its data races
// (shared by the Shared<T> and race-detector tests).
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <source_location>
#include <string>

#include "sim/explore.h"
#include "sim/strategies/strategy.h"
#include "tests/support/harness.h"

namespace lockstep::sim::race_testing {

using testing::Tasks;

// "race_test.cc:<line>": how a report names a site.
inline std::string site_text(const std::source_location& s) {
  return "race_test.cc:" + std::to_string(s.line());
}

// Every execution of exhaustive DFS (race detection on unless `races` is false): the
// distinct data-race reports, and the executions that ended otherwise than completed or
// with a data race (stuck ones are allowed by `allow_stuck`).
struct Seen {
  std::uint64_t executions = 0;
  std::uint64_t racy = 0;
  std::uint64_t stuck = 0;
  std::uint64_t other_failures = 0;
  std::set<std::string> races;
  bool exhausted = false;
};

inline Seen explore_all(const Tasks& tasks, std::function<void()> before_each = {}, bool races = true) {
  Seen out;
  auto s = make_dfs_strategy({});
  ExploreOptions o;
  o.stop_on_failure = false;
  o.execution.detect_races = races;
  o.before_each = std::move(before_each);
  auto check = [&out](const Execution& ex) -> std::optional<std::string> {
    if (ex.failure_property() == kDataRace) {
      ++out.racy;
      out.races.insert(ex.failure());
      return ex.failure();
    }
    if (ex.outcome() == Outcome::kStuck) {
      ++out.stuck;
      return std::nullopt;
    }
    if (ex.outcome() != Outcome::kCompleted) {
      ++out.other_failures;
      return ex.failure();
    }
    return std::nullopt;
  };
  const ExploreResult r = explore_tasks(*s, tasks, o, check);
  out.executions = r.executions;
  out.exhausted = r.exhausted;
  return out;
}


}  // namespace lockstep::sim::race_testing
