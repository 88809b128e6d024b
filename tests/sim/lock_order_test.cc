// Lockdep: orders recorded across executions; cycles reported even without a deadlock.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>

#include "sim/execution.h"
#include "sim/explore.h"
#include "sim/lock_order.h"
#include "sim/scheduler.h"
#include "sim/sim_runtime.h"
#include "sim/strategies/strategy.h"

namespace lockstep::sim {
namespace {

TEST(LockOrder, InversionInTwoExecutionsThatNeverDeadlockIsACycleWithBothSites) {
  // One task; a data choice picks the order. No execution can deadlock (one task), but across
  // the two executions DFS explores, the orders a -> b and b -> a are both taken.
  LockOrder order;
  auto dfs = make_dfs_strategy({});
  ExploreOptions o;
  o.lock_order = &order;
  auto r = explore(*dfs, [] {
    Mutex a("alpha");
    Mutex b("beta");
    if (choose(2) == 0) {
      a.lock();
      b.lock();  // line A
      b.unlock();
      a.unlock();
    } else {
      b.lock();
      a.lock();  // line B
      a.unlock();
      b.unlock();
    }
  }, o);
  EXPECT_EQ(r.failures, 0u);
  EXPECT_EQ(r.executions, 2u);
  EXPECT_TRUE(r.exhausted);
  ASSERT_EQ(order.edges().size(), 2u);
  ASSERT_EQ(order.cycles().size(), 1u);
  const LockCycle& c = order.cycles()[0];
  EXPECT_EQ(c.classes.size(), 2u);
  ASSERT_EQ(c.edges.size(), 2u);
  const std::string text = order.format();
  EXPECT_NE(text.find("CYCLE"), std::string::npos) << text;
  EXPECT_NE(text.find("alpha"), std::string::npos);
  EXPECT_NE(text.find("beta"), std::string::npos);
  // Both acquisition sites, in this file, appear.
  const LockEdge& e0 = order.edges()[c.edges[0]];
  const LockEdge& e1 = order.edges()[c.edges[1]];
  EXPECT_NE(e0.acquire_site.line, e1.acquire_site.line);
  EXPECT_NE(e0.acquire_site.file.find("lock_order_test.cc"), std::string::npos);
}

TEST(LockOrder, ConsistentOrderHasNoCycle) {
  LockOrder order;
  auto dfs = make_dfs_strategy({});
  ExploreOptions o;
  o.lock_order = &order;
  explore(*dfs, [] {
    Mutex a("alpha");
    Mutex b("beta");
    JoinHandle h = spawn("other", [&] {
      a.lock();
      b.lock();
      b.unlock();
      a.unlock();
    });
    a.lock();
    b.lock();
    b.unlock();
    a.unlock();
    h.join();
  }, o);
  EXPECT_EQ(order.edges().size(), 1u);
  EXPECT_TRUE(order.cycles().empty());
  EXPECT_EQ(order.edges()[0].count > 1, true);
}

TEST(LockOrder, LockHeldAcrossAChannelWaitIsListedWithItsSites) {
  LockOrder order;
  auto dfs = make_dfs_strategy({});
  ExploreOptions o;
  o.lock_order = &order;
  auto r = explore(*dfs, [] {
    Mutex pool("pool");
    Channel<int> reply("reply");
    JoinHandle h = spawn("agent", [&] { reply.send(1); });
    pool.lock();
    reply.recv();  // waits while holding `pool`
    pool.unlock();
    h.join();
  }, o);
  EXPECT_EQ(r.failures, 0u);
  auto waits = order.held_across_waits();
  ASSERT_EQ(waits.size(), 1u);
  EXPECT_EQ(order.classes()[waits[0].held_class], "pool");
  EXPECT_EQ(waits[0].wait, OpKind::kRecv);
  EXPECT_EQ(waits[0].waited, "reply");
  EXPECT_EQ(waits[0].count, r.executions);
  EXPECT_GT(waits[0].blocked, 0u);  // in some schedule the reply was not there yet
  EXPECT_LT(waits[0].blocked, waits[0].count);
}

TEST(LockOrder, SameClassNestedIsASelfCycle) {
  LockOrder order;
  auto dfs = make_dfs_strategy({});
  ExploreOptions o;
  o.lock_order = &order;
  explore(*dfs, [] {
    Mutex a("thread_state");
    Mutex b("thread_state");
    a.lock();
    b.lock();
    b.unlock();
    a.unlock();
  }, o);
  ASSERT_EQ(order.cycles().size(), 1u);
  EXPECT_EQ(order.cycles()[0].classes.size(), 1u);
}

TEST(LockOrder, AnExecutionBuiltWhereAnEndedOneLivedKeepsItsOwnClasses) {
  // `lockstep lockgraph` feeds one LockOrder from one exploration after another, each with its
  // own Execution, which may be built at the address of the one before. Execution class ids
  // follow each execution's creation order: here "alpha" is 0 in the first and 1 in the second.
  LockOrder order;
  auto random = make_random_strategy({1, 2});
  Scheduler scheduler(*random);
  std::optional<Execution> ex;
  const auto run_one = [&](const std::function<void()>& body) {
    ex.emplace(scheduler, &order);  // the same storage every time
    ASSERT_TRUE(scheduler.begin_execution());
    const Outcome outcome = ex->run(body);
    ASSERT_EQ(outcome, Outcome::kCompleted);
    scheduler.end_execution({outcome, ex->step(), false});
    ex.reset();
  };
  run_one([] {
    Mutex a("alpha");
    Mutex b("beta");
    a.lock();
    b.lock();
    b.unlock();
    a.unlock();
  });
  run_one([] {
    Mutex b("beta");
    Mutex a("alpha");  // taken in the first execution only
    Mutex c("gamma");
    b.lock();  // alone: only its hold count changes
    b.unlock();
    b.lock();
    c.lock();  // beta -> gamma, a new edge
    c.unlock();
    b.unlock();
  });
  const auto index = [&](std::string_view name) {
    const auto& names = order.classes();
    return static_cast<std::uint32_t>(std::find(names.begin(), names.end(), name) - names.begin());
  };
  ASSERT_EQ(order.classes().size(), 3u);
  EXPECT_EQ(order.hold_count(index("alpha")), 1u);
  EXPECT_EQ(order.hold_count(index("beta")), 3u);
  EXPECT_EQ(order.hold_count(index("gamma")), 1u);
  ASSERT_EQ(order.edges().size(), 2u) << order.format();
  const LockEdge& second = order.edges()[1];
  EXPECT_EQ(order.classes()[second.from], "beta") << order.format();
  EXPECT_EQ(order.classes()[second.to], "gamma") << order.format();
  EXPECT_TRUE(order.cycles().empty()) << order.format();
}

}  // namespace
}  // namespace lockstep::sim
