// Bugs in plain shared data (tests/support/bug_programs.h): a lost update, check-then-act on a
// flag, use before initialisation. Their data lives in sim::Shared, so each load and store is
// a scheduling point and a DPOR access.
// - With race detection off, DFS and DPOR both reach the bad outcome, and the fixed twins
//   pass: DPOR runs more than one execution because the accesses conflict (before Shared, a
//   step touching plain memory had no access and DPOR stopped after one execution).
// - With race detection on (the default), the first execution of either strategy already
//   fails with `data-race`; the fixed twins have no race in any execution.
// Exact counts are derived in the comments: a task's steps are its visible operations plus
// its exit (sim/task.h); DPOR runs one execution per Mazurkiewicz trace here, a trace being
// fixed by the order of conflicting accesses (two loads commute; exits conflict with nothing
// but a join of the exiting task).
#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "sim/sim_runtime.h"
#include "tests/support/bug_programs.h"
#include "tests/support/harness.h"

namespace lockstep::sim {
namespace {

using testing::Tasks;

ExploreResult run(bool dpor, const Tasks& tasks, const CheckFn& check, bool races,
                  std::function<void()> before_each = {}, bool stop = false) {
  auto s = dpor ? make_dpor_strategy({}) : make_dfs_strategy({});
  ExploreOptions o;
  o.stop_on_failure = stop;
  o.execution.detect_races = races;
  o.before_each = std::move(before_each);
  return explore_tasks(*s, tasks, o, check);
}

class SharedBugs : public ::testing::TestWithParam<bool> {
 protected:
  bool dpor() const { return GetParam(); }
};

TEST_P(SharedBugs, LostUpdateIsFound) {
  auto c = std::make_shared<testing::SharedCounter>();
  const auto r = run(dpor(), testing::shared_increment_program(c, false),
                     testing::expect_shared_value(c, 2), false);
  EXPECT_TRUE(r.exhausted);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->message, "lost update: counter is 1");
  if (dpor()) {
    // Each task: load (L), store (S), exit. Conflicts: L0-S1, S0-L1, S0-S1. Traces: t0's
    // store before t1's load (serial, 2), t1's before t0's (serial, 2), and both loads before
    // both stores with S0 < S1 or S1 < S0 (1 each, lost). 4 executions, 2 lose an update.
    EXPECT_EQ(r.executions, 4u);
    EXPECT_EQ(r.failures, 2u);
  } else {
    // 3 + 3 steps: C(6,3) = 20 interleavings. An update survives iff one task's first two
    // steps both precede the other's load: the first two steps are L0 S0 (4 ways to place E0
    // among t1's three) or L1 S1 (4): 8 keep both updates, 12 lose one.
    EXPECT_EQ(r.executions, 20u);
    EXPECT_EQ(r.failures, 12u);
  }
}

TEST_P(SharedBugs, LostUpdateFixedPasses) {
  auto c = std::make_shared<testing::SharedCounter>();
  const auto r = run(dpor(), testing::shared_increment_program(c, true),
                     testing::expect_shared_value(c, 2), true);
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(r.failures, 0u);
  // DPOR: only the order of the two critical sections is left: 2.
  if (dpor()) {
    EXPECT_EQ(r.executions, 2u);
  }
}

TEST_P(SharedBugs, CheckThenActIsFound) {
  auto c = std::make_shared<testing::Claim>();
  const auto r = run(dpor(), testing::check_then_act_program(c, false),
                     testing::expect_one_claim(c), false, [c] { c->reset(); });
  EXPECT_TRUE(r.exhausted);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->message, "both tasks claimed the flag");
  if (dpor()) {
    // As for the lost update, except that a task whose load sees the flag set stores
    // nothing: t0 then t1 (t1 does not claim), t1 then t0, and both loads first with either
    // store first (both claim). 4 executions, 2 with both claims.
    EXPECT_EQ(r.executions, 4u);
    EXPECT_EQ(r.failures, 2u);
  } else {
    // Both loads before both stores: as for the lost update, 12 interleavings, all with
    // both claims. t0's store before t1's load: t1 is L1 E1 after L0 S0, with E0 anywhere
    // among L1 E1: 3; the mirror: 3. 18 executions, 12 failing.
    EXPECT_EQ(r.executions, 18u);
    EXPECT_EQ(r.failures, 12u);
  }
}

