// DPOR: executions equal the number of Mazurkiewicz traces where that number is known, never
// more than DFS, and every bug DFS finds is found. On random programs:
// dpor_differential_test.cc.
//
// Counting conventions (sim/task.h): a task's steps are its visible operations plus its exit.
// Two steps conflict when they touch one object and are not both shared acquisitions; a trace
// (equivalence class of executions) is fixed by the order of conflicting steps. A lock and an
// unlock of one mutex by different tasks conflict, but no execution can reorder them (the
// lock waits for the unlock), so per mutex only the order of the critical sections counts.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sim/sim_runtime.h"
#include "tests/support/bug_programs.h"
#include "tests/support/harness.h"
#include "tests/support/programs.h"

namespace lockstep::sim {
namespace {

using testing::Tasks;

// Programs that keep state outside the run reset it in before_each: a pruned execution is
// never checked, so a check cannot be where the reset happens.
ExploreResult run_dpor(const Tasks& tasks, const CheckFn& check = {}, bool stop = true,
                       std::function<void()> before_each = {}) {
  auto s = make_dpor_strategy({});
  ExploreOptions o;
  o.stop_on_failure = stop;
  o.before_each = std::move(before_each);
  return explore_tasks(*s, tasks, o, check);
}

std::function<void()> yields(int n) {
  return [n] {
    for (int i = 0; i < n; ++i) yield_now();
  };
}

TEST(Dpor, IndependentTasksGiveOneExecution) {
  // No step of one task touches anything another task touches: one trace. DFS: 90.
  auto r = run_dpor({yields(1), yields(1), yields(1)});
  EXPECT_EQ(r.executions, 1u);
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(r.metrics.pruned, 0u);
  // Different mutexes are as independent as yields.
  auto a = std::make_shared<Mutex>("a");
  auto b = std::make_shared<Mutex>("b");
  auto r2 = run_dpor({[a] { a->lock(); a->unlock(); }, [b] { b->lock(); b->unlock(); }});
  EXPECT_EQ(r2.executions, 1u);
}

std::uint64_t factorial(std::uint64_t n) { return n <= 1 ? 1 : n * factorial(n - 1); }

TEST(Dpor, LockedCounterGivesNFactorialExecutions) {
  // n tasks each lock m, increment, unlock. The only conflicts are on m, and the critical
  // sections are totally ordered: one trace per order of the n critical sections, n!.
  for (int n = 1; n <= 5; ++n) {
    auto m = std::make_shared<Mutex>("m");
    std::set<std::vector<int>> orders;
    auto order = std::make_shared<std::vector<int>>();
    Tasks tasks;
    for (int i = 0; i < n; ++i) {
      tasks.push_back([m, order, i] {
        m->lock();
        order->push_back(i);
        m->unlock();
      });
    }
    auto check = [&orders, order](const Execution&) -> std::optional<std::string> {
      orders.insert(*order);
      return std::nullopt;
    };
    auto r = run_dpor(tasks, check, false, [order] { order->clear(); });
    EXPECT_EQ(r.executions, factorial(static_cast<std::uint64_t>(n))) << "n = " << n;
    EXPECT_EQ(orders.size(), factorial(static_cast<std::uint64_t>(n))) << "n = " << n;
    EXPECT_TRUE(r.exhausted);
    EXPECT_EQ(r.metrics.pruned, 0u) << "n = " << n;
  }
}

TEST(Dpor, HasNoTaskLimit) {
  // 64 idle tasks and n locking ones after them (ids 64 and up, past one word of a task set):
  // the idle ones commute with everything, so the count is still n!, in both the unbounded
  // and the preemption-bounded search. With the former limit of 64 tasks every execution was
  // abandoned.
  for (int n = 2; n <= 3; ++n) {
    for (const std::optional<std::uint32_t> bound : {std::optional<std::uint32_t>{}, {2u}}) {
      auto m = std::make_shared<Mutex>("m");
      auto order = std::make_shared<std::vector<int>>();
      std::set<std::vector<int>> orders;
      Tasks tasks(64, [] {});
      for (int i = 0; i < n; ++i) {
        tasks.push_back([m, order, i] {
          m->lock();
          order->push_back(i);
          m->unlock();
        });
      }
      auto s = make_dpor_strategy({0, bound, false});
      ExploreOptions o;
      o.stop_on_failure = false;
      o.before_each = [order] { order->clear(); };
      const ExploreResult r = explore_tasks(*s, tasks, o, [&](const Execution& ex) {
        orders.insert(*order);
        return ex.outcome() == Outcome::kCompleted ? std::nullopt
                                                   : std::optional<std::string>("not completed");
      });
      EXPECT_EQ(r.failures, 0u);
      EXPECT_EQ(r.abandoned, 0u) << r.first_abandon_reason;
      EXPECT_TRUE(r.exhausted);
      EXPECT_EQ(orders.size(), factorial(static_cast<std::uint64_t>(n))) << "n = " << n;
      if (!bound) {
        EXPECT_EQ(r.executions, factorial(static_cast<std::uint64_t>(n)));
      }
    }
  }
}

TEST(Dpor, LockOrderInversionHasThreeTraces) {
  // T1: a b (release b, a); T2: b a. A trace is fixed by who takes a first and who takes b
  // first. T1 first on both; T2 first on both; or each holds one and both block (deadlock).
  // "T2 first on a, T1 first on b" cannot happen: T2 takes b before a. So 3 traces; DFS
  // explores every interleaving of the same three outcomes.
  std::set<std::string> outcomes;
  auto check = [&outcomes](const Execution& ex) -> std::optional<std::string> {
    outcomes.insert(std::string(outcome_name(ex.outcome())));
    return std::nullopt;
  };
  auto r = run_dpor(testing::two_lock_program(true), check, false);
  EXPECT_EQ(r.executions, 3u);
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(outcomes, (std::set<std::string>{"completed", "stuck"}));
  auto dfs = testing::run_dfs(testing::two_lock_program(true), std::nullopt, check, false);
  EXPECT_GT(dfs.executions, r.executions);
}

TEST(Dpor, ReadersCommuteWritersDoNot) {
  // A task's arrival at the fair lock happens at its lock point (sim/task.h, the fidelity
  // rule), so no yield is needed to make it a step of its own. Readers: shared acquisitions
  // and releases all commute, one trace. DFS runs every interleaving of the two readers'
  // 3 steps each (lock-shared, unlock-shared, exit; readers never block one another):
  // C(6, 3) = 20.
  auto rw = std::make_shared<SharedMutex>("rw");
  auto reader = [rw] {
    rw->lock_shared();
    rw->unlock_shared();
  };
  auto readers = run_dpor({reader, reader});
  EXPECT_EQ(readers.executions, 1u);
  EXPECT_EQ(testing::run_dfs({reader, reader}).executions, 20u);
  // Writers: both orders of the critical sections must be seen.
  auto order = std::make_shared<std::vector<int>>();
  auto writer = [rw, order](int i) {
    return [rw, order, i] {
      rw->lock();
      order->push_back(i);
      rw->unlock();
    };
  };
  std::set<std::vector<int>> seen;
  ExploreOptions o;
  o.stop_on_failure = false;
  o.before_each = [order] { order->clear(); };
  auto s = make_dpor_strategy({});
  auto r = explore_tasks(*s, {writer(0), writer(1)}, o, [&seen, order](const Execution&) {
    seen.insert(*order);
    return std::optional<std::string>();
  });
  EXPECT_EQ(seen, (std::set<std::vector<int>>{{0, 1}, {1, 0}}));
  EXPECT_TRUE(r.exhausted);
}

TEST(Dpor, ChannelSendOrderIsExplored) {
  // Two senders, one receiver that takes both values: the sends conflict (the queue order),
  // so both arrival orders are seen.
  auto ch = std::make_shared<Channel<int>>("ch");
  auto got = std::make_shared<std::vector<int>>();
  std::set<std::vector<int>> seen;
  Tasks tasks{[ch] { ch->send(1); }, [ch] { ch->send(2); },
              [ch, got] {
                got->push_back(*ch->recv());
                got->push_back(*ch->recv());
              }};
  auto check = [&seen, got](const Execution&) -> std::optional<std::string> {
    seen.insert(*got);
    got->clear();
    return std::nullopt;
  };
  auto r = run_dpor(tasks, check, false, [got] { got->clear(); });
  EXPECT_EQ(seen, (std::set<std::vector<int>>{{1, 2}, {2, 1}}));
  EXPECT_TRUE(r.exhausted);
  auto dfs = testing::run_dfs(tasks, std::nullopt, check, false);
  EXPECT_LT(r.executions, dfs.executions);
}

TEST(Dpor, TimersDueAtOneInstantAreChoices) {
  // A receiver gives up at t = 1 s; a sender sleeps until t = 1 s and sends. Both are due at
  // the same instant: either the receive times out or it gets the value.
  using namespace std::chrono_literals;
  auto ch = std::make_shared<Channel<int>>("ch");
  std::set<std::string> seen;
  auto result = std::make_shared<std::string>();
  Tasks tasks{[ch, result] {
                auto r = ch->recv_until(TimePoint(1s));
                *result = r.value ? "value" : (r.timed_out ? "timeout" : "closed");
              },
              [ch] {
                sleep_until(TimePoint(1s));
                ch->send(7);
              }};
  auto check = [&seen, result](const Execution&) -> std::optional<std::string> {
    seen.insert(*result);
    return std::nullopt;
  };
  auto r = run_dpor(tasks, check, false);
  EXPECT_EQ(seen, (std::set<std::string>{"value", "timeout"}));
  EXPECT_TRUE(r.exhausted);
}

TEST(Dpor, AReceiveThatTimedOutCouldHaveReceived) {
  // Two receivers with a deadline, one sender at t = 0. Whichever receiver takes the value,
  // the other times out at t = 1 s, after the clock jumps. The timed-out receive races with
  // the other's receive although the jump orders everything before it: had it been picked
  // first, it would have got the value. Both outcomes must be reached (found by the
  // differential test below).
  using namespace std::chrono_literals;
  auto ch = std::make_shared<Channel<int>>("ch");
  auto got = std::make_shared<std::vector<std::string>>(2);
  auto receiver = [ch, got](int i) {
    return [ch, got, i] {
      auto r = ch->recv_until(TimePoint(1s));
      (*got)[static_cast<std::size_t>(i)] = r.value ? "got" : "timeout";
    };
  };
  std::set<std::vector<std::string>> seen;
  auto check = [&seen, got](const Execution&) -> std::optional<std::string> {
    seen.insert(*got);
    return std::nullopt;
  };
  auto r = run_dpor({receiver(0), receiver(1), [ch] { ch->send(1); }}, check, false);
  EXPECT_EQ(seen, (std::set<std::vector<std::string>>{{"got", "timeout"}, {"timeout", "got"}}));
  EXPECT_TRUE(r.exhausted);
}

// Every classic bug DFS finds, DPOR finds, with no more executions; every fixed twin passes
// the whole (reduced) space.
TEST(Dpor, FindsEveryBugDfsFinds) {
  struct Case {
    std::string name;
    std::function<Tasks()> tasks;
    std::function<CheckFn()> check;
    bool buggy;
    std::function<void()> reset;
  };
  std::vector<Case> cases;
  for (bool bug : {true, false}) {
    cases.push_back({"lock-order", [bug] { return testing::two_lock_program(bug); },
                     [] { return CheckFn{}; }, bug, {}});
    auto counter = std::make_shared<testing::Counter>();
    cases.push_back({"lost-update", [bug, counter] { return testing::increment_program(counter, bug); },
                     [counter] { return testing::expect_value(counter, 2); }, bug,
                     [counter] { counter->value = 0; }});
    auto reg = std::make_shared<testing::Registry>();
    cases.push_back({"check-then-act",
                     [bug, reg] { return testing::attach_disconnect(reg, bug); },
                     [reg] { return testing::no_phantom(reg); }, bug, [reg] {
                       reg->live = {1};
                       reg->subs.clear();
                     }});
  }
  testing::PhantomProgram phantom;
  cases.push_back({"phantom-with-timers", [phantom] { return phantom.tasks(); },
                   [phantom] { return phantom.check(); }, true, [phantom] {
                     phantom.s->live = {1};
                     phantom.s->subs.clear();
                   }});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name + (c.buggy ? " (bug)" : " (fixed)"));
    auto dfs = testing::run_dfs(c.tasks(), std::nullopt, c.check(), false);
    auto dpor = run_dpor(c.tasks(), c.check(), false, c.reset);
    EXPECT_TRUE(dfs.exhausted);
    EXPECT_TRUE(dpor.exhausted);
    EXPECT_EQ(dfs.failures > 0, c.buggy);
    EXPECT_EQ(dpor.failures > 0, c.buggy);
    EXPECT_LE(dpor.executions, dfs.executions);
    std::printf("%s%s: dfs %llu executions (%llu failing), dpor %llu (%llu failing, %llu pruned)\n",
                c.name.c_str(), c.buggy ? "" : " fixed",
                static_cast<unsigned long long>(dfs.executions),
                static_cast<unsigned long long>(dfs.failures),
                static_cast<unsigned long long>(dpor.executions),
                static_cast<unsigned long long>(dpor.failures),
                static_cast<unsigned long long>(dpor.metrics.pruned));
  }
}

}  // namespace
}  // namespace lockstep::sim
