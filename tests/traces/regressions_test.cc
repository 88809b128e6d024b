// Every saved regression trace (traces/regressions/*.json) still fails with its recorded
// property under its design, at the same step; and its workload passes under `current`.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "traces/explore.h"

namespace lockstep::traces {
namespace {

std::vector<std::string> regression_files() {
  std::vector<std::string> out;
  const std::filesystem::path dir = LOCKSTEP_REGRESSIONS_DIR;
  if (std::filesystem::exists(dir)) {
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".json") out.push_back(e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class RegressionTrace : public ::testing::TestWithParam<std::string> {};

TEST_P(RegressionTrace, StillFailsWithItsPropertyAndPassesUnderCurrent) {
  const Trace recorded = read_trace_file(GetParam());
  ASSERT_TRUE(recorded.failure) << "a regression trace records a failure";
  const ReplayReport r = replay_trace(recorded);
  EXPECT_EQ(r.divergence, "") << "the trace no longer matches this build";
  ASSERT_TRUE(r.trace.failure) << "the failure no longer happens";
  EXPECT_EQ(r.trace.failure->property, recorded.failure->property);
  EXPECT_EQ(r.trace.failure->step, recorded.failure->step);

  ExploreConfig c;
  c.workload = trace_workload(recorded);
  c.design = impl::DesignVariant::kCurrent;
  c.strategy = sim::StrategyConfig{"pct"};
  c.strategy.executions = 300;
  const ExploreReport fixed = explore_workload(c);
  EXPECT_FALSE(fixed.first_failure)
      << "current fails the regression's workload: " << fixed.first_failure->failure->message;
}

TEST(Regressions, OnePerVariantIsSaved) { EXPECT_GE(regression_files().size(), 8u); }

INSTANTIATE_TEST_SUITE_P(Saved, RegressionTrace, ::testing::ValuesIn(regression_files()),
                         [](const auto& p) {
                           std::string n = std::filesystem::path(p.param).stem().string();
                           for (char& ch : n) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return n;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RegressionTrace);

}  // namespace
}  // namespace lockstep::traces
