// tests/properties/no_cross_thread_blocking_test.cc: property 3 on hand-built logs, with the
// wait-for chain text; one test per way it can be violated (properties/
// no_cross_thread_blocking.cc lists them as (a)..(e)): (a) LockChainNamesTheHolderAndItsStall,
// (b) RequestBehindAnInlineStartIsCaught, (c) StepBoundIsNotDecided (never ran) and
// ChainSaysWhenTheHolderHasFinished (never returned), (d)
// BackgroundStartOfAnotherThreadThatNeverReturnsIsCaught, (e) CleanupTickThatNeverReturnsIsCaught.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/properties/log_builder.h"

namespace lockstep::properties::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
constexpr Property kP = Property::kNoCrossThreadBlocking;

BlockedTaskView blocked(std::uint32_t task, std::string name, std::optional<ThreadId> label,
                        std::string op, std::string object, std::string site,
                        std::vector<std::uint32_t> holders = {}) {
  BlockedTaskView b;
  b.task = task;
  b.name = std::move(name);
  b.thread_label = label ? impl::raw(*label) : impl::kNoLabel;
  b.op = std::move(op);
  b.object = std::move(object);
  b.lock_class = b.object.substr(0, b.object.find('#'));
  b.site = std::move(site);
  b.holders = std::move(holders);
  return b;
}

// single-worker: t0's hung session start keeps t1's turn in the shared worker's queue.
TEST(NoCrossThreadBlocking, SharedWorkerChainReachesTheStall) {
  LogBuilder b;
  b.workload.clients = {{c(0), {impl::make_op(OpKind::kConnect), stalled(OpKind::kStart, t(0))}},
                        {c(1),
                         {impl::make_op(OpKind::kConnect), impl::make_op(OpKind::kStart, t(1)),
                          impl::make_op(OpKind::kEmit, t(1))}}};
  const auto loop0 = b.client_loop(0);  // task 1
  const auto loop1 = b.client_loop(1);  // task 2
  const auto worker = b.task("shared-worker");
  const auto start0 = b.task("start", t(0), "c0");
  const auto start1 = b.task("start", t(1), "c1");
  b.queued(loop0, 0, 0, OpKind::kConnect);
  b.queued(loop0, 0, 1, OpKind::kStart, t(0));
  b.queued(loop1, 1, 0, OpKind::kConnect);
  b.queued(loop1, 1, 1, OpKind::kStart, t(1));
  b.queued(loop1, 1, 2, OpKind::kEmit, t(1));
  b.op(loop0, OpKind::kConnect, {}, c(0), OpError::kNone, {0, 0});
  b.op(loop0, OpKind::kStart, t(0), c(0), OpError::kNone, {0, 1});
  b.begin(start0, OpKind::kStart, t(0), c(0), {0, 1}, Phase::kBackground);
  b.add(start0, RecordKind::kWorkerCreated);
  b.command(start0, RecordKind::kCommandQueued, t(0), 1);
  b.command(worker, RecordKind::kCommandRun, t(0), 1);
  const auto stall = b.stall_begin(worker, t(0), OpKind::kStart);
  b.op(loop1, OpKind::kConnect, {}, c(1), OpError::kNone, {1, 0});
  b.op(loop1, OpKind::kStart, t(1), c(1), OpError::kNone, {1, 1});
  b.begin(start1, OpKind::kStart, t(1), c(1), {1, 1}, Phase::kBackground);
  b.command(start1, RecordKind::kCommandQueued, t(1), 2);
  const auto emit = b.begin(loop1, OpKind::kEmit, t(1), {}, {1, 2});
  const auto queued = b.command(loop1, RecordKind::kCommandQueued, t(1), 3);
  b.end_state.kind = EndKind::kStuck;
  b.end_state.blocked = {
      blocked(loop1, "client", {}, "recv", "reply#2", "state_manager_inl.h:162"),
      blocked(worker, "shared-worker", {}, "recv", "stall_gate#0", "gate.h:29"),
      blocked(start0, "start", t(0), "recv", "reply#0", "state_manager_inl.h:94"),
      blocked(start1, "start", t(1), "recv", "reply#1", "state_manager_inl.h:94"),
  };
  const auto v = b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].property, kP);
  EXPECT_EQ(v[0].step, static_cast<std::int64_t>(emit));
  EXPECT_EQ(v[0].message,
            fmt::format("When the execution could go no further (stuck), only the work of t0 is "
                        "stalled, yet request 2 of c1 (emit(t1)) began at #{0} @{0} and never "
                        "returned. It waits, through the chain below, for the stall of start(t0) "
                        "(hang-forever), begun at #{1} @{1}. 1 other operation(s) of unstalled "
                        "threads never returned either.",
                        emit, stall));
  EXPECT_THAT(
      v[0].chain,
      ElementsAre(
          fmt::format("task 2 (request loop of c1) in request 2 of c1 emit(t1) waits (recv) for "
                      "reply#2 at state_manager_inl.h:162: its worker command #3 of t1 (queued "
                      "at #{0} @{0}) waits in the queue of task 3 (shared-worker), which is busy",
                      queued),
          fmt::format("task 3 (shared-worker) running worker command #1 of t0 waits (recv) for "
                      "stall_gate#0 at gate.h:29: the stall of start(t0) (hang-forever), begun "
                      "at #{0} @{0}",
                      stall)));
}

