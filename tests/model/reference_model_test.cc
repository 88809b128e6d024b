// tests/model/reference_model_test.cc: every operation of the reference model and every
// error path, plus invariants under random operation sequences.
#include "model/reference_model.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <stdexcept>
#include <vector>

#include "tests/model/ids.h"

namespace lockstep::model {
namespace {

using testing::kC0;
using testing::kC1;
using testing::kT0;
using testing::kT1;

// Applies ops in order, checking invariants after each; returns the last result.
Result run(State& s, std::initializer_list<Op> ops) {
  Result last;
  for (const Op& op : ops) {
    Step step = apply(s, op);
    step.state.check_invariants();
    s = step.state;
    last = step.result;
  }
  return last;
}

Result refused(OpError e) { return Result::refused(e); }

TEST(ReferenceModel, EmptyStateHasNothing) {
  State s;
  s.check_invariants();
  EXPECT_FALSE(s.live(kC0));
  EXPECT_FALSE(s.loaded(kT0));
  EXPECT_FALSE(s.closing(kT0));
  EXPECT_TRUE(s.subscribers(kT0).empty());
  EXPECT_TRUE(s.threads_of(kC0).empty());
  EXPECT_EQ(s.to_string(), "live {} loaded {} closing {} subs {}");
}

TEST(ReferenceModel, ConnectIsIdempotentDisconnectNeedsALiveConnection) {
  State s;
  EXPECT_EQ(run(s, {Op::connect(kC0)}), Result::ok());
  EXPECT_TRUE(s.live(kC0));
  EXPECT_EQ(run(s, {Op::connect(kC0)}), Result::ok());
  EXPECT_EQ(run(s, {Op::disconnect(kC0)}), Result::ok());
  EXPECT_FALSE(s.live(kC0));
  EXPECT_EQ(run(s, {Op::disconnect(kC0)}), refused(OpError::kNotConnected));
  EXPECT_EQ(run(s, {Op::disconnect(kC1)}), refused(OpError::kNotConnected)) << "never connected";
  EXPECT_EQ(run(s, {Op::connect(kC0)}), Result::ok()) << "a connection id may come back";
}

TEST(ReferenceModel, SubscribeSucceedsOnLiveConnectionAndLoadedThread) {
  State s;
  EXPECT_EQ(run(s, {Op::connect(kC0), Op::thread_loaded(kT0), Op::subscribe(kC0, kT0)}),
            Result::ok());
  EXPECT_EQ(s.subscribers(kT0), std::vector<ConnectionId>{kC0});
  EXPECT_EQ(s.threads_of(kC0), std::vector<ThreadId>{kT0});
  EXPECT_EQ(run(s, {Op::subscribe(kC0, kT0)}), Result::ok()) << "already subscribed";
  EXPECT_EQ(s.subscriber_mask(kT0), 1u);
}

// When several checks fail, each attach reports the first of its own order.
TEST(ReferenceModel, AttachErrorsInEachOperationsOrder) {
  State s;  // c0 not live, t0 not loaded
  EXPECT_EQ(run(s, {Op::subscribe(kC0, kT0)}), refused(OpError::kUnknownThread));
  EXPECT_EQ(run(s, {Op::auto_attach(kC0, kT0)}), refused(OpError::kNotConnected));
  EXPECT_EQ(run(s, {Op::resume(kC0, kT0)}), refused(OpError::kNotConnected));
  run(s, {Op::thread_loaded(kT0), Op::begin_unload(kT0)});  // t0 closing, c0 not live
  EXPECT_EQ(run(s, {Op::subscribe(kC0, kT0)}), refused(OpError::kClosing));
  EXPECT_EQ(run(s, {Op::auto_attach(kC0, kT0)}), refused(OpError::kClosing));
  EXPECT_EQ(run(s, {Op::resume(kC0, kT0)}), refused(OpError::kNotConnected));
  run(s, {Op::connect(kC0)});  // t0 closing, c0 live
  EXPECT_EQ(run(s, {Op::resume(kC0, kT0)}), refused(OpError::kClosing));
  run(s, {Op::drop_thread_state(kT0), Op::finish_unload(kT0)});  // t0 gone but still marked
  EXPECT_EQ(run(s, {Op::subscribe(kC0, kT0)}), refused(OpError::kUnknownThread));
  EXPECT_EQ(run(s, {Op::auto_attach(kC0, kT0)}), refused(OpError::kClosing));
  EXPECT_EQ(run(s, {Op::resume(kC0, kT0)}), refused(OpError::kUnknownThread));
  run(s, {Op::end_unload(kT0)});
  EXPECT_EQ(run(s, {Op::auto_attach(kC0, kT0)}), refused(OpError::kUnknownThread));
  EXPECT_TRUE(s.subscribers(kT0).empty());
}

TEST(ReferenceModel, AutoAttachOnlyWhileLive) {
  State s;
  run(s, {Op::thread_loaded(kT0)});
  Result r = run(s, {Op::auto_attach(kC0, kT0)});
  EXPECT_FALSE(r.attached());
  EXPECT_EQ(r, refused(OpError::kNotConnected));
  r = run(s, {Op::connect(kC0), Op::auto_attach(kC0, kT0)});
  EXPECT_TRUE(r.attached());
  EXPECT_EQ(s.subscribers(kT0), std::vector<ConnectionId>{kC0});
  // The phantom-subscriber shape: a disconnect, then the late attach of start.
  r = run(s, {Op::disconnect(kC0), Op::auto_attach(kC0, kT0)});
  EXPECT_FALSE(r.attached());
  EXPECT_TRUE(s.subscribers(kT0).empty());
}

TEST(ReferenceModel, ResumeSubscribes) {
  State s;
  EXPECT_EQ(run(s, {Op::connect(kC0), Op::resume(kC0, kT1)}), refused(OpError::kUnknownThread));
  EXPECT_EQ(run(s, {Op::thread_loaded(kT1), Op::resume(kC0, kT1)}), Result::ok());
  EXPECT_EQ(s.subscribers(kT1), std::vector<ConnectionId>{kC0});
}

TEST(ReferenceModel, UnsubscribeRemovesOrRefuses) {
  State s;
  EXPECT_EQ(run(s, {Op::unsubscribe(kC0, kT0)}), refused(OpError::kNotConnected));
  run(s, {Op::connect(kC0), Op::connect(kC1)});
  EXPECT_EQ(run(s, {Op::unsubscribe(kC0, kT0)}), refused(OpError::kUnknownThread));
  run(s, {Op::thread_loaded(kT0)});
  EXPECT_EQ(run(s, {Op::unsubscribe(kC0, kT0)}), refused(OpError::kNotSubscribed));
  run(s, {Op::subscribe(kC0, kT0), Op::subscribe(kC1, kT0)});
  EXPECT_EQ(run(s, {Op::unsubscribe(kC0, kT0)}), Result::ok());
  EXPECT_EQ(s.subscribers(kT0), std::vector<ConnectionId>{kC1});
  EXPECT_TRUE(s.threads_of(kC0).empty());
  EXPECT_EQ(run(s, {Op::unsubscribe(kC0, kT0)}), refused(OpError::kNotSubscribed));
  // Unsubscribing from a closing thread still works: it only removes.
  EXPECT_EQ(run(s, {Op::begin_unload(kT0), Op::unsubscribe(kC1, kT0)}), Result::ok());
}

TEST(ReferenceModel, SubscribersQueryIsSortedAndEmptyForUnknownThread) {
  State s;
  EXPECT_EQ(run(s, {Op::subscribers(kT1)}), Result::ok());
  run(s, {Op::connect(ConnectionId{5}), Op::connect(kC1), Op::thread_loaded(kT1),
          Op::subscribe(ConnectionId{5}, kT1), Op::subscribe(kC1, kT1)});
  const Result r = run(s, {Op::subscribers(kT1)});
  EXPECT_EQ(r.sorted_subscribers(), (std::vector<ConnectionId>{kC1, ConnectionId{5}}));
  const std::vector<ConnectionId> observed{ConnectionId{5}, kC1};
  EXPECT_EQ(r, Result::subscriber_list(observed)) << "an observed list in any order";
  EXPECT_EQ(to_string(OpKind::kSubscribers, r), "[c1, c5]");
}

TEST(ReferenceModel, DisconnectLeavesEverySubscriberSet) {
  State s;
  run(s, {Op::connect(kC0), Op::connect(kC1), Op::thread_loaded(kT0), Op::thread_loaded(kT1),
          Op::subscribe(kC0, kT0), Op::subscribe(kC0, kT1), Op::subscribe(kC1, kT1)});
  EXPECT_EQ(s.threads_of(kC0), (std::vector<ThreadId>{kT0, kT1}));
  EXPECT_EQ(run(s, {Op::disconnect(kC0)}), Result::ok());
  EXPECT_TRUE(s.threads_of(kC0).empty());
  EXPECT_TRUE(s.subscribers(kT0).empty());
  EXPECT_EQ(s.subscribers(kT1), std::vector<ConnectionId>{kC1});
  EXPECT_EQ(run(s, {Op::subscribe(kC0, kT0)}), refused(OpError::kNotConnected));
}

TEST(ReferenceModel, UnloadStages) {
  State s;
  EXPECT_EQ(run(s, {Op::begin_unload(kT0)}), refused(OpError::kUnknownThread));
  run(s, {Op::connect(kC0), Op::thread_loaded(kT0), Op::subscribe(kC0, kT0)});
  EXPECT_EQ(run(s, {Op::thread_loaded(kT0)}), Result::ok()) << "already loaded";
  EXPECT_EQ(run(s, {Op::begin_unload(kT0)}), Result::ok());
  EXPECT_TRUE(s.closing(kT0));
  EXPECT_EQ(run(s, {Op::begin_unload(kT0)}), refused(OpError::kClosing));
  EXPECT_EQ(run(s, {Op::thread_loaded(kT0)}), refused(OpError::kClosing)) << "start of a closing";
  EXPECT_EQ(s.subscribers(kT0), std::vector<ConnectionId>{kC0}) << "forced unload may have subs";
  EXPECT_EQ(run(s, {Op::drop_thread_state(kT0)}), Result::ok());
  EXPECT_TRUE(s.subscribers(kT0).empty());
  EXPECT_TRUE(s.threads_of(kC0).empty());
  EXPECT_TRUE(s.loaded(kT0));
  EXPECT_EQ(run(s, {Op::unsubscribe(kC0, kT0)}), refused(OpError::kNotSubscribed));
  EXPECT_EQ(run(s, {Op::finish_unload(kT0)}), Result::ok());
  EXPECT_FALSE(s.loaded(kT0));
  EXPECT_TRUE(s.closing(kT0)) << "still marked until end_unload";
  EXPECT_EQ(run(s, {Op::unsubscribe(kC0, kT0)}), refused(OpError::kUnknownThread));
  EXPECT_EQ(run(s, {Op::thread_loaded(kT0)}), refused(OpError::kClosing));
  EXPECT_EQ(run(s, {Op::end_unload(kT0)}), Result::ok());
  EXPECT_FALSE(s.closing(kT0));
  EXPECT_TRUE(s.live(kC0)) << "the connection stays";
  // Load again; finish_unload alone also empties the subscriber set.
  EXPECT_EQ(run(s, {Op::thread_loaded(kT0), Op::subscribe(kC0, kT0), Op::finish_unload(kT0)}),
            Result::ok());
  EXPECT_TRUE(s.subscribers(kT0).empty());
}

TEST(ReferenceModel, PrintsOpsResultsAndState) {
  EXPECT_EQ(to_string(Op::subscribe(kC0, kT1)), "subscribe(c0, t1)");
  EXPECT_EQ(to_string(Op::disconnect(kC1)), "disconnect(c1)");
  EXPECT_EQ(to_string(Op::finish_unload(kT0)), "finish_unload(t0)");
  EXPECT_EQ(to_string(Op::resume(kC1, kT0)), "resume(c1, t0)");
  EXPECT_EQ(to_string(OpKind::kAutoAttach, Result::ok()), "attached");
  EXPECT_EQ(to_string(OpKind::kSubscribe, refused(OpError::kClosing)), "closing; retry");
  State s;
  run(s, {Op::connect(kC0), Op::thread_loaded(kT0), Op::thread_loaded(kT1), Op::subscribe(kC0, kT1),
          Op::begin_unload(kT1)});
  EXPECT_EQ(s.to_string(), "live {c0} loaded {t0, t1} closing {t1} subs {t0: {}, t1: {c0}}");
}

TEST(ReferenceModel, IdsOutOfRangeThrow) {
  const State s;
  EXPECT_THROW(apply(s, Op::connect(ConnectionId{16})), std::out_of_range);
  EXPECT_THROW(apply(s, Op::subscribers(ThreadId{16})), std::out_of_range);
  EXPECT_THROW((void)s.live(ConnectionId{99}), std::out_of_range);
  EXPECT_FALSE(in_range(Op::subscribe(kC0, ThreadId{16})));
  EXPECT_TRUE(in_range(Op::subscribe(ConnectionId{15}, ThreadId{15})));
  const std::vector<ConnectionId> bad{ConnectionId{16}};
  EXPECT_THROW(Result::subscriber_list(bad), std::out_of_range);
}

Op gen_op() {
  const auto kind = static_cast<OpKind>(*rc::gen::inRange<int>(0, kOpKindCount));
  return Op{kind, ConnectionId{*rc::gen::inRange<std::uint32_t>(0, 4)},
            ThreadId{*rc::gen::inRange<std::uint32_t>(0, 3)}};
}

RC_GTEST_PROP(ReferenceModelProps, InvariantsHoldAndPackingIsExact, ()) {
  State s;
  const auto steps = *rc::gen::inRange(1, 40);
  for (int i = 0; i < steps; ++i) {
    const Op op = gen_op();
    const Step a = apply(s, op);
    const Step b = apply(s, op);
    RC_ASSERT(a.state == b.state);  // deterministic
    RC_ASSERT(a.result == b.result);
    a.state.check_invariants();
    if (op.kind != OpKind::kSubscribers) RC_ASSERT(a.result.subscribers == 0);
    RC_ASSERT((a.state == s) == (a.state.packed() == s.packed()));
    if (a.state == s) RC_ASSERT(a.state.hash() == s.hash());
    // The derived index is the transpose of the subscriber sets.
    for (std::uint32_t c = 0; c < 4; ++c) {
      for (ThreadId t : a.state.threads_of(ConnectionId{c})) {
        const auto subs = a.state.subscribers(t);
        RC_ASSERT(std::find(subs.begin(), subs.end(), ConnectionId{c}) != subs.end());
      }
    }
    s = a.state;
  }
}

}  // namespace
}  // namespace lockstep::model
