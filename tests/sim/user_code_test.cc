// User code reads right: an unnamed lock's class is its construction site; the standard's lock
// wrappers report the user's line; a deadlock report says when the holder of an awaited lock
// has finished.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <mutex>
#include <shared_mutex>
#include <string>

#include "sim/execution.h"
#include "sim/explore.h"
#include "sim/lock_order.h"
#include "sim/sim_runtime.h"
#include "sim/strategies/strategy.h"

namespace lockstep::sim {
namespace {

constexpr std::string_view kFile = "user_code_test.cc";

// Runs `body` once (DFS's first execution) with lock-order recording.
void run_once(const std::function<void()>& body, LockOrder& order) {
  auto dfs = make_dfs_strategy({std::nullopt, 1});
  ExploreOptions o;
  o.lock_order = &order;
  const ExploreResult r = explore(*dfs, body, o);
  ASSERT_EQ(r.failures, 0u) << (r.first_failure ? r.first_failure->message : "");
}

// The edge outer -> inner: where each was taken.
const LockEdge* edge(const LockOrder& order, std::string_view from, std::string_view to) {
  for (const LockEdge& e : order.edges()) {
    if (order.classes()[e.from] == from && order.classes()[e.to] == to) return &e;
  }
  return nullptr;
}

void expect_sites(const LockOrder& order, std::string_view from, std::string_view to,
                  std::uint32_t held_line, std::uint32_t acquire_line) {
  const LockEdge* e = edge(order, from, to);
  ASSERT_NE(e, nullptr) << order.format();
  EXPECT_EQ(e->held_site.str(), fmt::format("{}:{}", kFile, held_line)) << order.format();
  EXPECT_EQ(e->acquire_site.str(), fmt::format("{}:{}", kFile, acquire_line)) << order.format();
}

TEST(UnnamedLocks, TwoUnrelatedUnnamedMutexPairsMakeNoCycle) {
  // Before classes came from construction sites, all four were class "mutex", and taking one
  // while holding another was the self-edge mutex -> mutex: a cycle no program has.
  LockOrder order;
  std::uint32_t line_a = 0, line_c = 0;
  run_once(
      [&] {
        line_a = __LINE__ + 1;
        Mutex a;
        Mutex b;
        line_c = __LINE__ + 1;
        Mutex c;
        Mutex d;
        a.lock();
        b.lock();
        b.unlock();
        a.unlock();
        c.lock();
        d.lock();
        d.unlock();
        c.unlock();
      },
      order);
  EXPECT_TRUE(order.cycles().empty()) << order.format();
  EXPECT_EQ(order.edges().size(), 2u) << order.format();
  const std::string a_class = fmt::format("mutex@{}:{}", kFile, line_a);
  const std::string c_class = fmt::format("mutex@{}:{}", kFile, line_c);
  EXPECT_NE(edge(order, a_class, fmt::format("mutex@{}:{}", kFile, line_a + 1)), nullptr)
      << order.format();
  EXPECT_NE(edge(order, c_class, fmt::format("mutex@{}:{}", kFile, line_c + 1)), nullptr)
      << order.format();
}

TEST(UnnamedLocks, SameSiteIsOneClassAcrossObjectsAndTheNameIsStable) {
  auto make = [] { return std::make_unique<SharedMutex>(std::source_location::current()); };
  auto x = make();
  auto y = make();
  EXPECT_EQ(x->class_name(), y->class_name());
  EXPECT_EQ(x->class_name().data(), y->class_name().data());  // interned once
  EXPECT_TRUE(x->class_name().starts_with("shared_mutex@user_code_test.cc:"));
  Mutex named("named");
  EXPECT_EQ(named.class_name(), "named");
}

TEST(StdLocks, LockGuardReportsTheUsersLine) {
  LockOrder order;
  std::uint32_t held = 0, taken = 0;
  run_once(
      [&] {
        Mutex outer("outer");
        SharedMutex inner("inner");
        held = __LINE__ + 1;
        std::lock_guard g(outer);
        taken = __LINE__ + 1;
        std::lock_guard h(inner);
      },
      order);
  expect_sites(order, "outer", "inner", held, taken);
}

TEST(StdLocks, UniqueLockReportsTheUsersLineForEachWayOfLocking) {
  LockOrder order;
  std::uint32_t held = 0, deferred = 0, tried = 0, relocked = 0;
  run_once(
      [&] {
        Mutex outer("outer");
        Mutex inner("inner");
        SharedMutex other("other");
        Mutex adopted("adopted");
        held = __LINE__ + 1;
        std::unique_lock u(outer);
        std::unique_lock<Mutex> d(inner, std::defer_lock);
        EXPECT_FALSE(d.owns_lock());
        deferred = __LINE__ + 1;
        d.lock();
        EXPECT_TRUE(d.owns_lock());
        d.unlock();
        EXPECT_FALSE(d);
        tried = __LINE__ + 1;
        std::unique_lock t(other, std::try_to_lock);
        EXPECT_TRUE(t.owns_lock());
        // Move and release keep ownership exactly once.
        std::unique_lock<SharedMutex> moved(std::move(t));
        EXPECT_FALSE(t.owns_lock());
        EXPECT_TRUE(moved.owns_lock());
        SharedMutex* raw_lock = moved.release();
        EXPECT_EQ(raw_lock, &other);
        EXPECT_FALSE(moved.owns_lock());
        raw_lock->unlock();
        adopted.lock();
        std::unique_lock<Mutex> a(adopted, std::adopt_lock);
        EXPECT_TRUE(a.owns_lock());
        relocked = __LINE__ + 1;
        d.lock();
        EXPECT_EQ(d.mutex(), &inner);
      },
      order);
  expect_sites(order, "outer", "inner", held, deferred);
  expect_sites(order, "outer", "other", held, tried);
  // The last edge into inner is counted on the first pair of sites; the relock is the same
  // class pair, taken again.
  EXPECT_NE(relocked, 0u);
  EXPECT_EQ(edge(order, "outer", "inner")->count, 2u);
}

TEST(StdLocks, ScopedLockReportsTheUsersLineForOneAndForSeveralLocks) {
  LockOrder order;
  std::uint32_t held = 0, both = 0;
  run_once(
      [&] {
        Mutex outer("outer");
        Mutex first("first");
        SharedMutex second("second");
        held = __LINE__ + 1;
        std::scoped_lock one(outer);
        both = __LINE__ + 1;
        std::scoped_lock two(first, second);
      },
      order);
  expect_sites(order, "outer", "first", held, both);
  expect_sites(order, "outer", "second", held, both);
}

TEST(StdLocks, ScopedLockOfTwoInOppositeOrdersNeverDeadlocks) {
  // std::lock's algorithm: whichever task gets one lock first, the other backs off.
  auto a = std::make_shared<Mutex>("a");
  auto b = std::make_shared<Mutex>("b");
  int sum = 0;
  auto dfs = make_dfs_strategy({2, 0});  // each back-off costs a preemption: a finite space
  const ExploreResult r = explore_tasks(*dfs,
                                        {[&] {
                                           std::scoped_lock l(*a, *b);
                                           ++sum;
                                         },
                                         [&] {
                                           std::scoped_lock l(*b, *a);
                                           ++sum;
                                         }},
                                        {}, [&](const Execution& ex) -> std::optional<std::string> {
                                          const int s = sum;
                                          sum = 0;
                                          if (ex.outcome() != Outcome::kCompleted || s != 2)
                                            return "stuck or lost";
                                          return std::nullopt;
                                        });
  EXPECT_EQ(r.failures, 0u) << (r.first_failure ? r.first_failure->message : "");
  EXPECT_TRUE(r.exhausted);
  EXPECT_GT(r.executions, 2u);
}

TEST(StdLocks, SharedLockReportsTheUsersLine) {
  LockOrder order;
  std::uint32_t held = 0, shared = 0;
  run_once(
      [&] {
        Mutex outer("outer");
        SharedMutex rw("rw");
        held = __LINE__ + 1;
        std::unique_lock u(outer);
        shared = __LINE__ + 1;
        std::shared_lock s(rw);
        EXPECT_TRUE(s.owns_lock());
        s.unlock();
        EXPECT_TRUE(s.try_lock());
      },
      order);
  expect_sites(order, "outer", "rw", held, shared);
}

TEST(DeadlockReport, SaysWhenTheHolderOfTheAwaitedLockHasFinished) {
  auto m = std::make_shared<Mutex>("leaked");
  auto dfs = make_dfs_strategy({std::nullopt, 1});
  std::uint32_t taken = 0;
  auto body = [&] {
    taken = __LINE__ + 1;
    m->lock();  // and exits holding it
  };
  const ExploreResult r = explore_tasks(*dfs, {body, body});
  ASSERT_TRUE(r.first_failure);
  ASSERT_TRUE(r.first_failure->wait_for);
  const WaitForReport& w = *r.first_failure->wait_for;
  ASSERT_EQ(w.finished_holders.size(), 1u) << w.format();
  ASSERT_EQ(w.blocked.size(), 1u) << w.format();
  EXPECT_NE(w.finished_holders[0].task, w.blocked[0].task);
  ASSERT_EQ(w.finished_holders[0].held.size(), 1u);
  EXPECT_EQ(w.finished_holders[0].held[0].object, "leaked#0");
  EXPECT_EQ(w.finished_holders[0].held[0].site.str(), fmt::format("{}:{}", kFile, taken));
  const std::string text = w.format();
  EXPECT_NE(text.find("which has finished"), std::string::npos) << text;
  EXPECT_NE(text.find("finished while holding leaked#0 taken at user_code_test.cc"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace lockstep::sim