// blocking-start: the hung start of t0 runs inline on c0's loop; c0's start of t1 never runs.
TEST(NoCrossThreadBlocking, RequestBehindAnInlineStartIsCaught) {
  LogBuilder b;
  b.workload.clients = {
      {c(0), {stalled(OpKind::kStart, t(0)), impl::make_op(OpKind::kStart, t(1))}}};
  const auto loop = b.client_loop(0);
  const auto worker = b.task("worker", t(0));
  b.queued(loop, 0, 0, OpKind::kStart, t(0));
  b.queued(loop, 0, 1, OpKind::kStart, t(1));
  b.begin(loop, OpKind::kStart, t(0), c(0), {0, 0});
  b.begin(loop, OpKind::kStart, t(0), c(0), {0, 0}, Phase::kBackground);
  b.add(loop, RecordKind::kWorkerCreated, t(0));
  b.command(loop, RecordKind::kCommandQueued, t(0), 1);
  b.command(worker, RecordKind::kCommandRun, t(0), 1);
  b.stall_begin(worker, t(0), OpKind::kStart);
  b.end_state.kind = EndKind::kStuck;
  b.end_state.blocked = {
      blocked(loop, "client", {}, "recv", "reply#0", "state_manager_inl.h:94"),
      blocked(worker, "worker", t(0), "recv", "stall_gate#0", "gate.h:29"),
  };
  const auto v = b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message,
              HasSubstr("yet request 1 of c0 (start(c0, t1)) never ran: c0's request loop is "
                        "still in request 0 of c0 (start(c0, t0)), which never returned"));
  ASSERT_EQ(v[0].chain.size(), 2u);
  EXPECT_THAT(v[0].chain[0], HasSubstr("task 1 (request loop of c0) in the background part of "
                                       "request 0 of c0 start(c0, t0) waits (recv) for reply#0"));
  EXPECT_THAT(v[0].chain[0], HasSubstr("runs on task 2 (worker of t0) since #"));
  EXPECT_THAT(v[0].chain[1], HasSubstr("the stall of start(t0) (hang-forever)"));
}

// The current design: c0's endless prompt on t0 holds up c0's own later request for t1.
TEST(NoCrossThreadBlocking, RequestsBehindAStalledPromptOnTheSameLoopPass) {
  LogBuilder b;
  b.workload.clients = {{c(0),
                         {impl::make_op(OpKind::kGetOrCreate, t(0)), stalled(OpKind::kPrompt, t(0)),
                          impl::make_op(OpKind::kGetOrCreate, t(1))}}};
  const auto loop = b.client_loop(0);
  b.queued(loop, 0, 0, OpKind::kGetOrCreate, t(0));
  b.queued(loop, 0, 1, OpKind::kPrompt, t(0));
  b.queued(loop, 0, 2, OpKind::kGetOrCreate, t(1));
  b.op(loop, OpKind::kGetOrCreate, t(0), {}, OpError::kNone, {0, 0});
  b.begin(loop, OpKind::kPrompt, t(0), {}, {0, 1});
  b.stall_begin(loop, t(0), OpKind::kPrompt);
  b.end_state.kind = EndKind::kStuck;
  b.end_state.blocked = {blocked(loop, "client", {}, "recv", "stall_gate#0", "gate.h:29")};
  EXPECT_TRUE(b.check_only(kP).empty());
}