TEST_P(SharedBugs, CheckThenActFixedPasses) {
  auto c = std::make_shared<testing::Claim>();
  const auto r = run(dpor(), testing::check_then_act_program(c, true), testing::expect_one_claim(c),
                     true, [c] { c->reset(); });
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(r.failures, 0u);
}

TEST_P(SharedBugs, UseBeforeInitialisationIsFound) {
  auto c = std::make_shared<testing::Config>();
  const auto r = run(dpor(), testing::use_before_init_program(c, false),
                     testing::expect_initialised(c), false, [c] { c->reset(); });
  EXPECT_TRUE(r.exhausted);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->message, "the worker read the configuration before it was set: 0");
  // After the spawn the root stores (S), joins (J), exits; the worker loads (L), exits (Ew);
  // J waits for Ew. DFS: the orders of S, L, Ew with L before Ew: 3, of which 2 load first.
  // DPOR: only L and S conflict (Ew and J are ordered by the join anyway): 2, 1 loads first.
  EXPECT_EQ(r.executions, dpor() ? 2u : 3u);
  EXPECT_EQ(r.failures, dpor() ? 1u : 2u);
}

TEST_P(SharedBugs, UseBeforeInitialisationFixedPasses) {
  auto c = std::make_shared<testing::Config>();
  const auto r = run(dpor(), testing::use_before_init_program(c, true),
                     testing::expect_initialised(c), true, [c] { c->reset(); });
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(r.failures, 0u);
  // The store precedes the spawn; the join can run only after the worker's exit: 1.
  EXPECT_EQ(r.executions, 1u);
}

// With race detection on, each bug is a data race in every execution, so the first one
// fails with `data-race` whatever the strategy.
TEST_P(SharedBugs, EachBugIsADataRaceInTheFirstExecution) {
  auto counter = std::make_shared<testing::SharedCounter>();
  auto claim = std::make_shared<testing::Claim>();
  auto config = std::make_shared<testing::Config>();
  struct Case {
    Tasks tasks;
    CheckFn check;
    std::function<void()> before_each;
    const char* object;
  };
  const Case cases[] = {
      {testing::shared_increment_program(counter, false),
       testing::expect_shared_value(counter, 2),
       {},
       "counter#0"},
      {testing::check_then_act_program(claim, false), testing::expect_one_claim(claim),
       [claim] { claim->reset(); }, "taken#0"},
      {testing::use_before_init_program(config, false), testing::expect_initialised(config),
       [config] { config->reset(); }, "config#0"},
  };
  for (const Case& c : cases) {
    const auto r = run(dpor(), c.tasks, c.check, true, c.before_each, true);
    ASSERT_TRUE(r.first_failure) << c.object;
    EXPECT_EQ(r.first_failure->index, 0u) << c.object;
    EXPECT_EQ(r.first_failure->property, kDataRace) << c.object;
    EXPECT_NE(r.first_failure->message.find(std::string("data race on ") + c.object),
              std::string::npos)
        << r.first_failure->message;
  }
}

TEST(SharedDpor, LoadsCommuteAndStoresDoNot) {
  // Three tasks load one variable twice each: no conflict, one trace (DFS: 9!/(3!3!3!) =
  // 1680 interleavings of three steps each). One store added to task 0 orders it against
  // every load of the others (4 of them, two per task): the store's position among each other
  // task's loads is 0, 1 or 2 of them before it, independently: 3 * 3 = 9 traces.
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto loads = [x] {
    (void)x->load();
    (void)x->load();
  };
  auto store_then_load = [x] {
    x->store(1);
    (void)x->load();
  };
  ExploreOptions o;
  o.stop_on_failure = false;
  o.execution.detect_races = false;
  auto r1 = explore_tasks(*make_dpor_strategy({}), {loads, loads, loads}, o);
  EXPECT_EQ(r1.executions, 1u);
  EXPECT_TRUE(r1.exhausted);
  auto r2 = explore_tasks(*make_dpor_strategy({}), {store_then_load, loads, loads}, o);
  EXPECT_EQ(r2.executions, 9u);
  EXPECT_TRUE(r2.exhausted);
}

INSTANTIATE_TEST_SUITE_P(Strategies, SharedBugs, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Dpor" : "Dfs";
                         });

}  // namespace
}  // namespace lockstep::sim
