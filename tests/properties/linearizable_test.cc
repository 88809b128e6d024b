// tests/properties/linearizable_test.cc: property 5 on hand-built logs: the bookkeeping
// history they map to, checked against the reference model; one test per way it can be
// violated (properties/linearizable.cc lists them as (a)..(d)): (a)
// SubscribeToANeverLoadedThreadIsCaught and SubscribeDuringUnloadIsCaught, (b)
// RefusalThatNoOrderGivesIsCaught, (c) ResultsAgainstRealTimeOrderAreCaught, (d)
// PhantomLeftAfterDisconnectIsCaught.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/properties/log_builder.h"

namespace lockstep::properties::testing {
namespace {

using ::testing::HasSubstr;
constexpr Property kP = Property::kLinearizable;

// c0 connects and starts t0; the late auto-attach subscribes it.
struct Loaded {
  LogBuilder b;
  std::uint32_t loop = b.client_loop(0);
  std::uint32_t start = b.task("start", t(0), "c0");
  std::uint32_t listener = b.task("listener", t(0));

  Loaded() {
    b.op(loop, OpKind::kConnect, {}, c(0));
    b.op(loop, OpKind::kStart, t(0), c(0));
    b.begin(start, OpKind::kStart, t(0), c(0), {}, Phase::kBackground);
    b.add(listener, RecordKind::kListenerStarted, t(0));
    b.added(start, t(0), c(0), "late auto-attach");
    b.end(start, OpKind::kStart, t(0), c(0), OpError::kNone, {}, Phase::kBackground);
  }
  // c0 leaves, c1 connects, and the listener marks t0 for an idle unload. Returns c1's loop.
  std::uint32_t closing_with_c1() {
    b.op(loop, OpKind::kUnsubscribe, t(0), c(0));
    b.removed(loop, t(0), c(0));
    const auto loop1 = b.client_loop(1);
    b.op(loop1, OpKind::kConnect, {}, c(1));
    b.stage(listener, t(0), UnloadStage::kMarked, "idle");
    return loop1;
  }
  impl::StateSnapshot snapshot(std::set<ConnectionId> live, std::set<ConnectionId> subs) {
    impl::StateSnapshot s;
    s.live_connections = std::move(live);
    s.loaded_threads = {t(0)};
    s.subscribers[t(0)] = std::move(subs);
    return s;
  }
};

TEST(Linearizable, AttachThenUnsubscribePasses) {
  Loaded l;
  l.b.begin(l.loop, OpKind::kUnsubscribe, t(0), c(0));
  l.b.removed(l.loop, t(0), c(0));
  l.b.end(l.loop, OpKind::kUnsubscribe, t(0), c(0));
  l.b.op(l.loop, OpKind::kUnsubscribe, t(0), c(0), OpError::kNotSubscribed);
  l.b.task_end(l.loop);
  l.b.final_state = l.snapshot({c(0)}, {});
  EXPECT_TRUE(l.b.check_only(kP).empty());
}

TEST(Linearizable, PhantomLeftAfterDisconnectIsCaught) {
  Loaded l;
  l.b.op(l.loop, OpKind::kDisconnect, {}, c(0));
  l.b.task_end(l.loop);
  l.b.final_state = l.snapshot({}, {c(0)});  // split-lock-domains left c0 subscribed
  const auto v = l.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].property, kP);
  EXPECT_THAT(v[0].message, HasSubstr("have no order"));
  EXPECT_THAT(v[0].message, HasSubstr("disconnect(c0)"));
  EXPECT_THAT(v[0].message, HasSubstr("subscribers(t0) -> [c0]"));
}

TEST(Linearizable, SubscribeDuringUnloadIsCaught) {
  Loaded l;
  const auto loop1 = l.closing_with_c1();
  l.b.begin(loop1, OpKind::kSubscribe, t(0), c(1));
  l.b.end(loop1, OpKind::kSubscribe, t(0), c(1));  // no-unload-guard: ok while closing
  l.b.unload_stages(l.listener, t(0));
  const auto v = l.b.check_only(kP);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_THAT(v[0].message, HasSubstr("subscribe(c1, t0) -> ok"));
}