// global-pool-lock: the prompt holds the pool lock; another thread's get-or-create waits.
TEST(NoCrossThreadBlocking, LockChainNamesTheHolderAndItsStall) {
  LogBuilder b;
  b.workload.clients = {
      {c(0), {impl::make_op(OpKind::kGetOrCreate, t(0)), stalled(OpKind::kPrompt, t(0))}},
      {c(1), {impl::make_op(OpKind::kGetOrCreate, t(1))}}};
  const auto loop0 = b.client_loop(0);
  const auto loop1 = b.client_loop(1);
  b.queued(loop0, 0, 0, OpKind::kGetOrCreate, t(0));
  b.queued(loop0, 0, 1, OpKind::kPrompt, t(0));
  b.queued(loop1, 1, 0, OpKind::kGetOrCreate, t(1));
  b.op(loop0, OpKind::kGetOrCreate, t(0), {}, OpError::kNone, {0, 0});
  b.begin(loop0, OpKind::kPrompt, t(0), {}, {0, 1});
  b.stall_begin(loop0, t(0), OpKind::kPrompt);
  b.begin(loop1, OpKind::kGetOrCreate, t(1), {}, {1, 0});
  b.end_state.kind = EndKind::kStuck;
  auto holder = blocked(loop0, "client", {}, "recv", "stall_gate#0", "gate.h:29");
  holder.held = {"pool#0 at session_pool.h:70", "pool_conn#0 at session_pool.h:73"};
  b.end_state.blocked = {
      holder, blocked(loop1, "client", {}, "lock", "pool#0", "session_pool.h:48", {loop0})};
  const auto v = b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("request 0 of c1 (get-or-create(t1)) began at #"));
  EXPECT_THAT(v[0].message, HasSubstr("for the stall of prompt(t0) (hang-forever)"));
  EXPECT_THAT(v[0].chain,
              ElementsAre("task 2 (request loop of c1) in request 0 of c1 get-or-create(t1) waits "
                          "(lock) for pool#0 at session_pool.h:48, held by task 1",
                          HasSubstr("task 1 (request loop of c0) in request 1 of c0 prompt(t0) "
                                    "waits (recv) for stall_gate#0 at gate.h:29, holding pool#0 at "
                                    "session_pool.h:70, pool_conn#0 at session_pool.h:73: the "
                                    "stall of prompt(t0) (hang-forever)")));
}

TEST(NoCrossThreadBlocking, CompletedExecutionPasses) {
  LogBuilder b;
  b.workload.clients = {{c(0), {impl::make_op(OpKind::kConnect)}}};
  const auto loop = b.client_loop(0);
  b.queued(loop, 0, 0, OpKind::kConnect);
  b.op(loop, OpKind::kConnect, {}, c(0), OpError::kNone, {0, 0});
  EXPECT_TRUE(b.check_only(kP).empty());
}

TEST(NoCrossThreadBlocking, StepBoundIsNotDecided) {
  LogBuilder b;
  const auto loop = b.client_loop(0);
  b.queued(loop, 0, 0, OpKind::kConnect);
  b.end_state.kind = EndKind::kStepBound;
  EXPECT_TRUE(b.check_only(kP).empty());
  b.end_state.kind = EndKind::kStuck;
  const auto v = b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("no thread's work is stalled, yet request 0 of c0 "
                                      "(connect(c0)) never ran"));
}

