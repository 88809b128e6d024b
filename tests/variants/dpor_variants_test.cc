// DPOR on the state manager: `current` passes the whole reduced space of the scenarios small
// enough to exhaust in the fast tier (and a capped prefix of the others), and DPOR catches
// each variant whose bug lies early in its depth-first order, by the property SPEC.md names,
// with a trace that replays. split-lock-domains and no-unload-guard lie deeper (tens of
// thousands of executions): dpor_deep_test, in the slow tier. Bounded in preemptions, DPOR
// exhausts every scenario of `current` within one preemption, catches every variant but
// split-lock-domains there, and shows that split-lock-domains needs two.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/variants/dpor_support.h"

namespace lockstep::traces {
namespace {

using impl::DesignVariant;

struct Exhaustible {
  std::string_view scenario;
  std::uint64_t executions;  // complete executions DPOR explores (pruned ones not counted)
};

class CurrentDpor : public ::testing::TestWithParam<Exhaustible> {};

TEST_P(CurrentDpor, PassesTheWholeReducedSpace) {
  expect_current_exhausts(GetParam().scenario, GetParam().executions);
}

// Where the counts come from. They are the sizes of DPOR's reduced spaces, not numbers a hand
// count could reach; what makes them trustworthy is that DPOR reaches exactly DFS's outcomes
// on generated programs over the same primitives (dpor_differential_test) and that a change
// in them is explained. The last change: a contended SharedMutex acquisition used to take its
// ticket inside the task's previous step and now takes it at the lock's own point, then enters
// at a second point (lock-wait) once its turn comes (sim/task.h, "The fidelity rule"). Only the
// three scenarios that take the session pool's SharedMutex changed (long-prompt,
// cleanup-during-prompt, busy-session-lookup); the other five, which never touch it, kept
// every count in this file and in dpor_deep_test. Two effects pull in opposite directions:
// the previous step no longer carries an access to the lock's queue, so fewer pairs of steps
// race (16 -> 15, 241 -> 165; with records commuting 16 -> 15, 77 -> 43); and a task that has
// reached lock() can now be overtaken by a later arrival, orders that did not exist before and
// that DPOR must cover (882 -> 1119; with records commuting 323 -> 351). Under a preemption
// bound the second effect dominates: a task at lock() is now enabled while the lock is held,
// so switching to it after a blocking step costs no preemption and more orders fit in the
// bound (5 -> 12, 12 -> 17, 37 -> 113).
// Since then the pool writes the session a get-or-create operation returns (kSessionReturned,
// for pool-integrity). Its record lands in the step that acquires the session's mutex (or, when
// another task created the session first, the step that holds the pool write lock), a step
// that observed nothing before; now it observes t0, so it conflicts with every other step that
// writes a record about t0 (c0's create and its prompt's begin, stall and prompt records), and
// DPOR covers both orders of each such pair: busy-session-lookup, the one scenario in which a
// get-or-create operation finds a session another task created, went 1119 -> 1229. A prompt's
// begin and end records (also new) land in the steps of its stall's records, which observed t0
// already (every prompt of these scenarios stalls), and no session is ever removed (all are
// created at virtual time 0 and the idle timeout is 10 minutes), so long-prompt and
// cleanup-during-prompt kept 15 and 165; no bounded count, and no count with records commuting
// (where observations do not conflict), moved.
INSTANTIATE_TEST_SUITE_P(SmallScenarios, CurrentDpor,
                         ::testing::Values(Exhaustible{"long-prompt", 15},
                                           Exhaustible{"cleanup-during-prompt", 165},
                                           Exhaustible{"busy-session-lookup", 1229}),
                         [](const auto& p) { return test_name(p.param.scenario); });

TEST(CurrentDporCapped, PassesTheFirstExecutionsOfTheLargerScenarios) {
  for (std::string_view s : {"phantom-attach", "hung-start", "worker-head-of-line",
                             "worker-teardown", "attach-during-unload"}) {
    const ExploreReport r = explore_dpor(DesignVariant::kCurrent, s, 1000);
    EXPECT_FALSE(r.first_failure) << s << ": " << describe(r);
    EXPECT_GT(r.executions, 50u) << s;
  }
}

struct Early {
  DesignVariant variant;
  std::uint64_t budget;  // executions (pruned ones included) within which it must be caught
};

class VariantDpor : public ::testing::TestWithParam<Early> {};

TEST_P(VariantDpor, CaughtByItsPropertyWithAReplayableTrace) {
  expect_caught_by_dpor(GetParam().variant, GetParam().budget);
}

INSTANTIATE_TEST_SUITE_P(
    EarlyBugs, VariantDpor,
    ::testing::Values(Early{DesignVariant::kBlockingStart, 10},
                      Early{DesignVariant::kSingleWorker, 1000},
                      Early{DesignVariant::kLeakyWorkers, 100},
                      Early{DesignVariant::kGlobalPoolLock, 100},
                      Early{DesignVariant::kCleanupUnderWriteLock, 100},
                      Early{DesignVariant::kReadLockAcrossAwait, 1000}),
    [](const auto& p) { return test_name(impl::design_variant_name(p.param.variant)); });

// Within one preemption: every scenario's whole space, with its exact count (see above for
// where the pool scenarios' counts come from).
class CurrentDporBounded : public ::testing::TestWithParam<Exhaustible> {};

TEST_P(CurrentDporBounded, PassesEveryScheduleWithinOnePreemption) {
  expect_current_exhausts(GetParam().scenario, GetParam().executions, 1);
}

INSTANTIATE_TEST_SUITE_P(EveryScenario, CurrentDporBounded,
                         ::testing::Values(Exhaustible{"phantom-attach", 916},
                                           Exhaustible{"hung-start", 763},
                                           Exhaustible{"worker-head-of-line", 8371},
                                           Exhaustible{"worker-teardown", 53},
                                           Exhaustible{"long-prompt", 12},
                                           Exhaustible{"cleanup-during-prompt", 17},
                                           Exhaustible{"busy-session-lookup", 113},
                                           Exhaustible{"attach-during-unload", 347}),
                         [](const auto& p) { return test_name(p.param.scenario); });

class VariantDporBounded : public ::testing::TestWithParam<Early> {};

TEST_P(VariantDporBounded, CaughtWithinOnePreemption) {
  expect_caught_by_dpor(GetParam().variant, GetParam().budget, 1);
}

INSTANTIATE_TEST_SUITE_P(
    EveryVariantButOne, VariantDporBounded,
    ::testing::Values(Early{DesignVariant::kBlockingStart, 10},
                      Early{DesignVariant::kSingleWorker, 100},
                      Early{DesignVariant::kLeakyWorkers, 100},
                      Early{DesignVariant::kGlobalPoolLock, 100},
                      Early{DesignVariant::kCleanupUnderWriteLock, 100},
                      Early{DesignVariant::kReadLockAcrossAwait, 100},
                      Early{DesignVariant::kNoUnloadGuard, 1000}),
    [](const auto& p) { return test_name(impl::design_variant_name(p.param.variant)); });

// With the probe's records commuting (--records-commute), the smaller scenarios' spaces shrink
// (cleanup-during-prompt 165 -> 43, busy-session-lookup 1119 -> 351) and hung-start and
// worker-teardown become small enough for this tier; dpor_deep_test exhausts the others.
class CurrentDporRecordsCommute : public ::testing::TestWithParam<Exhaustible> {};

TEST_P(CurrentDporRecordsCommute, PassesTheWholeSpace) {
  expect_current_exhausts(GetParam().scenario, GetParam().executions, std::nullopt,
                          Records::kCommute);
}

INSTANTIATE_TEST_SUITE_P(SmallScenarios, CurrentDporRecordsCommute,
                         ::testing::Values(Exhaustible{"hung-start", 4662},
                                           Exhaustible{"worker-teardown", 722},
                                           Exhaustible{"long-prompt", 15},
                                           Exhaustible{"cleanup-during-prompt", 43},
                                           Exhaustible{"busy-session-lookup", 351}),
                         [](const auto& p) { return test_name(p.param.scenario); });

// Every variant is still caught, by its property, when records commute: the reduction keeps
// the bugs. The two deep ones of the default relation come early here.
class VariantDporRecordsCommute : public ::testing::TestWithParam<Early> {};

TEST_P(VariantDporRecordsCommute, CaughtByItsProperty) {
  expect_caught_by_dpor(GetParam().variant, GetParam().budget, std::nullopt, Records::kCommute);
}

INSTANTIATE_TEST_SUITE_P(
    EveryVariant, VariantDporRecordsCommute,
    ::testing::Values(Early{DesignVariant::kSplitLockDomains, 2000},
                      Early{DesignVariant::kBlockingStart, 10},
                      Early{DesignVariant::kSingleWorker, 100},
                      Early{DesignVariant::kLeakyWorkers, 100},
                      Early{DesignVariant::kGlobalPoolLock, 100},
                      Early{DesignVariant::kCleanupUnderWriteLock, 100},
                      Early{DesignVariant::kReadLockAcrossAwait, 1000},
                      Early{DesignVariant::kNoUnloadGuard, 3000}),
    [](const auto& p) { return test_name(impl::design_variant_name(p.param.variant)); });

// The phantom subscriber needs two preemptions: the late attach's check, the disconnect, then
// the insert. Within one, the whole space passes (the slow tier catches it within two).
TEST(VariantDporBounded, SplitLockDomainsNeedsTwoPreemptions) {
  const ExploreReport r =
      explore_dpor(DesignVariant::kSplitLockDomains, "phantom-attach", 0, 1);
  EXPECT_FALSE(r.first_failure) << describe(r);
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(r.executions, 920u);
}

}  // namespace
}  // namespace lockstep::traces
