// tests/impl/variants_test.cc: each design variant's historical failure, forced on OS threads
// by holding tasks at probe records, and the same scenario under `current` not failing.
// (The property checkers and fixed simulator schedules catch the same failures in
// tests/variants/.)
#include <gtest/gtest.h>

#include "tests/impl/threads_run.h"

namespace lockstep::impl {
namespace {

using testing::Choreo;
using testing::kHang;
using testing::kNegativeWait;
using testing::ThreadsRun;
using K = OpKind;
using testing::client;
using testing::kind_for;
using testing::op_begin;
using testing::op_begin_conn;
using testing::op_end;
using testing::op_end_conn;
using testing::unload_stage;
using testing::workload;

constexpr ConnectionId kC0{0};
constexpr ConnectionId kC1{1};
constexpr ThreadId kT0{0};
constexpr ThreadId kT1{1};

testing::Pred attach_point(ConnectionId c, ThreadId t) {
  return [=](const Record& r) {
    return r.kind == RecordKind::kAttachPoint && r.connection == c && r.thread == t;
  };
}
testing::Pred pool_wait(ThreadId t, std::string_view who) {
  return [=](const Record& r) {
    return r.kind == RecordKind::kPoolWait && r.thread == t && r.note.starts_with(who);
  };
}
testing::Pred begin_cleanup() {
  return [](const Record& r) { return r.kind == RecordKind::kOpBegin && r.op == K::kCleanupIdle; };
}

// split-lock-domains: a disconnect lands between the late auto-attach's live check and its
// insert. Returns true when a phantom subscriber is left.
bool phantom_after_disconnect(DesignVariant v) {
  ThreadsRun run;
  run.choreo.hold(op_begin_conn(K::kDisconnect, kC0), attach_point(kC0, kT0));
  run.choreo.hold(attach_point(kC0, kT0), op_end_conn(K::kDisconnect, kC0));
  // The run's final snapshot is taken when the clients are done: let the start finish first.
  run.choreo.hold(op_end_conn(K::kDisconnect, kC0), op_end(K::kStart, kT0, Phase::kBackground));
  run.start(workload({client(
                0, {make_op(K::kConnect), make_op(K::kStart, kT0), make_op(K::kDisconnect)})}),
            v);
  run.finish();
  EXPECT_FALSE(run.choreo.timed_out());
  const StateSnapshot s = *run.probe.final_state();
  const bool phantom = s.subscribers.contains(kT0) && s.subscribers.at(kT0).contains(kC0) &&
                       !s.live_connections.contains(kC0);
  if (v != DesignVariant::kCurrent && !phantom) ADD_FAILURE() << run.probe.dump();
  return phantom;
}

TEST(VariantScenario, SplitLockDomainsLeavesAPhantomSubscriber) {
  EXPECT_TRUE(phantom_after_disconnect(DesignVariant::kSplitLockDomains));
  EXPECT_FALSE(phantom_after_disconnect(DesignVariant::kCurrent));
}

// blocking-start: t0's start hangs; the same connection then starts t1. Returns true when t1's
// start did not complete while t0's start was stalled.
// Under `current` both starts run in the background and the client's loop returns at once, so
// nothing kept the run alive until t0's stall began: when the OS ran the background start late,
// the run had already taken its final state, released the gates and shut the manager down, the
// start got "closing; retry", and the wait below for the stall timed out after 20 s (the
// simulator reaches the same outcome: sim_variants_test.cc, ShutdownCanPrecedeABackgroundStart).
// The loop's second request now waits for t0's stall, and the loop's end for t1's background
// start, so the stall is under way while t1 starts and lasts until finish().
bool start_stuck_behind_hung_start(DesignVariant v) {
  ThreadsRun run;
  run.choreo.hold(op_begin(K::kStart, kT1), kind_for(RecordKind::kStallBegin, kT0));
  run.choreo.hold(op_end(K::kStart, kT1), op_end(K::kStart, kT1, Phase::kBackground));
  run.start(workload({client(0, {make_op(K::kConnect), make_op(K::kStart, kT0, kHang),
                                 make_op(K::kStart, kT1)})}),
            v);
  EXPECT_TRUE(run.choreo.wait_for(kind_for(RecordKind::kStallBegin, kT0)));
  const bool stuck =
      !run.choreo.wait_for(op_end(K::kStart, kT1, Phase::kBackground),
                           v == DesignVariant::kCurrent ? Choreo::kHoldLimit : kNegativeWait);
  run.finish();
  EXPECT_FALSE(run.choreo.timed_out());
  return stuck;
}

TEST(VariantScenario, BlockingStartHoldsUpTheRequestLoop) {
  EXPECT_TRUE(start_stuck_behind_hung_start(DesignVariant::kBlockingStart));
  EXPECT_FALSE(start_stuck_behind_hung_start(DesignVariant::kCurrent));
}

// single-worker: t0's session start hangs on the worker; c1 then starts t1 and sends a turn.
// Returns true when t1 never got started (so its turn is never sent) during the stall.
bool turn_stuck_behind_other_threads_start(DesignVariant v) {
  ThreadsRun run;
  run.choreo.hold(op_begin(K::kStart, kT1), kind_for(RecordKind::kStallBegin, kT0));
  run.choreo.hold(op_begin(K::kEmit, kT1), op_end(K::kStart, kT1, Phase::kBackground));
  run.start(workload({client(0, {make_op(K::kConnect), make_op(K::kStart, kT0, kHang)}),
                      client(1, {make_op(K::kConnect), make_op(K::kStart, kT1),
                                 make_op(K::kEmit, kT1)})}),
            v);
  const bool stuck = !run.choreo.wait_for(
      op_end(K::kEmit, kT1), v == DesignVariant::kCurrent ? Choreo::kHoldLimit : kNegativeWait);
  run.finish();
  return stuck;
}

TEST(VariantScenario, SingleWorkerBlocksOtherThreadsTurn) {
  EXPECT_TRUE(turn_stuck_behind_other_threads_start(DesignVariant::kSingleWorker));
  EXPECT_FALSE(turn_stuck_behind_other_threads_start(DesignVariant::kCurrent));
}

// leaky-workers: start and unload three threads in turn. Returns the worker map at the end.
std::set<ThreadId> workers_left_after_unloads(DesignVariant v) {
  ThreadsRun run;
  std::vector<WorkloadOp> ops{make_op(K::kConnect)};
  for (std::uint32_t t = 0; t < 3; ++t) {
    run.choreo.hold(op_begin(K::kUnload, ThreadId{t}),
                    op_end(K::kStart, ThreadId{t}, Phase::kBackground));
    ops.push_back(make_op(K::kStart, ThreadId{t}));
    ops.push_back(make_op(K::kUnload, ThreadId{t}));
  }
  run.start(workload({client(0, ops)}), v);
  run.finish();
  EXPECT_FALSE(run.choreo.timed_out());
  const StateSnapshot s = *run.probe.final_state();
  EXPECT_TRUE(s.loaded_threads.empty());
  EXPECT_TRUE(s.listeners.empty());
  return s.worker_map_entries;
}

TEST(VariantScenario, LeakyWorkersMapGrowsAfterUnloads) {
  EXPECT_EQ(workers_left_after_unloads(DesignVariant::kLeakyWorkers),
            (std::set<ThreadId>{ThreadId{0}, ThreadId{1}, ThreadId{2}}));
  EXPECT_TRUE(workers_left_after_unloads(DesignVariant::kCurrent).empty());
}

// global-pool-lock: an endless prompt on t0; get_or_create for t1 meanwhile. Returns true when
// get_or_create(t1) did not return during the prompt.
bool get_or_create_stuck_behind_prompt(DesignVariant v) {
  ThreadsRun run;
  run.choreo.hold(op_begin(K::kGetOrCreate, kT1), kind_for(RecordKind::kStallBegin, kT0));
  run.start(workload({client(0, {make_op(K::kPrompt, kT0, kHang)}),
                      client(1, {make_op(K::kGetOrCreate, kT1)})}),
            v);
  const bool stuck =
      !run.choreo.wait_for(op_end(K::kGetOrCreate, kT1),
                           v == DesignVariant::kCurrent ? Choreo::kHoldLimit : kNegativeWait);
  run.finish();
  return stuck;
}

TEST(VariantScenario, GlobalPoolLockBlocksOtherSessionsForTheWholePrompt) {
  EXPECT_TRUE(get_or_create_stuck_behind_prompt(DesignVariant::kGlobalPoolLock));
  EXPECT_FALSE(get_or_create_stuck_behind_prompt(DesignVariant::kCurrent));
}

// cleanup-under-write-lock: an endless prompt on t0; cleanup runs; then get_or_create(t1).
bool get_or_create_stuck_behind_cleanup(DesignVariant v) {
  ThreadsRun run;
  run.choreo.hold(begin_cleanup(), kind_for(RecordKind::kStallBegin, kT0));
  run.choreo.hold(op_begin(K::kGetOrCreate, kT1), pool_wait(kT0, "cleanup"));
  run.start(
      workload({client(0, {make_op(K::kPrompt, kT0, kHang)}), client(1, {make_op(K::kCleanupIdle)}),
                client(2, {make_op(K::kGetOrCreate, kT1)})}),
      v);
  const bool stuck =
      !run.choreo.wait_for(op_end(K::kGetOrCreate, kT1),
                           v == DesignVariant::kCurrent ? Choreo::kHoldLimit : kNegativeWait);
  run.finish();
  return stuck;
}

TEST(VariantScenario, CleanupUnderWriteLockStallsThePool) {
  EXPECT_TRUE(get_or_create_stuck_behind_cleanup(DesignVariant::kCleanupUnderWriteLock));
  EXPECT_FALSE(get_or_create_stuck_behind_cleanup(DesignVariant::kCurrent));
}

// read-lock-across-await: an endless prompt on t0; a second get_or_create(t0) waits for t0's
// connection; then get_or_create(t1) needs the write lock to create t1's connection.
bool writer_stuck_behind_reader(DesignVariant v) {
  ThreadsRun run;
  run.choreo.hold(op_begin(K::kGetOrCreate, kT0), kind_for(RecordKind::kStallBegin, kT0));
  run.choreo.hold(op_begin(K::kGetOrCreate, kT1), pool_wait(kT0, "get-or-create"));
  run.start(workload({client(0, {make_op(K::kPrompt, kT0, kHang)}),
                      client(1, {make_op(K::kGetOrCreate, kT0)}),
                      client(2, {make_op(K::kGetOrCreate, kT1)})}),
            v);
  const bool stuck =
      !run.choreo.wait_for(op_end(K::kGetOrCreate, kT1),
                           v == DesignVariant::kCurrent ? Choreo::kHoldLimit : kNegativeWait);
  run.finish();
  return stuck;
}

TEST(VariantScenario, ReadLockAcrossAwaitBlocksWriters) {
  EXPECT_TRUE(writer_stuck_behind_reader(DesignVariant::kReadLockAcrossAwait));
  EXPECT_FALSE(writer_stuck_behind_reader(DesignVariant::kCurrent));
}

// no-unload-guard: c1 subscribes while t0 is being unloaded (after its state was removed).
// Returns the result of the subscribe; `phantom` says whether t0 kept a subscriber after the
// unload completed.
OpError subscribe_during_unload(DesignVariant v, bool& phantom) {
  ThreadsRun run;
  run.choreo.hold(op_begin(K::kUnload, kT0), op_end(K::kStart, kT0, Phase::kBackground));
  run.choreo.hold(op_begin(K::kSubscribe, kT0), unload_stage(kT0, UnloadStage::kStateRemoved));
  run.choreo.hold(unload_stage(kT0, UnloadStage::kStateRemoved), op_end(K::kSubscribe, kT0));
  run.start(workload({client(0, {make_op(K::kConnect), make_op(K::kStart, kT0),
                                 make_op(K::kUnload, kT0)}),
                      client(1, {make_op(K::kConnect), make_op(K::kSubscribe, kT0)})}),
            v);
  run.finish();
  EXPECT_FALSE(run.choreo.timed_out());
  const StateSnapshot s = *run.probe.final_state();
  EXPECT_FALSE(s.loaded_threads.contains(kT0));
  phantom = s.subscribers.contains(kT0) && !s.subscribers.at(kT0).empty();
  for (const auto& r : run.probe.records()) {
    if (r.kind == RecordKind::kOpEnd && r.op == K::kSubscribe) return r.error;
  }
  ADD_FAILURE() << "subscribe never returned";
  return OpError::kNone;
}

TEST(VariantScenario, NoUnloadGuardAttachesToAThreadBeingTornDown) {
  bool phantom = false;
  EXPECT_EQ(subscribe_during_unload(DesignVariant::kNoUnloadGuard, phantom), OpError::kNone);
  EXPECT_TRUE(phantom);
  EXPECT_EQ(subscribe_during_unload(DesignVariant::kCurrent, phantom), OpError::kClosing);
  EXPECT_FALSE(phantom);
}

// current: a resume queued while the thread unloads is answered "closing; retry", not left
// waiting.
TEST(VariantScenario, ResumeOfAClosingThreadGetsClosingRetry) {
  ThreadsRun run;
  run.choreo.hold(op_begin(K::kUnload, kT0), op_end(K::kStart, kT0, Phase::kBackground));
  run.choreo.hold(op_begin(K::kResume, kT0), unload_stage(kT0, UnloadStage::kMarked));
  run.choreo.hold(unload_stage(kT0, UnloadStage::kStateRemoved), [](const Record& r) {
    return r.kind == RecordKind::kCommandQueued && r.note == "listener" && r.connection == kC1;
  });
  run.start(workload({client(0, {make_op(K::kConnect), make_op(K::kStart, kT0),
                                 make_op(K::kUnload, kT0)}),
                      client(1, {make_op(K::kConnect), make_op(K::kResume, kT0)})}),
            DesignVariant::kCurrent);
  ASSERT_TRUE(run.choreo.wait_for(op_end(K::kResume, kT0)));
  run.finish();
  EXPECT_FALSE(run.choreo.timed_out());
  for (const auto& r : run.probe.records()) {
    if (r.kind == RecordKind::kOpEnd && r.op == K::kResume) {
      EXPECT_EQ(r.error, OpError::kClosing) << run.probe.dump();
    }
  }
}

}  // namespace
}  // namespace lockstep::impl
