// Classic concurrency bugs: each is found, and its fixed version passes the same budget.
#include <gtest/gtest.h>

#include <set>

#include "sim/sim_runtime.h"
#include "tests/support/bug_programs.h"
#include "tests/support/harness.h"

namespace lockstep::sim {
namespace {

using testing::run_dfs;
using testing::two_lock_program;
using testing::increment_program;
using testing::Counter;
using testing::expect_value;
using testing::Registry;
using testing::attach_disconnect;
using testing::no_phantom;

TEST(ClassicBugs, LockOrderInversionDeadlocksWithAWaitForCycle) {
  auto r = run_dfs(two_lock_program(true));
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->outcome, Outcome::kStuck);
  ASSERT_TRUE(r.first_failure->wait_for);
  const WaitForReport& w = *r.first_failure->wait_for;
  ASSERT_EQ(w.cycle.size(), 2u);
  ASSERT_EQ(w.blocked.size(), 2u);
  for (const BlockedTask& b : w.blocked) {
    EXPECT_EQ(b.op, OpKind::kLock);
    ASSERT_EQ(b.holders.size(), 1u);
    EXPECT_NE(b.holders[0], b.task);
    EXPECT_EQ(b.held.size(), 1u);
  }
  const std::string text = w.format();
  EXPECT_NE(text.find("deadlock"), std::string::npos) << text;
  EXPECT_NE(text.find("lock_a#0"), std::string::npos) << text;
  EXPECT_NE(text.find("bug_programs.h:"), std::string::npos) << text;
}

TEST(ClassicBugs, LockOrderFixedNeverDeadlocks) {
  auto r = run_dfs(two_lock_program(false));
  EXPECT_EQ(r.failures, 0u);
  EXPECT_TRUE(r.exhausted);
}

TEST(ClassicBugs, LostUpdateIsFound) {
  auto c = std::make_shared<Counter>();
  auto r = run_dfs(increment_program(c, true), std::nullopt, expect_value(c, 2));
  ASSERT_TRUE(r.first_failure);
  EXPECT_NE(r.first_failure->message.find("counter is 1"), std::string::npos);
}

TEST(ClassicBugs, LostUpdateFixedPasses) {
  auto c = std::make_shared<Counter>();
  auto r = run_dfs(increment_program(c, false), std::nullopt, expect_value(c, 2));
  EXPECT_EQ(r.failures, 0u);
  EXPECT_TRUE(r.exhausted);
}

TEST(ClassicBugs, CheckThenActAcrossTwoLocksLeavesAPhantom) {
  auto reg = std::make_shared<Registry>();
  auto r = run_dfs(attach_disconnect(reg, true), std::nullopt, no_phantom(reg));
  ASSERT_TRUE(r.first_failure);
  EXPECT_NE(r.first_failure->message.find("phantom"), std::string::npos);
}

TEST(ClassicBugs, CheckThenActInOneLockDomainPasses) {
  auto reg = std::make_shared<Registry>();
  auto r = run_dfs(attach_disconnect(reg, false), std::nullopt, no_phantom(reg));
  EXPECT_EQ(r.failures, 0u);
  EXPECT_TRUE(r.exhausted);
}

}  // namespace
}  // namespace lockstep::sim
