// tests/impl/workload_test.cc: workload JSON (round trip, clear errors), design variant names,
// record formatting, and whole workloads run on both runtimes.
#include <gtest/gtest.h>

#include <optional>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "impl/run_workload.h"
#include "tests/impl/runtimes.h"

namespace lockstep::impl {
namespace {

using K = OpKind;
using nlohmann::json;

Workload sample_workload() {
  Workload w;
  w.unload_delay = std::chrono::milliseconds(40);
  w.settle = std::chrono::milliseconds(400);
  w.cleanup = CleanupSchedule{2, std::chrono::milliseconds(10), std::chrono::milliseconds(0)};
  w.clients.push_back(
      ClientScript{ConnectionId{0},
                   {make_op(K::kConnect), make_op(K::kStart, ThreadId{0}),
                    make_op(K::kEmit, ThreadId{0}, {}, EventKind::kTurnStarted),
                    make_op(K::kEmit, ThreadId{0}, {}, EventKind::kServerRequest),
                    make_op(K::kResolve, ThreadId{0}),
                    make_op(K::kEmit, ThreadId{0}, {}, EventKind::kTurnCompleted),
                    make_op(K::kUnsubscribe, ThreadId{0}), make_op(K::kDisconnect)}});
  w.clients.push_back(ClientScript{
      ConnectionId{1},
      {make_op(K::kConnect), make_op(K::kResume, ThreadId{0}), make_op(K::kSubscribe, ThreadId{0}),
       make_op(K::kPrompt, ThreadId{1}, Stall{StallKind::kHangFor, std::chrono::milliseconds(5)}),
       make_op(K::kGetOrCreate, ThreadId{1}), make_op(K::kCleanupIdle),
       make_op(K::kStart, ThreadId{2}, Stall{StallKind::kAgentDies, {}}),
       make_op(K::kUnload, ThreadId{2}), make_op(K::kDisconnect)}});
  return w;
}

TEST(WorkloadJson, RoundTrips) {
  const Workload w = sample_workload();
  const json j = workload_to_json(w);
  EXPECT_EQ(j.at("format"), "lockstep-workload");
  EXPECT_EQ(j.at("clients")[0].at("ops")[1].at("op"), "start");
  EXPECT_EQ(j.at("clients")[1].at("ops")[3].at("stall").at("kind"), "hang-for");
  EXPECT_EQ(workload_from_json(j), w);
  EXPECT_EQ(workload_from_json(json::parse(j.dump())), w);
  Workload via_adl = j.get<Workload>();
  EXPECT_EQ(via_adl, w);
}

TEST(WorkloadJson, DefaultsApply) {
  const Workload w = workload_from_json(json::parse(R"({"clients":[{"connection":3}]})"));
  EXPECT_EQ(w.unload_delay, std::chrono::minutes(30));
  EXPECT_EQ(w.clients.at(0).connection, ConnectionId{3});
  EXPECT_TRUE(w.clients.at(0).ops.empty());
}

std::string error_of(const std::string& text) {
  try {
    workload_from_json(json::parse(text));
  } catch (const WorkloadError& e) {
    return e.what();
  }
  return "no error";
}

TEST(WorkloadJson, BadInputNamesThePath) {
  EXPECT_EQ(error_of(R"({"clients":[{"connection":0,"ops":[{"op":"fly"}]}]})"),
            "workload clients[0].ops[0].op: unknown operation 'fly'");
  EXPECT_EQ(error_of(R"({"clients":[{"connection":0,"ops":[{"op":"emit"}]}]})"),
            "workload clients[0].ops[0]: emit needs a thread");
  EXPECT_EQ(error_of(R"({"clients":[{"connection":0,"ops":[{"op":"emit","thread":1,
              "stall":{"kind":"hang-forever"}}]}]})"),
            "workload clients[0].ops[0]: emit cannot stall (only start and prompt)");
  EXPECT_NE(error_of(R"({"clients":[{"connection":0,"ops":[{"op":"start","thread":1,
              "stall":{"kind":"nap"}}]}]})")
                .find("unknown stall 'nap'"),
            std::string::npos);
  EXPECT_EQ(error_of(R"({"clients":[{"ops":[]}]})"), "workload clients[0].connection: missing");
  EXPECT_EQ(error_of(R"({"clients":[{"connection":-1}]})"),
            "workload clients[0].connection: expected a non-negative integer");
  EXPECT_EQ(error_of(R"({"clients":{}})"), "workload clients: expected an array");
  EXPECT_EQ(error_of(R"([1,2])"), "workload (top): expected an object");
  EXPECT_EQ(error_of(R"({"version":2,"clients":[]})"),
            "workload version: unsupported version (this build reads 1)");
  EXPECT_EQ(error_of(R"({"clients":[{"connection":0},{"connection":0}]})"),
            "workload clients[1]: connection c0 has two scripts");
}

TEST(WorkloadHelpers, StalledThreadsAndSets) {
  const Workload w = sample_workload();
  EXPECT_EQ(stalled_threads(w), (std::set<ThreadId>{ThreadId{1}}));
  EXPECT_EQ(workload_threads(w), (std::set<ThreadId>{ThreadId{0}, ThreadId{1}, ThreadId{2}}));
  EXPECT_EQ(workload_connections(w), (std::set<ConnectionId>{ConnectionId{0}, ConnectionId{1}}));
}

