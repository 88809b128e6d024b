// Determinism is the product: the same seed gives the same trace, byte for byte; a failing
// execution's trace replays to the identical event log and failure. Never skipped.
#include <gtest/gtest.h>

#include "sim/explore.h"
#include "tests/support/programs.h"
#include "traces/capture.h"

namespace lockstep::sim {
namespace {

using testing::PhantomProgram;

std::string trace_of_seed(std::uint64_t seed, const PhantomProgram& p) {
  auto strategy = make_random_strategy({seed, 1});
  Scheduler scheduler(*strategy);
  Execution ex(scheduler);
  scheduler.begin_execution();
  ex.run_tasks(p.tasks());
  traces::Trace t;
  t.program = "phantom";
  t.strategy = std::string(strategy->name());
  t.strategy_options = strategy->options();
  traces::capture_execution(ex, t);
  if (auto failure = p.check()(ex)) t.failure = traces::TraceFailure{"phantom", *failure, {}, -1};
  scheduler.end_execution({ex.outcome(), ex.step(), t.failure.has_value()});
  return traces::to_json(t);
}

TEST(Determinism, SameSeedGivesByteIdenticalTracesForAThousandSeeds) {
  PhantomProgram p;
  std::set<std::string> distinct;
  int failing = 0;
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    const std::string a = trace_of_seed(seed, p);
    const std::string b = trace_of_seed(seed, p);
    ASSERT_EQ(a, b) << "seed " << seed;
    distinct.insert(a);
    if (a.find("\"failure\": null") == std::string::npos) ++failing;
  }
  // The seeds really explore: many different schedules, some failing, some not.
  EXPECT_GT(distinct.size(), 50u);
  EXPECT_GT(failing, 0);
  EXPECT_LT(failing, 1000);
}

TEST(Determinism, FailingTraceReplaysToTheIdenticalEventLogAndFailure) {
  PhantomProgram p;
  auto random = make_random_strategy({3, 5000});
  Scheduler scheduler(*random);
  Execution ex(scheduler);
  traces::Trace recorded;
  std::optional<std::string> failure;
  while (scheduler.begin_execution()) {
    ex.run_tasks(p.tasks());
    failure = p.check()(ex);
    scheduler.end_execution({ex.outcome(), ex.step(), failure.has_value()});
    if (failure) {
      traces::capture_execution(ex, recorded);
      break;
    }
  }
  ASSERT_TRUE(failure) << "random search should find the phantom subscriber";
  // Through JSON and back, then replay.
  const traces::Trace parsed = traces::parse_trace(traces::to_json(recorded));
  auto replay = make_replay_strategy(traces::replay_options(parsed));
  Scheduler rs(*replay);
  Execution rex(rs);
  ASSERT_TRUE(rs.begin_execution());
  rex.run_tasks(p.tasks());
  const auto replay_failure = p.check()(rex);
  rs.end_execution({rex.outcome(), rex.step(), replay_failure.has_value()});
  EXPECT_EQ(replay->divergence(), "");
  traces::Trace replayed;
  traces::capture_execution(rex, replayed);
  EXPECT_EQ(replayed.steps, recorded.steps);  // task, op, object, virtual time, site
  EXPECT_EQ(replayed.objects, recorded.objects);
  EXPECT_EQ(replayed.tasks, recorded.tasks);
  EXPECT_EQ(replay_failure, failure);
}

TEST(Replay, NamesTheStepWhereAScheduleDiverges) {
  PhantomProgram p;
  auto random = make_random_strategy({5, 1});
  Scheduler scheduler(*random);
  Execution ex(scheduler);
  scheduler.begin_execution();
  ex.run_tasks(p.tasks());
  traces::Trace t;
  traces::capture_execution(ex, t);
  ASSERT_GT(t.steps.size(), 6u);
  // Change step 5's operation: the replay must stop there and say what differs.
  t.steps[5].op = t.steps[5].op == OpKind::kYield ? OpKind::kExit : OpKind::kYield;
  auto replay = make_replay_strategy(traces::replay_options(t));
  Scheduler rs(*replay);
  Execution rex(rs);
  rs.begin_execution();
  EXPECT_EQ(rex.run_tasks(p.tasks()), Outcome::kAbandoned);
  EXPECT_NE(rex.failure().find("diverged at step 5"), std::string::npos) << rex.failure();
}

}  // namespace
}  // namespace lockstep::sim
