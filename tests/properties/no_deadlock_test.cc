// tests/properties/no_deadlock_test.cc: property 4: wait-for cycles in one execution, and the
// lock order across an exploration; one test per way it can be violated (properties/
// no_deadlock.cc lists them as (a)..(c)): (a) WaitForCycleIsCaughtWithItsChain, (b)
// ClassCycleIsReportedWithBothSitesOfEachEdge, (c) HoldAcrossAWaitIsReportedUnlessAllowed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/properties/log_builder.h"

namespace lockstep::properties::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
constexpr Property kP = Property::kNoDeadlock;

TEST(NoDeadlock, WaitForCycleIsCaughtWithItsChain) {
  LogBuilder b;
  const auto a = b.task("listener", t(0));
  const auto z = b.task("worker", t(1));
  BlockedTaskView va{a, "listener", 0, "lock", "manager#0", "manager", "listener.h:10", {z}, {}};
  va.held = {"thread_state#1 at listener.h:9"};
  BlockedTaskView vz{z,
                     "worker",
                     1,
                     "lock",
                     "thread_state#1",
                     "thread_state",
                     "workers.h:20",
                     {a},
                     {"manager#0 at workers.h:19"}};
  b.end_state.kind = EndKind::kStuck;
  b.end_state.blocked = {va, vz};
  b.end_state.cycle = {a, z};
  const auto v = b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("Deadlock: task 1 (listener of t0), task 2 (worker of t1) "
                                      "wait for each other in a cycle"));
  EXPECT_THAT(v[0].chain,
              ElementsAre("task 1 (listener of t0) waits (lock) for manager#0 at listener.h:10, "
                          "holding thread_state#1 at listener.h:9, held by task 2",
                          "task 2 (worker of t1) waits (lock) for thread_state#1 at workers.h:20, "
                          "holding manager#0 at workers.h:19, held by task 1"));
}

TEST(NoDeadlock, NoCyclePasses) {
  LogBuilder b;
  b.end_state.kind = EndKind::kStuck;
  EXPECT_TRUE(b.check_only(kP).empty());
}

TEST(LockOrder, ClassCycleIsReportedWithBothSitesOfEachEdge) {
  LockOrderView view;
  view.classes = {"pool", "pool_conn"};
  view.edges = {{"pool", "pool_conn", "session_pool.h:89", "session_pool.h:93", 3},
                {"pool_conn", "pool", "session_pool.h:120", "session_pool.h:122", 1}};
  view.cycles = {{0, 1}};
  const auto v = check_lock_order(view);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].property, kP);
  EXPECT_THAT(v[0].message, HasSubstr("taken in a cycle, pool -> pool_conn -> pool"));
  EXPECT_THAT(v[0].chain, ElementsAre("pool held at session_pool.h:89, then pool_conn taken at "
                                      "session_pool.h:93 (3x)",
                                      "pool_conn held at session_pool.h:120, then pool taken at "
                                      "session_pool.h:122 (1x)"));
}

TEST(LockOrder, HoldAcrossAWaitIsReportedUnlessAllowed) {
  LockOrderView view;
  view.classes = {"pool", "pool_conn"};
  view.edges = {{"pool", "pool_conn", "session_pool.h:64", "session_pool.h:67", 2}};
  view.waits = {{"pool_conn", "recv", "stall_gate", "session_pool.h:79", "gate.h:29", 4, 4},
                {"pool", "recv", "stall_gate", "session_pool.h:64", "gate.h:29", 2, 2}};
  const auto v = check_lock_order(view);
  ASSERT_EQ(v.size(), 1u) << "a prompt holding its own connection is on the allow-list";
  EXPECT_THAT(v[0].message, HasSubstr("Lock pool (taken at session_pool.h:64) is held across a "
                                      "blocking recv on stall_gate at gate.h:29 (2 time(s), 2 of "
                                      "them really blocked)"));
  EXPECT_THAT(v[0].chain,
              ElementsAre("pool held at session_pool.h:64", "recv on stall_gate at gate.h:29"));
}

TEST(LockOrder, AllowListEntriesGiveTheirReason) {
  ASSERT_FALSE(lock_hold_allow_list().empty());
  for (const AllowedHold& a : lock_hold_allow_list()) {
    EXPECT_FALSE(a.held_class.empty());
    EXPECT_FALSE(a.wait.empty());
    EXPECT_GT(a.reason.size(), 40u) << a.held_class;
  }
  HeldAcrossWaitView pending{"pending_unloads", "lock", "manager", "a.h:1", "b.h:2", 1, 0};
  ASSERT_NE(find_allowed_hold(pending), nullptr);
  EXPECT_THAT(std::string(find_allowed_hold(pending)->reason), HasSubstr("pending"));
  pending.held_class = "manager";
  EXPECT_EQ(find_allowed_hold(pending), nullptr);
}

TEST(LockOrder, EmptyGraphPasses) { EXPECT_TRUE(check_lock_order({}).empty()); }

}  // namespace
}  // namespace lockstep::properties::testing