// A task exited while holding the manager lock: the chain ends at it and says so, instead of
// "is not blocked" (which reads as if the holder could still release it).
TEST(NoCrossThreadBlocking, ChainSaysWhenTheHolderHasFinished) {
  LogBuilder b;
  b.workload.clients = {{c(0), {stalled(OpKind::kStart, t(0))}},
                        {c(1), {impl::make_op(OpKind::kConnect)}}};
  const auto loop0 = b.client_loop(0);
  const auto loop1 = b.client_loop(1);
  const auto worker = b.task("worker", t(0));
  const auto gone = b.task("listener", t(0));
  b.queued(loop0, 0, 0, OpKind::kStart, t(0));
  b.queued(loop1, 1, 0, OpKind::kConnect);
  b.begin(loop0, OpKind::kStart, t(0), c(0), {0, 0});
  b.command(loop0, RecordKind::kCommandQueued, t(0), 1);
  b.command(worker, RecordKind::kCommandRun, t(0), 1);
  b.stall_begin(worker, t(0), OpKind::kStart);
  b.begin(loop1, OpKind::kConnect, {}, c(1), {1, 0});
  b.end_state.kind = EndKind::kStuck;
  b.end_state.blocked = {
      blocked(loop0, "client", {}, "recv", "reply#0", "state_manager_inl.h:94"),
      blocked(loop1, "client", {}, "lock", "manager#0", "state_manager_inl.h:46", {gone}),
      blocked(worker, "worker", t(0), "recv", "stall_gate#0", "gate.h:29"),
  };
  b.end_state.finished_holders = {{gone, {"manager#0 at listener.h:80"}}};
  const auto v = b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  ASSERT_EQ(v[0].chain.size(), 2u) << fmt::format("{}", fmt::join(v[0].chain, "\n"));
  EXPECT_THAT(v[0].chain[0], HasSubstr(fmt::format("held by task {}", gone)));
  EXPECT_EQ(v[0].chain[1],
            fmt::format("task {} (listener of t0) has already finished, still holding manager#0 "
                        "at listener.h:80: nobody will release it",
                        gone));
}

TEST(NoCrossThreadBlocking, BackgroundStartOfAnotherThreadThatNeverReturnsIsCaught) {
  LogBuilder b;
  b.workload.clients = {{c(0), {stalled(OpKind::kStart, t(0))}},
                        {c(1), {impl::make_op(OpKind::kStart, t(1))}}};
  const auto loop0 = b.client_loop(0);
  const auto loop1 = b.client_loop(1);
  const auto start1 = b.task("start", t(1), "c1");
  b.queued(loop0, 0, 0, OpKind::kStart, t(0));
  b.queued(loop1, 1, 0, OpKind::kStart, t(1));
  b.op(loop0, OpKind::kStart, t(0), c(0), OpError::kNone, {0, 0});
  b.op(loop1, OpKind::kStart, t(1), c(1), OpError::kNone, {1, 0});
  b.begin(start1, OpKind::kStart, t(1), c(1), {1, 0}, Phase::kBackground);
  b.end_state.kind = EndKind::kStuck;
  EXPECT_THAT(only_violation(b, kP),
              HasSubstr("yet the background part of start(c1, t1) began at #"));
}

// cleanup-under-write-lock: the cleanup tick waits, under the pool lock, for the connection a
// stalled prompt holds; a direct call (no client request) of no thread never returns.
TEST(NoCrossThreadBlocking, CleanupTickThatNeverReturnsIsCaught) {
  LogBuilder b;
  b.workload.clients = {{c(0), {stalled(OpKind::kPrompt, t(0))}}};
  const auto loop0 = b.client_loop(0);
  const auto tick = b.task("cleanup");
  b.queued(loop0, 0, 0, OpKind::kPrompt, t(0));
  b.begin(loop0, OpKind::kPrompt, t(0), {}, {0, 0});
  b.stall_begin(loop0, t(0), OpKind::kPrompt);
  b.begin(tick, OpKind::kCleanupIdle);
  b.end_state.kind = EndKind::kStuck;
  EXPECT_THAT(only_violation(b, kP), HasSubstr("yet cleanup-idle began at #"));
}

}  // namespace
}  // namespace lockstep::properties::testing
