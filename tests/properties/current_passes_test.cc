// tests/properties/current_passes_test.cc: the checkers are sound on real executions: the
// current design, run under the simulator on generated workloads (every operation, stalls of
// every kind, cleanup ticks, idle unloads) with random and PCT schedules, passes all seven
// properties. A failure here is a checker that flags what the design allows (or a bug of the
// current design): RapidCheck shrinks the workload, and the message names the property.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <chrono>
#include <string>

#include "traces/explore.h"

namespace lockstep::properties::testing {
namespace {

using impl::OpKind;
using impl::Stall;
using impl::StallKind;
using std::chrono::minutes;

// Spans its whole range from the first case on (inRange alone scales with RapidCheck's size).
std::uint32_t choose(std::uint32_t low, std::uint32_t high) {
  return *rc::gen::resize(100, rc::gen::inRange<std::uint32_t>(low, high + 1));
}

Stall gen_stall() {
  switch (choose(0, 9)) {
    case 0:
      return {StallKind::kHangForever, {}};
    case 1:
      return {StallKind::kHangFor, minutes(choose(1, 45))};
    case 2:
      return {StallKind::kAgentDies, {}};
    default:
      return {};
  }
}

impl::WorkloadOp gen_op(std::uint32_t threads) {
  static constexpr OpKind kKinds[] = {OpKind::kConnect, OpKind::kDisconnect, OpKind::kStart,
                                      OpKind::kStart,   OpKind::kSubscribe,  OpKind::kUnsubscribe,
                                      OpKind::kEmit,    OpKind::kEmit,       OpKind::kResume,
                                      OpKind::kResolve, OpKind::kUnload,     OpKind::kGetOrCreate,
                                      OpKind::kPrompt,  OpKind::kCleanupIdle};
  const OpKind kind = kKinds[choose(0, std::size(kKinds) - 1)];
  impl::WorkloadOp op{kind, std::nullopt, impl::EventKind::kItem, {}};
  if (impl::op_needs_thread(kind)) op.thread = impl::ThreadId{choose(0, threads - 1)};
  if (impl::op_may_stall(kind)) op.stall = gen_stall();
  if (kind == OpKind::kEmit) op.event = static_cast<impl::EventKind>(choose(0, 3));
  return op;
}

impl::Workload gen_workload() {
  impl::Workload w;
  const std::uint32_t connections = choose(2, 4);
  const std::uint32_t threads = choose(1, 3);
  for (std::uint32_t c = 0; c < connections; ++c) {
    impl::ClientScript s{impl::ConnectionId{c}, {}};
    if (choose(0, 3) != 0) s.ops.push_back(impl::make_op(OpKind::kConnect));
    const std::uint32_t n = choose(2, 6);
    for (std::uint32_t i = 0; i < n; ++i) s.ops.push_back(gen_op(threads));
    w.clients.push_back(std::move(s));
  }
  // Ticks and timeouts short enough for idle removals to race prompts (pool-integrity).
  w.cleanup.ticks = choose(0, 3);
  w.cleanup.period = minutes(choose(1, 20));
  w.cleanup.idle_timeout = minutes(choose(1, 15));
  return w;
}

void expect_current_passes(const impl::Workload& w, const std::string& strategy,
                           std::uint64_t seed) {
  traces::ExploreConfig config;
  config.workload = w;
  config.design = impl::DesignVariant::kCurrent;
  config.strategy = sim::StrategyConfig{strategy};
  config.strategy.seed = seed;
  config.strategy.executions = 25;
  const traces::ExploreReport r = traces::explore_workload(config);
  std::string what;
  if (r.first_failure && r.first_failure->failure) {
    what = r.first_failure->failure->property + ": " + r.first_failure->failure->message;
  }
  for (const Violation& v : r.lock_order_violations) {
    what += std::string(property_name(v.property)) + ": " + v.message + "\n";
  }
  if (!what.empty()) {
    RC_FAIL(strategy + " execution " + std::to_string(r.first_failure_index) + ": " + what +
            "\nworkload: " + impl::workload_to_json(w).dump());
  }
}

RC_GTEST_PROP(CurrentPasses, EveryPropertyOnGeneratedWorkloads, ()) {
  const impl::Workload w = gen_workload();
  RC_PRE(impl::validate(w).empty());
  const std::uint64_t seed = choose(0, 1'000'000);
  expect_current_passes(w, "random", seed);
  expect_current_passes(w, "pct", seed);
}

}  // namespace
}  // namespace lockstep::properties::testing
