// tests/model/history_test.cc: building histories, real-time order, malformed input.
#include "model/history.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "tests/model/ids.h"

namespace lockstep::model {
namespace {

using testing::kC0;
using testing::kC1;
using testing::kT0;
using testing::kT1;

TEST(History, InvokeRespondAndPending) {
  History h;
  const OpIndex a = h.invoke(1, Op::connect(kC0), 3);
  const OpIndex b = h.invoke(2, Op::subscribers(kT0), 4);
  EXPECT_TRUE(h[a].pending());
  h.respond(a, 7, Result::ok());
  EXPECT_FALSE(h[a].pending());
  EXPECT_TRUE(h[b].pending());
  EXPECT_EQ(h.describe(a), "#0 task 1 [3, 7] connect(c0) -> ok");
  EXPECT_EQ(h.describe(b), "#1 task 2 [4, -] subscribers(t0) -> ? (pending)");
  h.check_invariants();
}

TEST(History, RealTimeOrder) {
  History h;
  const OpIndex a = h.add_completed(1, Op::connect(kC0), 1, 5, Result::ok());
  const OpIndex b = h.add_completed(2, Op::thread_loaded(kT0), 3, 8, Result::ok());  // overlaps a
  const OpIndex c = h.add_completed(2, Op::subscribe(kC0, kT0), 9, 10, Result::ok());
  const OpIndex d = h.add_pending(1, Op::disconnect(kC0), 6);
  EXPECT_FALSE(h.precedes(a, b));
  EXPECT_FALSE(h.precedes(b, a));
  EXPECT_TRUE(h.precedes(a, c));
  EXPECT_TRUE(h.precedes(b, c));
  EXPECT_TRUE(h.precedes(a, d));
  EXPECT_FALSE(h.precedes(d, c)) << "a pending op precedes nothing";
  EXPECT_FALSE(h.precedes(a, a));
  EXPECT_EQ(h.positions()[d].ret, kNeverReturned);
}

TEST(History, EqualStampsFollowProgramOrderWithinATask) {
  History h;
  const OpIndex a = h.add_completed(1, Op::connect(kC0), 4, 4, Result::ok());
  const OpIndex b = h.add_completed(1, Op::disconnect(kC0), 4, 4, Result::ok());
  EXPECT_TRUE(h.precedes(a, b));
  EXPECT_FALSE(h.precedes(b, a));
  h.check_invariants();
}

TEST(History, EqualStampsOfTwoTasksOrderByTaskId) {
  History h;
  const OpIndex a = h.add_completed(2, Op::connect(kC0), 1, 5, Result::ok());
  const OpIndex b = h.add_completed(1, Op::disconnect(kC0), 5, 6, Result::ok());
  // Task 1's invocation at 5 counts as before task 2's return at 5: they overlap.
  EXPECT_FALSE(h.precedes(a, b));
  History g;
  const OpIndex x = g.add_completed(1, Op::connect(kC0), 1, 5, Result::ok());
  const OpIndex y = g.add_completed(2, Op::disconnect(kC0), 5, 6, Result::ok());
  EXPECT_TRUE(g.precedes(x, y));
}

TEST(History, RejectsMalformedInput) {
  History h;
  const OpIndex a = h.invoke(1, Op::connect(kC0), 5);
  EXPECT_THROW(h.invoke(1, Op::disconnect(kC0), 6), std::invalid_argument) << "still open";
  EXPECT_THROW(h.respond(a, 4, Result::ok()), std::invalid_argument) << "before invocation";
  h.respond(a, 8, Result::ok());
  EXPECT_THROW(h.respond(a, 9, Result::ok()), std::invalid_argument) << "twice";
  EXPECT_THROW(h.respond(7, 9, Result::ok()), std::invalid_argument) << "no such op";
  EXPECT_THROW(h.invoke(1, Op::disconnect(kC0), 7), std::invalid_argument) << "back in time";
  EXPECT_THROW(h.invoke(2, Op::connect(ConnectionId{16}), 9), std::invalid_argument);
  const OpIndex b = h.invoke(2, Op::connect(kC0), 9);
  EXPECT_THROW(h.respond(b, ~std::uint64_t{0}, Result::ok()), std::invalid_argument);
  h.check_invariants();
}

TEST(History, ObservedSubscribersAreIgnoredForOtherKinds) {
  History h;
  const OpIndex a = h.add_completed(1, Op::connect(kC0), 1, 2, Result{OpError::kNone, 3});
  EXPECT_EQ(h[a].observed, Result::ok());
}

}  // namespace
}  // namespace lockstep::model
