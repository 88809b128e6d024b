// No silent gap: an execution a strategy abandons is counted and the exploration is then never
// "exhausted"; an invalid pick is an error; DPOR has no task limit. The workload of 64 idle
// clients plus one whose start hangs (tests/variants/workloads/idle-clients-hung-start.json)
// used to get "NOT CAUGHT (space exhausted)" from DPOR under blocking-start (every execution
// passed DPOR's old 64-task limit and was abandoned), while PCT caught it on execution 1.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/explore.h"
#include "sim/sim_runtime.h"
#include "traces/explore.h"
#include "traces/scenarios.h"

namespace lockstep::traces {
namespace {

impl::Workload many_clients_workload() {
  std::ifstream in(std::string(LOCKSTEP_TEST_WORKLOADS_DIR) + "/idle-clients-hung-start.json");
  EXPECT_TRUE(in.good());
  std::stringstream buf;
  buf << in.rdbuf();
  return impl::workload_from_json(nlohmann::json::parse(buf.str()));
}

ExploreReport explore_many(std::string strategy, impl::DesignVariant d, std::uint64_t budget) {
  ExploreConfig c;
  c.workload = many_clients_workload();
  c.design = d;
  c.strategy = sim::StrategyConfig{std::move(strategy)};
  c.strategy.seed = 1;
  c.strategy.executions = budget;
  c.program = "idle-clients-hung-start.json";
  c.stop_when = expected_properties(d);
  return explore_workload(c);
}

TEST(NoSilentGap, DporCatchesBlockingStartBehindSixtyFourIdleClients) {
  ASSERT_EQ(many_clients_workload().clients.size(), 65u);
  const ExploreReport dpor = explore_many("dpor", impl::DesignVariant::kBlockingStart, 200);
  const ExploreReport pct = explore_many("pct", impl::DesignVariant::kBlockingStart, 200);
  std::printf(
      "blocking-start, 64 idle clients + a hung start: dpor %s after %llu executions "
      "(%llu abandoned), pct %s after %llu\n",
      dpor.first_failure ? "caught" : "NOT caught",
      static_cast<unsigned long long>(dpor.first_failure_index + 1),
      static_cast<unsigned long long>(dpor.abandoned), pct.first_failure ? "caught" : "NOT caught",
      static_cast<unsigned long long>(pct.first_failure_index + 1));
  EXPECT_EQ(dpor.abandoned, 0u) << dpor.first_abandon_reason;
  EXPECT_TRUE(dpor.strategy_error.empty()) << dpor.strategy_error;
  ASSERT_TRUE(dpor.first_failure);
  EXPECT_EQ(dpor.first_failure->failure->property, "no-cross-thread-blocking");
  EXPECT_FALSE(dpor.exhausted);
  ASSERT_TRUE(pct.first_failure);
  EXPECT_EQ(pct.first_failure_index, 0u);
  // The trace of the 65-client execution replays (the failure is the same).
  const ReplayReport again = replay_trace(*dpor.first_failure);
  EXPECT_EQ(again.divergence, "");
  ASSERT_TRUE(again.trace.failure);
  EXPECT_EQ(again.trace.failure->property, "no-cross-thread-blocking");
}

TEST(NoSilentGap, DporRunsCurrentWithSixtyFiveClientsWithoutAbandoning) {
  const ExploreReport r = explore_many("dpor", impl::DesignVariant::kCurrent, 20);
  EXPECT_EQ(r.executions + r.metrics.pruned, 20u);  // a pruned one is not counted
  EXPECT_EQ(r.abandoned, 0u) << r.first_abandon_reason;
  EXPECT_FALSE(r.first_failure);
  EXPECT_FALSE(r.exhausted);  // a budget of 20 is not the space
}

// A systematic strategy over one task that abandons every other execution, and says its space
// is covered after four: the exploration must not be called exhausted.
class AbandoningStrategy final : public sim::Strategy {
 public:
  explicit AbandoningStrategy(bool invalid) : invalid_(invalid) {}
  std::string_view name() const noexcept override { return "abandoning"; }
  std::optional<std::uint64_t> begin_execution() override {
    if (n_ == 4) return std::nullopt;
    return n_++;
  }
  std::optional<sim::TaskId> pick_task(const sim::SchedulingPoint& p) override {
    if (n_ % 2 == 0 && p.step == 1) {
      if (invalid_) return sim::TaskId{999};  // no such task
      return std::nullopt;
    }
    return p.runnable.front().task;
  }
  std::uint64_t pick_value(std::uint64_t) override { return 0; }
  std::string abandon_reason() const override { return "gave up on purpose"; }
  bool exhausted() const override { return n_ == 4; }

 private:
  bool invalid_;
  std::uint64_t n_ = 0;
};

void three_yields() {
  for (int i = 0; i < 3; ++i) sim::yield_now();
}

TEST(NoSilentGap, AnAbandonedExecutionIsCountedAndTheSpaceIsNotExhausted) {
  AbandoningStrategy s(false);
  const sim::ExploreResult r = sim::explore(s, three_yields);
  EXPECT_EQ(r.executions, 4u);
  EXPECT_EQ(r.abandoned, 2u);
  EXPECT_EQ(r.first_abandon_reason, "gave up on purpose");
  EXPECT_EQ(r.failures, 0u);
  EXPECT_FALSE(r.exhausted);
  EXPECT_EQ(r.metrics.abandoned, 2u);
}

TEST(NoSilentGap, AnInvalidPickIsAFailureNotACleanResult) {
  AbandoningStrategy s(true);
  const sim::ExploreResult r = sim::explore(s, three_yields);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->outcome, sim::Outcome::kInvalidPick);
  EXPECT_NE(r.first_failure->message.find("strategy error: strategy abandoning picked task 999"),
            std::string::npos)
      << r.first_failure->message;
  EXPECT_FALSE(r.exhausted);
  EXPECT_EQ(r.metrics.invalid_picks, 1u);
}

}  // namespace
}  // namespace lockstep::traces
