// PCT's guarantee, measured: on small programs (10-30 steps) with a bug of known depth d, the
// share of executions that hit the bug is at least 1 / (n * k^(d-1)) (Burckhardt, Kothari,
// Musuvathi and Nagarakatte, ASPLOS 2010), n tasks, k steps. The test prints the bound next to
// the measured rate for each program and asserts that the measured rate, less three standard
// deviations of its estimate, is still at or above the bound. Seeds are fixed: deterministic.
// With k taken from a fixed floor of 64 instead of the observed lengths most change points
// fell past the end of these programs and the rates of the shortest fell below the bound.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>

#include "sim/explore.h"
#include "sim/sim_runtime.h"
#include "tests/support/harness.h"

namespace lockstep::sim {
namespace {

// Task A writes x = 1, 2, 3, each after `run` yields. Task B checks x once (depth 2: it must
// see 1, so it runs after A's first write and before its second), or checks x == 1, yields,
// and checks x == 3 (depth 3: A must also run its third write between B's two checks).
struct Shared {
  int x = 0;
  bool bug = false;
};

testing::Tasks program(const std::shared_ptr<Shared>& s, int run, int depth) {
  auto a = [s, run] {
    for (int phase = 1; phase <= 3; ++phase) {
      for (int i = 0; i < run; ++i) yield_now();
      s->x = phase;
    }
  };
  auto b = [s, depth] {
    yield_now();  // the check is a step of its own
    if (s->x != 1) return;
    if (depth == 2) {
      s->bug = true;
      return;
    }
    yield_now();
    if (s->x == 3) s->bug = true;
  };
  return {a, b};
}

struct Measured {
  std::uint64_t executions = 0;
  std::uint64_t hits = 0;
  std::uint64_t steps = 0;  // k: the longest execution
};

Measured measure(int run, int depth, std::uint64_t executions) {
  auto s = std::make_shared<Shared>();
  auto strategy = make_pct_strategy({/*seed=*/7, executions, static_cast<std::uint32_t>(depth), 0});
  ExploreOptions o;
  o.stop_on_failure = false;
  const ExploreResult r = explore_tasks(*strategy, program(s, run, depth), o,
                                        [s](const Execution&) -> std::optional<std::string> {
                                          const bool bug = s->bug;
                                          *s = Shared{};
                                          if (bug) return std::string("bug");
                                          return std::nullopt;
                                        });
  return {r.executions, r.failures, r.metrics.max_steps_in_execution};
}

TEST(PctBound, HitRatesOnSmallProgramsMeetTheProbabilityBound) {
  constexpr double kTasks = 2;
  struct Case {
    int run;
    int depth;
    std::uint64_t executions;
  };
  // Executions chosen so that about ten or more hits are expected at the bound itself.
  const Case cases[] = {{3, 2, 2000}, {6, 2, 2000},  {9, 2, 2000},
                        {3, 3, 6000}, {6, 3, 12000}, {9, 3, 24000}};
  for (const Case& c : cases) {
    const Measured m = measure(c.run, c.depth, c.executions);
    const double k = static_cast<double>(m.steps);
    const double bound = 1.0 / (kTasks * std::pow(k, c.depth - 1));
    const double n = static_cast<double>(m.executions);
    const double rate = static_cast<double>(m.hits) / n;
    // The estimate less three of its standard deviations (binomial, sqrt(hits) / n).
    const double lower =
        (static_cast<double>(m.hits) - 3 * std::sqrt(static_cast<double>(m.hits))) / n;
    std::printf(
        "depth %d, n = 2 tasks, k = %2.0f steps: bound 1/(n*k^(d-1)) = %.5f, measured "
        "%.5f (%llu of %llu executions), less 3 sd %.5f\n",
        c.depth, k, bound, rate, static_cast<unsigned long long>(m.hits),
        static_cast<unsigned long long>(m.executions), lower);
    EXPECT_GE(m.steps, 10u);
    EXPECT_LE(m.steps, 32u);
    EXPECT_GE(lower, bound) << "depth " << c.depth << ", k = " << k;
  }
}

}  // namespace
}  // namespace lockstep::sim
