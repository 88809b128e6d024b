// tests/properties/liveness_test.cc: property 6 on hand-built logs with virtual times, one
// test per way it can be violated (properties/liveness.cc lists them as (a)..(f)): (a)
// LateUnloadIsCaught, (b) UnloadWhileSubscribedIsCaught, (c) UnloadDuringAnActiveTurnIsCaught,
// (d) EarlyUnloadIsCaught, (e) AttachToAClosingThreadMustBeRefused, (f)
// ResumeHangingOnAClosingThreadIsCaught, (g) StartAcceptedOnAClosingThreadIsCaught.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/properties/log_builder.h"

namespace lockstep::properties::testing {
namespace {

using std::chrono::minutes;
using ::testing::AllOf;
using ::testing::HasSubstr;
constexpr Property kP = Property::kLiveness;

// t0's listener starts at 0:00 with no subscriber; the unload delay is 30 minutes.
struct Idle {
  LogBuilder b;
  std::uint32_t loop = b.client_loop(0);
  std::uint32_t listener = b.task("listener", t(0));
  std::uint32_t worker = b.task("worker", t(0));

  Idle() {
    b.workload.unload_delay = minutes(30);
    b.at(minutes(0));
    b.add(listener, RecordKind::kListenerStarted, t(0));
  }
  void mark_at(minutes when) {
    b.at(when);
    b.stage(listener, t(0), UnloadStage::kMarked, "idle");
    b.unload_stages(listener, t(0));
  }
};

TEST(Liveness, UnloadExactlyAtTheDeadlinePasses) {
  Idle i;
  i.mark_at(minutes(30));
  EXPECT_TRUE(i.b.check_only(kP).empty());
}

TEST(Liveness, ActivityRestartsTheDelay) {
  Idle i;
  i.b.at(minutes(10));
  i.b.emitted(i.worker, t(0), 1);
  i.b.at(minutes(35));
  i.b.add(i.loop, RecordKind::kPoolWait, t(1));  // time passes elsewhere
  i.mark_at(minutes(40));
  EXPECT_TRUE(i.b.check_only(kP).empty());
}

TEST(Liveness, LateUnloadIsCaught) {
  Idle i;
  i.b.at(minutes(31));
  i.b.add(i.loop, RecordKind::kPoolWait, t(1));
  const auto v = i.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("t0 has had no subscribers and no active turn since 0:00.000 "
                                      "(listener-started at #"));
  EXPECT_THAT(v[0].message, HasSubstr("but at 31:00.000 (#"));
  EXPECT_THAT(v[0].message, HasSubstr("within the unload delay of 30:00.000"));
}

TEST(Liveness, ActiveTurnOrSubscriberKeepsTheThread) {
  Idle i;
  i.b.at(minutes(1));
  i.b.emitted(i.worker, t(0), 1, EventKind::kTurnStarted);
  i.b.at(minutes(50));
  i.b.add(i.loop, RecordKind::kPoolWait, t(1));
  EXPECT_TRUE(i.b.check_only(kP).empty());
  i.b.at(minutes(51));
  i.b.emitted(i.worker, t(0), 2, EventKind::kTurnCompleted);
  i.b.added(i.loop, t(0), c(0));
  i.b.at(minutes(90));
  i.b.add(i.loop, RecordKind::kPoolWait, t(1));
  EXPECT_TRUE(i.b.check_only(kP).empty());
  i.b.removed(i.loop, t(0), c(0));
  i.b.at(minutes(121));
  i.b.add(i.loop, RecordKind::kPoolWait, t(1));
  const auto v = i.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("since 90:00.000 (subscriber-removed at #"));
}

TEST(Liveness, EarlyUnloadIsCaught) {
  Idle i;
  i.mark_at(minutes(10));
  const auto v = i.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("marked t0 for an idle unload at #"));
  EXPECT_THAT(v[0].message, HasSubstr("earlier than the unload delay"));
}

TEST(Liveness, UnloadWhileSubscribedIsCaught) {
  Idle i;
  i.b.added(i.loop, t(0), c(0));
  i.mark_at(minutes(30));
  const auto v = i.b.check_only(kP);
  ASSERT_FALSE(v.empty());
  EXPECT_THAT(v[0].message, HasSubstr("while c0 was subscribed to it"));
}

