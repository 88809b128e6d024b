// Classic concurrency bugs: each is found, and its fixed version passes the same budget.
#include <gtest/gtest.h>

#include <set>

#include "sim/sim_runtime.h"
#include "tests/support/harness.h"

namespace lockstep::sim {
namespace {

using testing::run_dfs;

// Two tasks take two mutexes in opposite orders (or, fixed, in the same order).
testing::Tasks two_lock_program(bool inverted) {
  auto a = std::make_shared<Mutex>("lock_a");
  auto b = std::make_shared<Mutex>("lock_b");
  auto t1 = [a, b] {
    a->lock();
    b->lock();
    b->unlock();
    a->unlock();
  };
  auto t2 = [a, b, inverted] {
    Mutex& first = inverted ? *b : *a;
    Mutex& second = inverted ? *a : *b;
    first.lock();
    second.lock();
    second.unlock();
    first.unlock();
  };
  return {t1, t2};
}

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
  EXPECT_NE(text.find("bugs_test.cc"), std::string::npos) << text;
}

TEST(ClassicBugs, LockOrderFixedNeverDeadlocks) {
  auto r = run_dfs(two_lock_program(false));
  EXPECT_EQ(r.failures, 0u);
  EXPECT_TRUE(r.exhausted);
}

// Increment read and written under two separate acquisitions (or, fixed, one).
struct Counter {
  Mutex m{"counter"};
  int value = 0;
};

testing::Tasks increment_program(std::shared_ptr<Counter> c, bool split) {
  auto inc = [c, split] {
    c->m.lock();
    int v = c->value;
    if (split) {
      c->m.unlock();
      c->m.lock();
    }
    c->value = v + 1;
    c->m.unlock();
  };
  return {inc, inc};
}

CheckFn expect_value(std::shared_ptr<Counter> c, int want) {
  return [c, want](const Execution&) -> std::optional<std::string> {
    const int got = c->value;
    c->value = 0;
    if (got != want) return "lost update: counter is " + std::to_string(got);
    return std::nullopt;
  };
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

// The phantom-subscriber shape: the live check and the subscriber insert of an attach sit
// in two lock domains; a disconnect between them leaves a subscriber that is not live.
struct Registry {
  Mutex live_lock{"live"};
  Mutex subs_lock{"subs"};
  std::set<int> live{1};
  std::set<int> subs;
};

testing::Tasks attach_disconnect(std::shared_ptr<Registry> r, bool split) {
  auto attach = [r, split] {
    r->live_lock.lock();
    const bool live = r->live.count(1) != 0;
    if (split) {
      r->live_lock.unlock();
      r->subs_lock.lock();
      if (live) r->subs.insert(1);
      r->subs_lock.unlock();
    } else {
      if (live) r->subs.insert(1);
      r->live_lock.unlock();
    }
  };
  auto disconnect = [r, split] {
    r->live_lock.lock();
    r->live.erase(1);
    if (split) {
      r->live_lock.unlock();
      r->subs_lock.lock();
      r->subs.erase(1);
      r->subs_lock.unlock();
    } else {
      r->subs.erase(1);
      r->live_lock.unlock();
    }
  };
  return {attach, disconnect};
}

CheckFn no_phantom(std::shared_ptr<Registry> r) {
  return [r](const Execution&) -> std::optional<std::string> {
    const bool phantom = r->subs.count(1) != 0 && r->live.count(1) == 0;
    r->live = {1};
    r->subs.clear();
    if (phantom) return std::string("phantom subscriber 1 after disconnect");
    return std::nullopt;
  };
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
