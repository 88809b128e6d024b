// DFS counts interleavings exactly, with and without a preemption bound.
//
// Scheduling points (sim/task.h): one before every visible operation and one before task exit.
// A task running `yield_now()` once therefore has two visible steps (yield, exit).
#include <gtest/gtest.h>

#include <set>

#include "sim/sim_runtime.h"
#include "tests/support/harness.h"

namespace lockstep::sim {
namespace {

using testing::run_dfs;

std::function<void()> yields(int n) {
  return [n] {
    for (int i = 0; i < n; ++i) yield_now();
  };
}

TEST(Dfs, TwoTasksOfTwoStepsGiveSixExecutions) {
  // Interleavings of two sequences of 2 steps: C(4,2) = 4!/(2!2!) = 6.
  auto r = run_dfs({yields(1), yields(1)});
  EXPECT_EQ(r.executions, 6u);
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(r.failures, 0u);
}

TEST(Dfs, ThreeTasksGiveTheMultinomialCount) {
  // Three sequences of 2 steps: 6!/(2!2!2!) = 720/8 = 90.
  auto r = run_dfs({yields(1), yields(1), yields(1)});
  EXPECT_EQ(r.executions, 90u);
  // Two tasks of 3 steps (2 yields + exit) and one of 2: 8!/(3!3!2!) = 40320/72 = 560.
  auto r2 = run_dfs({yields(2), yields(2), yields(1)});
  EXPECT_EQ(r2.executions, 560u);
}

TEST(Dfs, PreemptionBoundGivesTheKnownSmallerCounts) {
  // Two tasks A = a1 a2, B = b1 b2 (a2, b2 are exits). The 6 interleavings and their
  // preemptions (a switch away from a task that is still runnable):
  //   AABB 0, BBAA 0, ABBA 1, BAAB 1, ABAB 2, BABA 2  (after a task exits, a switch is free).
  EXPECT_EQ(run_dfs({yields(1), yields(1)}, 0).executions, 2u);
  EXPECT_EQ(run_dfs({yields(1), yields(1)}, 1).executions, 4u);
  EXPECT_EQ(run_dfs({yields(1), yields(1)}, 2).executions, 6u);
  // Three tasks of 2 steps with bound 0: only the order in which whole tasks run varies: 3! = 6.
  EXPECT_EQ(run_dfs({yields(1), yields(1), yields(1)}, 0).executions, 6u);
}

TEST(Dfs, BlockedTasksAreNotInterleaved) {
  // Two tasks each lock; unlock (3 steps with exit) on one mutex. Of the C(6,3) = 20
  // interleavings, those where a lock happens while the other task holds the mutex are
  // impossible: a task's lock..unlock span cannot contain the other's lock. Valid orders:
  // A's whole lock-unlock span first (then B's 3 steps may interleave only with A's exit:
  // a-lock a-unlock then {a-exit} merged with {b-lock b-unlock b-exit} = 4 ways), and
  // symmetric: 4 + 4 = 8.
  Mutex m("m");
  auto body = [&m] {
    m.lock();
    m.unlock();
  };
  auto r = run_dfs({body, body});
  EXPECT_EQ(r.executions, 8u);
  EXPECT_TRUE(r.exhausted);
}

TEST(Dfs, DataChoicesBranchLikeSchedulingChoices) {
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen;
  auto s = make_dfs_strategy({});
  auto r = explore(*s, [&] { seen.insert({choose(3), choose(2)}); });
  EXPECT_EQ(r.executions, 6u);
  EXPECT_EQ(seen.size(), 6u);
  EXPECT_TRUE(r.exhausted);
}

TEST(Dfs, MaxExecutionsStopsBeforeExhaustion) {
  auto s = make_dfs_strategy({std::nullopt, 4});
  auto r = explore_tasks(*s, {yields(1), yields(1)});
  EXPECT_EQ(r.executions, 4u);
  EXPECT_FALSE(r.exhausted);
}

}  // namespace
}  // namespace lockstep::sim
