// Slow tier. DPOR catches the two variants whose bugs lie deep in its depth-first order (about
// 60,000 and 20,000 complete executions, plus the pruned ones), and `current` passes the whole
// reduced space of two larger scenarios (about 3 s and 50 s in a Release build).
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

}  // namespace
}  // namespace lockstep::traces
