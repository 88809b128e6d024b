// tests/properties/per_thread_order_test.cc: property 2 on hand-built logs, one test per way
// it can be violated (properties/per_thread_order.cc lists them as (a)..(o)), and the
// legitimate logs next to them that must pass. tests/properties/per_thread_order_oracle_test.cc
// compares the event part with a brute-force definition on generated logs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/properties/log_builder.h"

namespace lockstep::properties::testing {
namespace {

using ::testing::AllOf;
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

// (b)
TEST(PerThreadOrder, LiveOutOfOrderIsCaught) {
  Subscribed s;
  s.b.emitted(s.worker, t(0), 1);
  s.b.emitted(s.worker, t(0), 2);
  s.b.delivered(s.listener, t(0), c(0), 2);
  s.b.delivered(s.listener, t(0), c(0), 1);
  EXPECT_THAT(only_violation(s.b, kP), HasSubstr("(out of order)"));
}

// c1 resumes t0 (not subscribed before) after events 1 and 2 were processed; the resume
// subscribes first and takes the history later, so event 3, processed in between, reaches c1
// live and then again in the history.
TEST(PerThreadOrder, ResumeThatSubscribesBeforeItTakesTheHistoryIsCaught) {
  Subscribed s;
  const auto loop1 = s.b.client_loop(1);
  s.emit_and_deliver(1);
  s.emit_and_deliver(2);
  s.b.begin(loop1, OpKind::kResume, t(0), c(1));
  s.b.added(loop1, t(0), c(1), "resume");
  s.b.emitted(s.worker, t(0), 3);
  s.b.delivered(s.listener, t(0), c(0), 3);
  s.b.delivered(s.listener, t(0), c(1), 3);
  s.b.snapshot(s.listener, t(0), c(1), {1, 2, 3});
  s.b.end(loop1, OpKind::kResume, t(0), c(1));
  s.emit_and_deliver(4);
  s.b.delivered(s.listener, t(0), c(1), 4);
  EXPECT_THAT(only_violation(s.b, kP),
              AllOf(HasSubstr("c1 resumed t0: attached at #"),
                    HasSubstr("it received t0#3 live at #"), HasSubstr("delivered twice")));
}

// The same events with the resume attaching right before its history, as the listener does.
TEST(PerThreadOrder, ResumeThatAttachesWithItsHistoryPasses) {
  Subscribed s;
  const auto loop1 = s.b.client_loop(1);
  s.emit_and_deliver(1);
  s.emit_and_deliver(2);
  s.b.begin(loop1, OpKind::kResume, t(0), c(1));
  s.b.emitted(s.worker, t(0), 3);
  s.b.delivered(s.listener, t(0), c(0), 3);
  s.b.added(s.listener, t(0), c(1), "resume");
  s.b.snapshot(s.listener, t(0), c(1), {1, 2, 3});
  s.b.end(loop1, OpKind::kResume, t(0), c(1));
  s.emit_and_deliver(4);
  s.b.delivered(s.listener, t(0), c(1), 4);
  EXPECT_TRUE(s.b.check_only(kP).empty());
}

// (h)
TEST(PerThreadOrder, GapAfterAResumeHistoryIsCaught) {
  Resumed r;  // c1 has the history 1, 2; event 3 was processed after it, not delivered to c1
  r.s.emit_and_deliver(4);
  r.s.b.delivered(r.s.listener, t(0), c(1), 4);
  EXPECT_THAT(only_violation(r.s.b, kP), AllOf(HasSubstr("with a history ending at t0#2"),
                                               HasSubstr("a gap: t0#3 was emitted at #")));
}

TEST(PerThreadOrder, GapAfterAResumeAcrossAnUnsubscribePasses) {
  Resumed r;
  r.s.b.removed(r.loop1, t(0), c(1));
  r.s.emit_and_deliver(4);  // to c0 only
  r.s.b.added(r.loop1, t(0), c(1));
  r.s.emit_and_deliver(5);
  r.s.b.delivered(r.s.listener, t(0), c(1), 5);
  EXPECT_TRUE(r.s.b.check_only(kP).empty());
}

// (i): however many resumes. c0 resumes twice while subscribed; the second history claims
// event 3 before the listener processed it, and 3 then arrives live: once in the history,
// once live, though the live deliveries alone are in order.
TEST(PerThreadOrder, SecondResumeIsCheckedLikeTheFirst) {
  Subscribed s;
  auto resume = [&s](std::vector<std::uint64_t> history) {
    s.b.begin(s.loop, OpKind::kResume, t(0), c(0));
    s.b.snapshot(s.listener, t(0), c(0), std::move(history));
    s.b.end(s.loop, OpKind::kResume, t(0), c(0));
  };
  s.emit_and_deliver(1);
  resume({1});
  s.emit_and_deliver(2);
  LogBuilder good = s.b;
  resume({1, 2, 3});
  s.emit_and_deliver(3);
  EXPECT_THAT(only_violation(s.b, kP),
              AllOf(HasSubstr("with a history ending at t0#3, and then received t0#3"),
                    HasSubstr("(a duplicate)")));
  s.b = good;
  resume({1, 2});
  s.emit_and_deliver(3);
  EXPECT_TRUE(s.b.check_only(kP).empty());
}

// (i) with a reconnect: c1 resumes, leaves, resumes again; right after the second history
// (1..4) the listener hands it 4 again.
TEST(PerThreadOrder, SecondResumeAfterLeavingIsCheckedLikeTheFirst) {
  Resumed r;  // c1: history 1, 2; event 3 delivered to c0
  r.s.b.delivered(r.s.listener, t(0), c(1), 3);
  r.s.b.removed(r.loop1, t(0), c(1), "disconnect");
  r.s.emit_and_deliver(4);  // to c0 only
  r.s.b.begin(r.loop1, OpKind::kResume, t(0), c(1));
  r.s.b.added(r.s.listener, t(0), c(1), "resume");
  r.s.b.snapshot(r.s.listener, t(0), c(1), {1, 2, 3, 4});
  r.s.b.end(r.loop1, OpKind::kResume, t(0), c(1));
  LogBuilder good = r.s.b;
  r.s.b.emitted(r.s.worker, t(0), 5);
  r.s.b.delivered(r.s.listener, t(0), c(1), 4);
  EXPECT_THAT(only_violation(r.s.b, kP),
              AllOf(HasSubstr("c1 resumed t0 at #"), HasSubstr("(a duplicate)")));
  r.s.b = good;
  r.s.emit_and_deliver(5);
  r.s.b.delivered(r.s.listener, t(0), c(1), 5);
  EXPECT_TRUE(r.s.b.check_only(kP).empty());
}

// A client loop that queues commands of t0 and a worker that runs them.
struct Commands {
  LogBuilder b;
  std::uint32_t loop = b.client_loop(0);
  std::uint32_t worker = b.task("worker", t(0));
  void queued(std::uint64_t id) { b.command(loop, RecordKind::kCommandQueued, t(0), id); }
  void ran(std::uint64_t id) { b.command(worker, RecordKind::kCommandRun, t(0), id); }
};

// (j)
TEST(PerThreadOrder, CommandRunBeforeItWasQueuedIsCaught) {
  Commands k;
  k.ran(1);
  k.queued(1);
  EXPECT_THAT(only_violation(k.b, kP), HasSubstr("before it was queued"));
}

// (k)
TEST(PerThreadOrder, CommandRunTwiceIsCaught) {
  Commands k;
  k.queued(1);
  k.ran(1);
  k.ran(1);
  EXPECT_THAT(only_violation(k.b, kP), HasSubstr("again at #"));
}

// (m), the two other ways: a notice for an event never emitted, or emitted only later.
TEST(PerThreadOrder, ResolveNoticeOfAnUnknownOrLaterRequestIsCaught) {
  Subscribed never;
  const auto n1 = never.b.add(never.listener, RecordKind::kResolveDelivered, t(0), c(0));
  never.b.records[n1].seq = 5;
  EXPECT_THAT(only_violation(never.b, kP), HasSubstr("never emitted"));
  Subscribed later;
  const auto n2 = later.b.add(later.listener, RecordKind::kResolveDelivered, t(0), c(0));
  later.b.records[n2].seq = 1;
  later.b.emitted(later.worker, t(0), 1, EventKind::kServerRequest);
  EXPECT_THAT(only_violation(later.b, kP), HasSubstr("only emitted later"));
}

// (n)
TEST(PerThreadOrder, ResolveNoticeTwiceIsCaught) {
  Subscribed s;
  s.b.emitted(s.worker, t(0), 1, EventKind::kServerRequest);
  s.b.delivered(s.listener, t(0), c(0), 1, EventKind::kServerRequest);
  for (int i = 0; i < 2; ++i) {
    const auto n = s.b.add(s.listener, RecordKind::kResolveDelivered, t(0), c(0));
    s.b.records[n].seq = 1;
  }
  EXPECT_THAT(only_violation(s.b, kP), HasSubstr("each request is resolved once, oldest first"));
}

}  // namespace
}  // namespace lockstep::properties::testing
