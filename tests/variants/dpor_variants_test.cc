// DPOR on the state manager: `current` passes the whole reduced space of the scenarios small
// enough to exhaust in the fast tier (and a capped prefix of the others), and DPOR catches
// each variant whose bug lies early in its depth-first order, by the property SPEC.md names,
// with a trace that replays. split-lock-domains and no-unload-guard lie deeper (tens of
// thousands of executions): dpor_deep_test, in the slow tier.
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

}  // namespace
}  // namespace lockstep::traces
