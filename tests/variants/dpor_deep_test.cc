// Slow tier. DPOR catches the two variants whose bugs lie deep in its depth-first order (about
// 60,000 and 20,000 complete executions, plus the pruned ones), and `current` passes the whole
// reduced space of two larger scenarios (about 3 s and 50 s in a Release build), and of the
// other three with the probe's records commuting; bounded in preemptions, every scenario
// within two, and split-lock-domains caught within two.
#include <gtest/gtest.h>

#include "tests/variants/dpor_support.h"

namespace lockstep::traces {
namespace {

TEST(VariantDporDeep, SplitLockDomains) {
  expect_caught_by_dpor(impl::DesignVariant::kSplitLockDomains, 200000);
}

TEST(VariantDporDeep, NoUnloadGuard) {
  expect_caught_by_dpor(impl::DesignVariant::kNoUnloadGuard, 60000);
}

TEST(CurrentDporDeep, WorkerTeardownExhausted) { expect_current_exhausts("worker-teardown", 48925); }

TEST(CurrentDporDeep, HungStartExhausted) { expect_current_exhausts("hung-start", 691521); }

// With the probe's records commuting, the three scenarios the default relation does not
// exhaust (about 5 s, 11 s and 100 s in a Release build).
TEST(CurrentDporDeep, LargerScenariosExhaustedWithRecordsCommuting) {
  const std::pair<std::string_view, std::uint64_t> counts[] = {
      {"phantom-attach", 153671}, {"worker-head-of-line", 270869},
      {"attach-during-unload", 1804196}};
  for (const auto& [scenario, executions] : counts) {
    SCOPED_TRACE(std::string(scenario));
    expect_current_exhausts(scenario, executions, std::nullopt, Records::kCommute);
  }
}

TEST(VariantDporDeep, SplitLockDomainsWithinTwoPreemptions) {
  expect_caught_by_dpor(impl::DesignVariant::kSplitLockDomains, 20000, 2);
}

// Every scenario's whole space within two preemptions (worker-head-of-line: about 35 s). The
// three pool scenarios' counts grew when a SharedMutex arrival moved to the lock's own point
// (21 -> 47, 52 -> 116, 199 -> 1060; dpor_variants_test says why); the others did not move.
TEST(CurrentDporDeep, EveryScenarioWithinTwoPreemptions) {
  const std::pair<std::string_view, std::uint64_t> counts[] = {
      {"phantom-attach", 34157},       {"hung-start", 47650},
      {"worker-head-of-line", 705085}, {"worker-teardown", 1859},
      {"long-prompt", 47},             {"cleanup-during-prompt", 116},
      {"busy-session-lookup", 1060},   {"attach-during-unload", 13947}};
  for (const auto& [scenario, executions] : counts) {
    SCOPED_TRACE(std::string(scenario));
    expect_current_exhausts(scenario, executions, 2);
  }
}

}  // namespace
}  // namespace lockstep::traces
