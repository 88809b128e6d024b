// DPOR catches the two variants whose bugs lie deep in its depth-first order (slow tier:
// about 60,000 and 20,000 complete executions, plus the pruned ones).
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

}  // namespace
}  // namespace lockstep::traces
