// tests/impl/sim_variants_test.cc: the same eight scenarios as variants_test.cc, under the
// simulator with no forced interleaving: a PCT exploration finds each variant's failure
// within a small budget, and never finds it under `current`. The check reads only the probe
// (the final snapshot exists only for executions that ran to their end).
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "impl/run_workload.h"
#include "sim/explore.h"
#include "sim/sim_runtime.h"
#include "sim/strategies/strategy.h"
#include "tests/impl/threads_run.h"

namespace lockstep::impl {
namespace {

using K = OpKind;
using testing::client;
using testing::kHang;
using testing::workload;

constexpr ThreadId kT0{0};
constexpr ThreadId kT1{1};

// A failure predicate over one execution's probe; returns a description, or empty.
using Detect = std::function<std::string(const Probe&, const Workload&)>;

struct Found {
  std::uint64_t executions = 0;
  std::uint64_t completed = 0;  // executions that ran to their end
  std::uint64_t records = 0;    // probe records over all executions
  std::string what;             // empty: not found
};

Found explore_for(const Workload& w, DesignVariant v, const Detect& detect, std::uint64_t budget) {
  std::unique_ptr<Probe> probe;
  Found found;
  // PCT finds the one-step windows (a disconnect between two critical sections) that a
  // uniformly random walk almost never hits.
  sim::PctOptions pct;
  pct.seed = 7;
  pct.executions = budget;
  pct.depth = 3;
  auto strategy = sim::make_pct_strategy(pct);
  sim::ExploreOptions options;
  options.stop_on_failure = true;
  auto result = sim::explore(
      *strategy,
      [&] {
        probe = std::make_unique<Probe>();
        run_workload<sim::SimRuntime>(w, v, *probe);
      },
      options,
      [&](const sim::Execution& ex) -> std::optional<std::string> {
        ++found.executions;
        found.records += probe->size();
        if (ex.outcome() == sim::Outcome::kCompleted) ++found.completed;
        if (ex.outcome() != sim::Outcome::kCompleted && ex.outcome() != sim::Outcome::kStuck) {
          found.what = std::string(sim::outcome_name(ex.outcome())) + ": " + ex.failure();
          return found.what;
        }
        probe->clear_snapshot_source();  // the tasks are gone: never read the manager now
        std::string what = detect(*probe, w);
        if (what.empty()) return std::nullopt;
        found.what = what;
        return what;
      });
  (void)result;
  return found;
}

// A request (or background start) of a thread whose work does not stall never returned.
std::string unreturned_request(const Probe& p, const Workload& w) {
  const auto stalled = stalled_threads(w);
  std::map<std::pair<RequestRef, Phase>, const Record*> open;
  const std::vector<Record> records = p.records();  // a copy: `open` points into it
  for (const auto& r : records) {
    if (r.kind == RecordKind::kOpBegin && r.request.client != kNoClient) {
      open[{r.request, r.phase}] = &r;
    }
    if (r.kind == RecordKind::kOpEnd) open.erase({r.request, r.phase});
  }
  for (const auto& [key, r] : open) {
    if (r->thread && !stalled.contains(*r->thread)) {
      return std::string(op_kind_name(r->op)) + " of t" + std::to_string(raw(*r->thread)) +
             " never returned";
    }
  }
  // Requests that never even began (stuck behind a stalled request on their loop).
  for (const auto& r : p.records()) {
    if (r.kind != RecordKind::kRequestQueued || !r.thread || stalled.contains(*r.thread)) continue;
    bool began = false;
    for (const auto& b : p.records()) {
      began = began || (b.kind == RecordKind::kOpBegin && b.request == r.request);
    }
    if (!began) {
      return std::string(op_kind_name(r.op)) + " of t" + std::to_string(raw(*r.thread)) +
             " never began";
    }
  }
  return {};
}

std::string phantom(const Probe& p, const Workload&) {
  const auto s = p.final_state();
  if (!s) return {};
  for (const auto& [t, conns] : s->subscribers) {
    for (ConnectionId c : conns) {
      if (!s->live_connections.contains(c)) return "phantom c" + std::to_string(raw(c));
      if (!s->loaded_threads.contains(t))
        return "subscriber on unloaded t" + std::to_string(raw(t));
    }
  }
  return {};
}

std::string leaked_worker(const Probe& p, const Workload&) {
  const auto s = p.final_state();
  if (!s) return {};
  for (ThreadId t : s->worker_map_entries) {
    if (s->loaded_threads.contains(t)) continue;
    for (const auto& r : p.records()) {
      if (r.kind == RecordKind::kOpEnd && r.op == K::kUnload && r.thread == t &&
          r.error == OpError::kNone) {
        return "worker of unloaded t" + std::to_string(raw(t)) + " left";
      }
    }
  }
  return {};
}

struct Scenario {
  DesignVariant variant;
  Workload workload;
  Detect detect;
};

std::vector<Scenario> scenarios() {
  auto w = [](std::vector<ClientScript> c) {
    Workload out = workload(std::move(c));
    out.settle = std::chrono::seconds(1);
    return out;
  };
  return {
      {DesignVariant::kSplitLockDomains,
       w({client(0, {make_op(K::kConnect), make_op(K::kStart, kT0), make_op(K::kDisconnect)})}),
       phantom},
      {DesignVariant::kBlockingStart,
       w({client(0,
                 {make_op(K::kConnect), make_op(K::kStart, kT0, kHang), make_op(K::kStart, kT1)})}),
       unreturned_request},
      {DesignVariant::kSingleWorker,
       w({client(0, {make_op(K::kConnect), make_op(K::kStart, kT0, kHang)}),
          client(1, {make_op(K::kConnect), make_op(K::kStart, kT1), make_op(K::kEmit, kT1)})}),
       unreturned_request},
      {DesignVariant::kLeakyWorkers,
       w({client(0, {make_op(K::kConnect), make_op(K::kStart, kT0), make_op(K::kUnload, kT0),
                     make_op(K::kUnload, kT0)})}),
       leaked_worker},
      {DesignVariant::kGlobalPoolLock,
       w({client(0, {make_op(K::kPrompt, kT0, kHang)}),
          client(1, {make_op(K::kGetOrCreate, kT1)})}),
       unreturned_request},
      {DesignVariant::kCleanupUnderWriteLock,
       w({client(0, {make_op(K::kPrompt, kT0, kHang)}), client(1, {make_op(K::kCleanupIdle)}),
          client(2, {make_op(K::kGetOrCreate, kT1)})}),
       unreturned_request},
      {DesignVariant::kReadLockAcrossAwait,
       w({client(0, {make_op(K::kPrompt, kT0, kHang)}), client(1, {make_op(K::kGetOrCreate, kT0)}),
          client(2, {make_op(K::kGetOrCreate, kT1)})}),
       unreturned_request},
      {DesignVariant::kNoUnloadGuard,
       w({client(0, {make_op(K::kConnect), make_op(K::kStart, kT0), make_op(K::kUnload, kT0)}),
          client(1, {make_op(K::kConnect), make_op(K::kSubscribe, kT0),
                     make_op(K::kSubscribe, kT0)})}),
       phantom},
  };
}

class SimVariantTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(SimVariantTest, ExplorationFindsTheFailureOnlyInTheVariant) {
  const Scenario s = scenarios().at(GetParam());
  constexpr std::uint64_t kBudget = 1000;
  const Found bad = explore_for(s.workload, s.variant, s.detect, kBudget);
  EXPECT_FALSE(bad.what.empty()) << design_variant_name(s.variant) << ": not found in "
                                 << bad.executions << " executions";
  const Found good = explore_for(s.workload, DesignVariant::kCurrent, s.detect, kBudget);
  EXPECT_TRUE(good.what.empty()) << "current: " << good.what;
  EXPECT_EQ(good.executions, kBudget);
  // Runs whose stall is on a client's own request (an endless prompt) never end; the others do.
  bool client_stalls = false;
  for (const auto& c : s.workload.clients) {
    for (const auto& op : c.ops) client_stalls |= op.kind == K::kPrompt && op.stall != Stall{};
  }
  if (!client_stalls) {
    EXPECT_EQ(good.completed, kBudget);
  }
  EXPECT_GT(good.records, kBudget * 10);
}

// What an OS-thread run of the blocking-start scenario under `current` showed under load
// (tests/impl/variants_test.cc): the client's loop returns at once (both starts run in the
// background), the run takes its final state and shuts the manager down, and t0's background
// start, run only then, gets "closing; retry" without its stall ever beginning. The simulator
// must reach that outcome too (reality is a subset of the simulation); a schedule space that
// missed it would hide the shutdown path of every background start.
TEST(SimScenario, ShutdownCanPrecedeABackgroundStart) {
  // As on OS threads: no settle time (testing::workload).
  const Workload wl = workload(
      {client(0, {make_op(K::kConnect), make_op(K::kStart, kT0, kHang), make_op(K::kStart, kT1)})});
  auto closed_before_stall = [](const Probe& p, const Workload&) -> std::string {
    bool stalled = false;
    bool closing = false;
    for (const Record& r : p.records()) {
      stalled |= r.kind == RecordKind::kStallBegin && r.thread == kT0;
      closing |= r.kind == RecordKind::kOpEnd && r.op == K::kStart && r.thread == kT0 &&
                 r.phase == Phase::kBackground && r.error == OpError::kClosing;
    }
    return closing && !stalled ? "t0's start found the manager closing" : "";
  };
  const Found f = explore_for(wl, DesignVariant::kCurrent, closed_before_stall, 1000);
  EXPECT_FALSE(f.what.empty()) << "not reached in " << f.executions << " executions";
  std::printf("current, hung start: the manager closed before t0's stall began, execution %llu\n",
              static_cast<unsigned long long>(f.executions));
}

INSTANTIATE_TEST_SUITE_P(EachVariant, SimVariantTest, ::testing::Range<std::size_t>(0, 8),
                         [](const auto& param_info) {
                           std::string n(
                               design_variant_name(scenarios().at(param_info.param).variant));
                           std::erase(n, '-');
                           return n;
                         });

}  // namespace
}  // namespace lockstep::impl