TEST(DesignVariantNames, ParseEveryNameAndRejectUnknown) {
  for (DesignVariant v : kAllDesignVariants) {
    EXPECT_EQ(parse_design_variant(design_variant_name(v)), v);
    EXPECT_FALSE(design_variant_description(v).empty());
    EXPECT_FALSE(design_variant_seed(v).empty());
  }
  EXPECT_EQ(design_variant_name(DesignVariant::kCleanupUnderWriteLock), "cleanup-under-write-lock");
  EXPECT_EQ(parse_design_variant("Current"), std::nullopt);
  EXPECT_EQ(parse_design_variant(""), std::nullopt);
  EXPECT_NE(design_variant_names().find("read-lock-across-await"), std::string::npos);
}

TEST(DesignDecisions, CurrentAnswersEveryDecisionSafelyAndEachVariantChangesOne) {
  auto unsafe = [](DesignVariant v) {
    const DesignDecisions d(v);
    return int{!d.attach_checks_and_inserts_atomically()} + !d.start_runs_in_background() +
           !d.uses_per_thread_workers() + !d.tears_down_workers_on_unload() +
           d.holds_pool_lock_for_prompt() + d.cleanup_waits_for_connections_under_write_lock() +
           d.get_or_create_waits_under_read_lock() + !d.guards_attach_against_pending_unload();
  };
  EXPECT_EQ(unsafe(DesignVariant::kCurrent), 0);
  for (DesignVariant v : kAllDesignVariants) {
    if (v != DesignVariant::kCurrent) {
      EXPECT_EQ(unsafe(v), 1) << design_variant_name(v);
    }
  }
}

TEST(ProbeFormat, OneReadableLinePerRecord) {
  Probe p;
  p.task_started(7, "listener", 1, "", 3);
  Record r;
  r.kind = RecordKind::kDelivered;
  r.task = 7;
  r.stamp = 9;
  r.thread = ThreadId{1};
  r.connection = ConnectionId{2};
  r.seq = 4;
  p.record(r);
  const auto records = p.records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].task_label, 1u);
  EXPECT_EQ(p.format(records[1]), "#1 @9 task 7 listener[t1]: delivered t1#4 -> c2");
}

template <class R>
class RunWorkloadTest : public ::testing::Test {};
TYPED_TEST_SUITE(RunWorkloadTest, testing::Runtimes, testing::RuntimeNames);

TYPED_TEST(RunWorkloadTest, SampleWorkloadEndsCleanAndUnloadsIdleThreads) {
  using R = TypeParam;
  Probe p;
  testing::run_as_task<R>([&] { run_workload<R>(sample_workload(), DesignVariant::kCurrent, p); });
  const auto s = p.final_state();
  ASSERT_TRUE(s.has_value());
  EXPECT_TRUE(s->live_connections.empty());
  EXPECT_TRUE(s->subscriptions.empty());
  EXPECT_TRUE(s->threads_by_connection.empty());
  // Both connections left and the turn completed: t0 was unloaded within the settle time.
  EXPECT_FALSE(s->loaded_threads.contains(ThreadId{0})) << p.dump();
  EXPECT_TRUE(s->listeners.empty());
  EXPECT_FALSE(s->worker_map_entries.contains(ThreadId{0}));
  EXPECT_TRUE(s->pending_unloads.empty());
  for (const auto& [t, info] : p.tasks()) EXPECT_TRUE(info.ended) << info.name;
  std::size_t ends = 0;
  for (const auto& r : p.records()) {
    ends +=
        r.kind == RecordKind::kOpEnd && r.phase == Phase::kRequest && r.request.client != kNoClient;
  }
  EXPECT_EQ(ends, 17u);  // every request returned (the cleanup ticks are not requests)
}

TYPED_TEST(RunWorkloadTest, HungBackgroundStartIsReleasedAtTheEnd) {
  using R = TypeParam;
  Probe p;
  Workload w;
  w.settle = std::chrono::milliseconds(1);
  w.clients.push_back(ClientScript{
      ConnectionId{0},
      {make_op(K::kConnect), make_op(K::kStart, ThreadId{0}, Stall{StallKind::kHangForever, {}}),
       make_op(K::kStart, ThreadId{1})}});
  testing::run_as_task<R>([&] { run_workload<R>(w, DesignVariant::kCurrent, p); });
  std::optional<OpError> t0;
  bool stalled = false;
  for (const auto& r : p.records()) {
    if (r.kind == RecordKind::kOpEnd && r.phase == Phase::kBackground && r.thread == ThreadId{0}) {
      t0 = r.error;
    }
    stalled |= r.kind == RecordKind::kStallBegin && r.thread == ThreadId{0};
  }
  ASSERT_TRUE(t0.has_value()) << "the background start of t0 never ended\n" << p.dump();
  if constexpr (std::is_same_v<R, sim::SimRuntime>) {
    // Virtual time: the start reaches its gate long before the 1 ms settle ends.
    EXPECT_TRUE(stalled) << p.dump();
  }
  if (stalled) {
    EXPECT_EQ(*t0, OpError::kAgentDead) << p.dump();  // released at teardown, as a dead agent
  } else {
    // On OS threads a loaded machine may shut the manager down before the start's command
    // reached t0's worker: it is refused as closing, and still ends.
    EXPECT_EQ(*t0, OpError::kClosing) << p.dump();
  }
}

}  // namespace
}  // namespace lockstep::impl
