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

INSTANTIATE_TEST_SUITE_P(SmallScenarios, CurrentDpor,
                         ::testing::Values(Exhaustible{"long-prompt", 16},
                                           Exhaustible{"cleanup-during-prompt", 241},
                                           Exhaustible{"busy-session-lookup", 882}),
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

// Within one preemption: every scenario's whole space, with its exact count.
class CurrentDporBounded : public ::testing::TestWithParam<Exhaustible> {};

TEST_P(CurrentDporBounded, PassesEveryScheduleWithinOnePreemption) {
  expect_current_exhausts(GetParam().scenario, GetParam().executions, 1);
}

INSTANTIATE_TEST_SUITE_P(EveryScenario, CurrentDporBounded,
                         ::testing::Values(Exhaustible{"phantom-attach", 916},
                                           Exhaustible{"hung-start", 763},
                                           Exhaustible{"worker-head-of-line", 8371},
                                           Exhaustible{"worker-teardown", 53},
                                           Exhaustible{"long-prompt", 5},
                                           Exhaustible{"cleanup-during-prompt", 12},
                                           Exhaustible{"busy-session-lookup", 37},
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
// (cleanup-during-prompt 241 -> 77, busy-session-lookup 882 -> 323) and hung-start and
// worker-teardown become small enough for this tier; dpor_deep_test exhausts the others.
class CurrentDporRecordsCommute : public ::testing::TestWithParam<Exhaustible> {};

TEST_P(CurrentDporRecordsCommute, PassesTheWholeSpace) {
  expect_current_exhausts(GetParam().scenario, GetParam().executions, std::nullopt,
                          Records::kCommute);
}

INSTANTIATE_TEST_SUITE_P(SmallScenarios, CurrentDporRecordsCommute,
                         ::testing::Values(Exhaustible{"hung-start", 4662},
                                           Exhaustible{"worker-teardown", 722},
                                           Exhaustible{"long-prompt", 16},
                                           Exhaustible{"cleanup-during-prompt", 77},
                                           Exhaustible{"busy-session-lookup", 323}),
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