TEST(Linearizable, SubscribeRefusedWhileClosingPasses) {
  Loaded l;
  const auto loop1 = l.closing_with_c1();
  l.b.op(loop1, OpKind::kSubscribe, t(0), c(1), OpError::kClosing);
  l.b.unload_stages(l.listener, t(0));
  l.b.op(loop1, OpKind::kSubscribe, t(0), c(1), OpError::kUnknownThread);
  EXPECT_TRUE(l.b.check_only(kP).empty());
}

TEST(Linearizable, ForcedUnloadPasses) {
  Loaded l;
  l.b.begin(l.loop, OpKind::kUnload, t(0));
  l.b.stage(l.loop, t(0), UnloadStage::kMarked, "forced");
  l.b.removed(l.listener, t(0), c(0), "unload");
  l.b.unload_stages(l.listener, t(0));
  l.b.end(l.loop, OpKind::kUnload, t(0));
  l.b.op(l.loop, OpKind::kUnload, t(0), {}, OpError::kUnknownThread);
  l.b.op(l.loop, OpKind::kUnsubscribe, t(0), c(0), OpError::kUnknownThread);
  EXPECT_TRUE(l.b.check_only(kP).empty());
}

TEST(Linearizable, IdsBeyondTheModelAreNotDecided) {
  LogBuilder b;
  const auto loop = b.client_loop(40);
  b.op(loop, OpKind::kConnect, {}, c(40));
  b.op(loop, OpKind::kSubscribe, t(0), c(40));  // would be wrong: t0 was never loaded
  EXPECT_TRUE(b.check_only(kP).empty());
}

TEST(Linearizable, SubscribeToANeverLoadedThreadIsCaught) {
  LogBuilder b;
  const auto loop = b.client_loop(0);
  b.op(loop, OpKind::kConnect, {}, c(0));
  b.op(loop, OpKind::kSubscribe, t(0), c(0));
  EXPECT_EQ(b.check_only(kP).size(), 1u);
  b.end_state.kind = EndKind::kStepBound;  // a cut execution is not decided
  EXPECT_TRUE(b.check_only(kP).empty());
}

TEST(Linearizable, RefusalThatNoOrderGivesIsCaught) {
  Loaded l;  // c0 subscribed by the late auto-attach, which returned before this
  l.b.op(l.loop, OpKind::kUnsubscribe, t(0), c(0), OpError::kNotSubscribed);
  EXPECT_THAT(only_violation(l.b, kP), HasSubstr("unsubscribe(c0, t0) -> not subscribed"));
}

// c1's subscribe returned ok before its connect began: ok only if the connect came first,
// which real time rules out. With the two overlapping, that order is allowed.
TEST(Linearizable, ResultsAgainstRealTimeOrderAreCaught) {
  Loaded sequential;
  const auto loop1 = sequential.b.client_loop(1);
  sequential.b.op(loop1, OpKind::kSubscribe, t(0), c(1));
  sequential.b.op(loop1, OpKind::kConnect, {}, c(1));
  EXPECT_THAT(only_violation(sequential.b, kP), HasSubstr("have no order"));
  Loaded overlapping;
  const auto a = overlapping.b.client_loop(1);
  const auto other = overlapping.b.task("client", std::nullopt, "c1");
  overlapping.b.begin(a, OpKind::kSubscribe, t(0), c(1));
  overlapping.b.op(other, OpKind::kConnect, {}, c(1));
  overlapping.b.end(a, OpKind::kSubscribe, t(0), c(1));
  EXPECT_TRUE(overlapping.b.check_only(kP).empty());
}

}  // namespace
}  // namespace lockstep::properties::testing
