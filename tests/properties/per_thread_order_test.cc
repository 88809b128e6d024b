// tests/properties/per_thread_order_test.cc: property 2 on hand-built logs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/properties/log_builder.h"

namespace lockstep::properties::testing {
namespace {

using ::testing::HasSubstr;
constexpr Property kP = Property::kPerThreadOrder;

// t0 loaded with its listener; c0 subscribed.
struct Subscribed {
  LogBuilder b;
  std::uint32_t loop = b.client_loop(0);
  std::uint32_t listener = b.task("listener", t(0));
  std::uint32_t worker = b.task("worker", t(0));

  Subscribed() {
    b.add(listener, RecordKind::kListenerStarted, t(0));
    b.added(loop, t(0), c(0));
  }
  void emit_and_deliver(std::uint64_t seq) {
    b.emitted(worker, t(0), seq);
    b.delivered(listener, t(0), c(0), seq);
  }
};

TEST(PerThreadOrder, ConsecutiveDeliveriesPass) {
  Subscribed s;
  for (std::uint64_t i = 1; i <= 3; ++i) s.emit_and_deliver(i);
  EXPECT_TRUE(s.b.check_only(kP).empty());
}

TEST(PerThreadOrder, DuplicateIsCaught) {
  Subscribed s;
  s.emit_and_deliver(1);
  s.b.delivered(s.listener, t(0), c(0), 1);
  const auto v = s.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("c0 received t0#1 at #"));
  EXPECT_THAT(v[0].message, HasSubstr("(a duplicate)"));
}

TEST(PerThreadOrder, GapWhileSubscribedIsCaught) {
  Subscribed s;
  s.emit_and_deliver(1);
  s.b.emitted(s.worker, t(0), 2);
  s.emit_and_deliver(3);
  const auto v = s.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("but never t0#2 (emitted at #"));
}

TEST(PerThreadOrder, GapAcrossAnUnsubscribePasses) {
  Subscribed s;
  s.emit_and_deliver(1);
  s.b.removed(s.loop, t(0), c(0));
  s.b.emitted(s.worker, t(0), 2);
  s.b.added(s.loop, t(0), c(0));
  s.emit_and_deliver(3);
  EXPECT_TRUE(s.b.check_only(kP).empty());
}

TEST(PerThreadOrder, MissedFirstEventAfterJoinIsCaught) {
  LogBuilder b;
  const auto loop = b.client_loop(0);
  const auto listener = b.task("listener", t(0));
  const auto worker = b.task("worker", t(0));
  b.added(loop, t(0), c(0));
  b.emitted(worker, t(0), 1);
  b.emitted(worker, t(0), 2);
  b.delivered(listener, t(0), c(0), 2);
  const auto v = b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("it missed t0#1"));
}

// c1 resumes t0 after events 1 and 2 were processed.
struct Resumed {
  Subscribed s;
  std::uint32_t loop1 = s.b.client_loop(1);
  Resumed() {
    s.emit_and_deliver(1);
    s.emit_and_deliver(2);
    s.b.added(s.listener, t(0), c(1), "resume");
    s.b.snapshot(s.listener, t(0), c(1), {1, 2});
    s.b.emitted(s.worker, t(0), 3);
    s.b.delivered(s.listener, t(0), c(0), 3);
  }
};

TEST(PerThreadOrder, ResumeSnapshotThenLiveEventsPass) {
  Resumed r;
  r.s.b.delivered(r.s.listener, t(0), c(1), 3);
  EXPECT_TRUE(r.s.b.check_only(kP).empty());
}

TEST(PerThreadOrder, ResumeDuplicateIsCaught) {
  Resumed r;
  r.s.b.delivered(r.s.listener, t(0), c(1), 2);
  const auto v = r.s.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("c1 resumed t0 at #"));
  EXPECT_THAT(v[0].message, HasSubstr("(a duplicate)"));
}

TEST(PerThreadOrder, SnapshotWithAHoleIsCaught) {
  Subscribed s;
  s.b.snapshot(s.listener, t(0), c(0), {1, 3});
  const auto v = s.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("has t0#3 right after t0#1"));
}

TEST(PerThreadOrder, CommandsOutOfSubmissionOrderAreCaught) {
  LogBuilder b;
  const auto loop = b.client_loop(0);
  const auto worker = b.task("worker", t(0));
  b.command(loop, RecordKind::kCommandQueued, t(0), 1);
  b.command(loop, RecordKind::kCommandQueued, t(0), 2);
  b.command(worker, RecordKind::kCommandRun, t(0), 2);
  b.command(worker, RecordKind::kCommandRun, t(0), 1);
  const auto v = b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("ran the worker command #1 of t0"));
  EXPECT_THAT(v[0].message, HasSubstr("submission order"));
}

TEST(PerThreadOrder, CommandsOnTwoWorkersOfOneThreadPass) {
  // An old worker (torn down, draining) and the next one: each runs its own queue in order.
  LogBuilder b;
  const auto loop = b.client_loop(0);
  const auto w1 = b.task("worker", t(0));
  const auto w2 = b.task("worker", t(0));
  b.command(loop, RecordKind::kCommandQueued, t(0), 1);
  b.command(loop, RecordKind::kCommandQueued, t(0), 2);
  b.command(w2, RecordKind::kCommandRun, t(0), 2);
  b.command(w1, RecordKind::kCommandRun, t(0), 1);
  b.command(loop, RecordKind::kCommandQueued, t(0), 1, "listener");
  b.command(w1, RecordKind::kCommandRun, t(0), 1, "listener");
  EXPECT_TRUE(b.check_only(kP).empty());
}

TEST(PerThreadOrder, ResolveNoticeBeforeItsRequestIsCaught) {
  Subscribed s;
  s.b.emitted(s.worker, t(0), 1, EventKind::kServerRequest);
  const auto notice = s.b.add(s.listener, RecordKind::kResolveDelivered, t(0), c(0));
  s.b.records[notice].seq = 1;
  s.b.delivered(s.listener, t(0), c(0), 1, EventKind::kServerRequest);
  const auto v = s.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("before the request itself"));
}

TEST(PerThreadOrder, ResolveNoticeOfAnItemIsCaught) {
  Subscribed s;
  s.emit_and_deliver(1);
  const auto notice = s.b.add(s.listener, RecordKind::kResolveDelivered, t(0), c(0));
  s.b.records[notice].seq = 1;
  const auto v = s.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("an event of kind item, not a server request"));
}

}  // namespace
}  // namespace lockstep::properties::testing