TEST(Liveness, UnloadDuringAnActiveTurnIsCaught) {
  Idle i;
  i.b.at(minutes(1));
  i.b.emitted(i.worker, t(0), 1, EventKind::kTurnStarted);
  i.b.delivered(i.listener, t(0), c(0), 1, EventKind::kTurnStarted);
  i.mark_at(minutes(40));  // well past the delay after the emission, but the turn is open
  EXPECT_THAT(only_violation(i.b, kP),
              AllOf(HasSubstr("while the turn it delivered at #"), HasSubstr("was still active")));
}

TEST(Liveness, AttachToAClosingThreadMustBeRefused) {
  Idle i;
  const auto loop1 = i.b.client_loop(1);
  i.b.at(minutes(30));
  i.b.stage(i.listener, t(0), UnloadStage::kMarked, "idle");
  i.b.op(loop1, OpKind::kSubscribe, t(0), c(1), OpError::kClosing);
  i.b.op(loop1, OpKind::kResume, t(0), c(1), OpError::kClosing);
  i.b.unload_stages(i.listener, t(0));
  EXPECT_TRUE(i.b.check_only(kP).empty());
  i.b.records.pop_back();  // drop the unmark, then append an ok subscribe and the unmark again
  i.b.op(loop1, OpKind::kSubscribe, t(0), c(1));
  i.b.stage(i.listener, t(0), UnloadStage::kUnmarked);
  const auto v = i.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("subscribe(c1, t0) began at #"));
  EXPECT_THAT(v[0].message, HasSubstr("entirely while t0 was closing (marked for unload at #"));
}

TEST(Liveness, ResumeHangingOnAClosingThreadIsCaught) {
  Idle i;
  const auto loop1 = i.b.client_loop(1);
  i.b.at(minutes(30));
  i.b.stage(i.listener, t(0), UnloadStage::kMarked, "idle");
  i.b.begin(loop1, OpKind::kResume, t(0), c(1));
  i.b.end_state.kind = EndKind::kStuck;
  const auto v = i.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("resume(c1, t0) began at #"));
  EXPECT_THAT(v[0].message, HasSubstr("never returned"));
}

TEST(Liveness, StartAcceptedOnAClosingThreadIsCaught) {
  Idle i;
  const auto loop1 = i.b.client_loop(1);
  i.b.at(minutes(30));
  i.b.stage(i.listener, t(0), UnloadStage::kMarked, "idle");
  i.b.op(loop1, OpKind::kStart, t(0), c(1));  // handed off to the background, not refused
  i.b.unload_stages(i.listener, t(0));
  EXPECT_THAT(only_violation(i.b, kP),
              AllOf(HasSubstr("start(c1, t0) (the request) began at #"),
                    HasSubstr("entirely while t0 was closing (marked for unload at #"),
                    HasSubstr("it accepted a start of a thread being torn down")));
}

// What the rule allows: a refused start, and an accepted one that began before the mark or
// returned after the unmark (its check ran while the thread was not closing).
TEST(Liveness, StartThatOverlapsTheUnloadOnlyPartlyPasses) {
  Idle i;
  const auto loop1 = i.b.client_loop(1);
  const auto loop2 = i.b.client_loop(2);
  i.b.at(minutes(30));
  i.b.begin(loop1, OpKind::kStart, t(0), c(1));  // checked before the mark
  i.b.stage(i.listener, t(0), UnloadStage::kMarked, "idle");
  i.b.end(loop1, OpKind::kStart, t(0), c(1));
  i.b.op(loop1, OpKind::kStart, t(0), c(1), OpError::kClosing);
  i.b.begin(loop2, OpKind::kStart, t(0), c(2));  // returns after the unmark
  i.b.unload_stages(i.listener, t(0));
  i.b.end(loop2, OpKind::kStart, t(0), c(2));
  i.b.op(loop2, OpKind::kStart, t(0), c(2));  // after the unload
  EXPECT_TRUE(i.b.check_only(kP).empty());
}

TEST(Liveness, SlackAllowsJitter) {
  Idle i;
  i.mark_at(minutes(31));
  EXPECT_EQ(i.b.check_only(kP).size(), 1u);
  CheckOptions o;
  o.unload_slack = minutes(2);
  EXPECT_TRUE(i.b.check_only(kP, o).empty());
}

}  // namespace
}  // namespace lockstep::properties::testing
