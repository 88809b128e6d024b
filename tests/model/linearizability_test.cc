// tests/model/linearizability_test.cc: hand-built classic histories, linearizable and not.
#include "model/linearizability.h"

#include <gtest/gtest.h>

#include <iostream>

#include "model/partition.h"
#include "tests/model/ids.h"

namespace lockstep::model {
namespace {

using testing::kC0;
using testing::kC1;
using testing::kT0;
using testing::kT1;

Result subs(std::initializer_list<ConnectionId> list) {
  return Result::subscriber_list(std::vector<ConnectionId>(list));
}

CheckOptions with_t0_loaded() {
  CheckOptions o;
  o.initial = apply(State{}, Op::thread_loaded(kT0)).state;
  return o;
}

void expect_valid_witness(const History& h, const CheckOptions& o, const CheckResult& r) {
  ASSERT_EQ(r.verdict, Verdict::kLinearizable) << r.explanation;
  EXPECT_EQ(validate_witness(h, o.initial, r.witness), "");
  EXPECT_TRUE(r.explanation.empty());
}

TEST(Linearizability, EmptyHistoryIsLinearizable) {
  const CheckResult r = check_linearizable(History{});
  EXPECT_EQ(r.verdict, Verdict::kLinearizable);
  EXPECT_TRUE(r.witness.empty());
  EXPECT_EQ(r.parts, 0u);
}

// The phantom subscriber: start's late attach succeeded, disconnect(c0) returned, and a later
// query still shows c0. Nothing overlaps the query that could re-add c0.
TEST(Linearizability, PhantomSubscriberIsNotLinearizable) {
  History h;
  const auto connect = h.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  const auto attach = h.add_completed(2, Op::auto_attach(kC0, kT0), 3, 4, Result::ok());
  const auto disconnect = h.add_completed(1, Op::disconnect(kC0), 5, 6, Result::ok());
  const auto query = h.add_completed(3, Op::subscribers(kT0), 7, 8, subs({kC0}));
  const CheckOptions o = with_t0_loaded();
  const CheckResult r = check_linearizable(h, o);
  ASSERT_EQ(r.verdict, Verdict::kViolation);
  ASSERT_TRUE(r.violation);
  const Violation& v = *r.violation;
  EXPECT_EQ(v.part, (std::vector<OpIndex>{connect, attach, disconnect, query}));
  EXPECT_EQ(v.essential, (std::vector<OpIndex>{disconnect, query}))
      << "whatever connect and the attach did in their intervals, the query cannot show c0";
  EXPECT_EQ(v.longest_prefix, (std::vector<OpIndex>{connect, attach, disconnect}));
  EXPECT_EQ(v.blocking, query);
  ASSERT_EQ(v.candidates.size(), 1u);
  EXPECT_EQ(v.candidates[0].op, query);
  EXPECT_EQ(v.candidates[0].model, subs({}));
  EXPECT_NE(r.explanation.find("#3 task 3 [7, 8] subscribers(t0) -> [c0]"), std::string::npos);
  EXPECT_NE(r.explanation.find("the model returns [], observed [c0]"), std::string::npos);
  std::cout << r.explanation;
}

// Split lock domains: the attach checked `live` before the disconnect and inserted after it.
// It overlaps the disconnect, but whichever order is chosen the query cannot show c0.
TEST(Linearizability, OverlappingLateAttachStillCannotResurrect) {
  History h;
  h.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  h.add_completed(2, Op::auto_attach(kC0, kT0), 3, 9, Result::ok());
  h.add_completed(1, Op::disconnect(kC0), 5, 6, Result::ok());
  h.add_completed(3, Op::subscribers(kT0), 10, 11, subs({kC0}));
  EXPECT_EQ(check_linearizable(h, with_t0_loaded()).verdict, Verdict::kViolation);
}

// The same query, but a reconnect and the attach overlap it: order disconnect, connect,
// attach, query.
TEST(Linearizability, OverlappingReconnectAndAttachCanBeOrdered) {
  History h;
  h.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  h.add_completed(2, Op::auto_attach(kC0, kT0), 3, 12, Result::ok());
  h.add_completed(1, Op::disconnect(kC0), 5, 6, Result::ok());
  h.add_completed(1, Op::connect(kC0), 7, 10, Result::ok());
  h.add_completed(3, Op::subscribers(kT0), 8, 9, subs({kC0}));
  const CheckOptions o = with_t0_loaded();
  const CheckResult r = check_linearizable(h, o);
  expect_valid_witness(h, o, r);
  EXPECT_EQ(r.witness, (std::vector<OpIndex>{0, 2, 3, 1, 4}));
}

TEST(Linearizability, QueriesOnEitherSideOfALongSubscribe) {
  History h;
  h.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  h.add_completed(1, Op::subscribe(kC0, kT0), 3, 20, Result::ok());
  h.add_completed(2, Op::subscribers(kT0), 4, 5, subs({}));
  h.add_completed(2, Op::subscribers(kT0), 6, 7, subs({kC0}));
  const CheckOptions o = with_t0_loaded();
  expect_valid_witness(h, o, check_linearizable(h, o));
  // Reversed observations need the subscribe before 5 and after 7.
  History g;
  g.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  g.add_completed(1, Op::subscribe(kC0, kT0), 3, 20, Result::ok());
  g.add_completed(2, Op::subscribers(kT0), 4, 5, subs({kC0}));
  g.add_completed(2, Op::subscribers(kT0), 6, 7, subs({}));
  EXPECT_EQ(check_linearizable(g, o).verdict, Verdict::kViolation);
}

TEST(Linearizability, PendingOpMayHaveTakenEffect) {
  History h;
  h.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  h.add_completed(1, Op::subscribe(kC0, kT0), 3, 4, Result::ok());
  const auto pending = h.add_pending(2, Op::disconnect(kC0), 5);
  h.add_completed(3, Op::subscribers(kT0), 6, 7, subs({}));
  const CheckOptions o = with_t0_loaded();
  const CheckResult r = check_linearizable(h, o);
  expect_valid_witness(h, o, r);
  EXPECT_NE(std::find(r.witness.begin(), r.witness.end(), pending), r.witness.end());
  // ... or not.
  History g;
  g.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  g.add_completed(1, Op::subscribe(kC0, kT0), 3, 4, Result::ok());
  const auto dropped = g.add_pending(2, Op::disconnect(kC0), 5);
  g.add_completed(3, Op::subscribers(kT0), 6, 7, subs({kC0}));
  const CheckResult s = check_linearizable(g, o);
  expect_valid_witness(g, o, s);
  // Dropped, or placed after the query (the order the search finds first).
  const auto at = std::find(s.witness.begin(), s.witness.end(), dropped);
  EXPECT_TRUE(at == s.witness.end() || at == s.witness.end() - 1);
  // But a pending op still cannot take effect before its invocation.
  History k;
  k.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  k.add_completed(1, Op::subscribe(kC0, kT0), 3, 4, Result::ok());
  k.add_completed(3, Op::subscribers(kT0), 5, 6, subs({}));
  k.add_pending(2, Op::disconnect(kC0), 7);
  EXPECT_EQ(check_linearizable(k, o).verdict, Verdict::kViolation);
}

// Stages of an unload are recorded without a result, but they did take effect.
TEST(Linearizability, UnobservedOpsMustStillTakeEffect) {
  CheckOptions o = with_t0_loaded();
  o.initial = apply(o.initial, Op::connect(kC0)).state;
  History h;
  h.add_completed(1, Op::subscribe(kC0, kT0), 1, 2, Result::ok());
  h.respond_unobserved(h.invoke(2, Op::begin_unload(kT0), 3), 3);
  h.respond_unobserved(h.invoke(2, Op::drop_thread_state(kT0), 4), 4);
  const auto query = h.add_completed(3, Op::subscribers(kT0), 5, 6, subs({}));
  expect_valid_witness(h, o, check_linearizable(h, o));
  EXPECT_EQ(h.describe(1), "#1 task 2 [3, 3] begin_unload(t0) -> ? (not observed)");
  History g;
  g.add_completed(1, Op::subscribe(kC0, kT0), 1, 2, Result::ok());
  g.respond_unobserved(g.invoke(2, Op::begin_unload(kT0), 3), 3);
  g.respond_unobserved(g.invoke(2, Op::drop_thread_state(kT0), 4), 4);
  g.add_completed(3, Op::subscribers(kT0), 5, 6, subs({kC0}));
  const CheckResult r = check_linearizable(g, o);
  ASSERT_EQ(r.verdict, Verdict::kViolation);
  EXPECT_EQ(r.violation->essential, (std::vector<OpIndex>{2, query}));
}

TEST(Linearizability, ProgramOrderAtEqualStamps) {
  CheckOptions o = with_t0_loaded();
  o.initial = apply(o.initial, Op::connect(kC0)).state;
  History h;
  h.add_completed(1, Op::subscribe(kC0, kT0), 3, 3, Result::ok());
  h.add_completed(1, Op::unsubscribe(kC0, kT0), 3, 3, Result::ok());
  expect_valid_witness(h, o, check_linearizable(h, o));
  History g;
  g.add_completed(1, Op::unsubscribe(kC0, kT0), 3, 3, Result::ok());
  g.add_completed(1, Op::subscribe(kC0, kT0), 3, 3, Result::ok());
  EXPECT_EQ(check_linearizable(g, o).verdict, Verdict::kViolation);
}

TEST(Linearizability, ClosingRaceOrdersSubscribeAroundBeginUnload) {
  CheckOptions o = with_t0_loaded();
  o.initial = apply(o.initial, Op::connect(kC0)).state;
  History h;
  h.add_completed(1, Op::begin_unload(kT0), 1, 10, Result::ok());
  h.add_completed(2, Op::subscribe(kC0, kT0), 2, 3, Result::refused(OpError::kClosing));
  h.add_completed(3, Op::subscribe(kC0, kT0), 4, 5, Result::refused(OpError::kClosing));
  expect_valid_witness(h, o, check_linearizable(h, o));
  // Closing, then a successful subscribe after it returned: not possible.
  h.add_completed(3, Op::subscribe(kC0, kT0), 11, 12, Result::ok());
  EXPECT_EQ(check_linearizable(h, o).verdict, Verdict::kViolation);
}

TEST(Linearizability, IndependentPartsAreCheckedSeparately) {
  CheckOptions o;
  o.initial = apply(apply(State{}, Op::thread_loaded(kT0)).state, Op::thread_loaded(kT1)).state;
  History h;
  h.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  h.add_completed(2, Op::connect(kC1), 1, 3, Result::ok());
  h.add_completed(1, Op::subscribe(kC0, kT0), 4, 5, Result::ok());
  h.add_completed(2, Op::subscribe(kC1, kT1), 4, 6, Result::ok());
  h.add_completed(2, Op::subscribers(kT1), 7, 8, subs({}));  // wrong: c1 is subscribed
  const auto parts = independent_parts(h, o.initial);
  EXPECT_EQ(parts, (std::vector<std::vector<OpIndex>>{{0, 2}, {1, 3, 4}}));
  const CheckResult r = check_linearizable(h, o);
  ASSERT_EQ(r.verdict, Verdict::kViolation);
  EXPECT_EQ(r.parts, 2u);
  EXPECT_EQ(r.violation->part, (std::vector<OpIndex>{1, 3, 4}));
  EXPECT_NE(r.explanation.find("part 2 of 2"), std::string::npos) << r.explanation;
}

TEST(Linearizability, ObservedSubscriberJoinsItsConnectionToThePart) {
  History h;
  h.add_completed(1, Op::disconnect(kC1), 1, 2, Result::ok());
  h.add_completed(2, Op::subscribers(kT0), 3, 4, subs({kC1}));
  EXPECT_EQ(independent_parts(h, State{}).size(), 1u);
  const CheckResult r = check_linearizable(h);
  EXPECT_EQ(r.verdict, Verdict::kViolation);
}

TEST(Linearizability, BudgetExhaustionIsInconclusiveNotAVerdict) {
  History h;
  h.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  h.add_completed(1, Op::subscribe(kC0, kT0), 3, 4, Result::ok());
  CheckOptions o = with_t0_loaded();
  o.node_budget = 1;
  const CheckResult r = check_linearizable(h, o);
  EXPECT_EQ(r.verdict, Verdict::kInconclusive);
  EXPECT_LE(r.nodes, 1u);
  EXPECT_NE(r.explanation.find("node budget (1 model steps)"), std::string::npos) << r.explanation;
}

TEST(Linearizability, ValidateWitnessNamesTheProblem) {
  History h;
  h.add_completed(1, Op::connect(kC0), 1, 2, Result::ok());
  h.add_completed(2, Op::connect(kC1), 3, 4, Result::ok());
  h.add_completed(2, Op::disconnect(kC0), 5, 6, Result::ok());
  const State s;
  EXPECT_EQ(validate_witness(h, s, std::vector<OpIndex>{0, 1, 2}), "");
  EXPECT_NE(validate_witness(h, s, std::vector<OpIndex>{1, 0, 2}).find("returned before"),
            std::string::npos);
  EXPECT_NE(validate_witness(h, s, std::vector<OpIndex>{2, 0, 1}).find("model returns"),
            std::string::npos);
  EXPECT_NE(validate_witness(h, s, std::vector<OpIndex>{0, 1}).find("missing"), std::string::npos);
  EXPECT_NE(validate_witness(h, s, std::vector<OpIndex>{0, 0}).find("twice"), std::string::npos);
  EXPECT_NE(validate_witness(h, s, std::vector<OpIndex>{0, 1, 2, 7}).find("no operation #7"),
            std::string::npos);
}

}  // namespace
}  // namespace lockstep::model
