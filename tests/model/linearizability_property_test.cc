// tests/model/linearizability_property_test.cc: the checker against brute force, and
// partitioning against no partitioning, on generated histories.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "model/linearizability.h"
#include "tests/model/brute_force.h"
#include "tests/model/history_gen.h"

namespace lockstep::model::testing {
namespace {

// Every choice spans its whole range from the first test case on (inRange alone scales with
// RapidCheck's size, which starts at 0); shrinking still moves towards 0.
std::uint32_t rc_choose(std::uint32_t bound) {
  return *rc::gen::resize(100, rc::gen::inRange<std::uint32_t>(0, bound));
}

std::uint32_t rc_choose_in(std::uint32_t low, std::uint32_t high) {
  return low + rc_choose(high - low);
}

// Small enough for brute force: 2-3 tasks, up to 7 ops.
GenConfig small_config() {
  GenConfig c;
  c.tasks = rc_choose_in(2, 4);
  c.ops = rc_choose_in(1, 8);
  c.connections = rc_choose_in(1, 3);
  c.threads = rc_choose_in(1, 3);
  c.pending_percent = *rc::gen::element<std::uint32_t>(0, 30, 60);
  c.unobserved_percent = *rc::gen::element<std::uint32_t>(0, 0, 20);
  c.max_wait = rc_choose_in(0, 4);
  c.reuse_stamps = *rc::gen::arbitrary<bool>();
  return c;
}

// The checker's verdict matches brute force; its witness validates; a violation's essential
// set is itself not linearizable with every other op relaxed, and relaxing any one of its
// ops as well makes an order exist.
void expect_agrees_with_brute_force(const std::vector<Record>& records, const State& initial) {
  const History h = build(records);
  CheckOptions o;
  o.initial = initial;
  const CheckResult r = check_linearizable(h, o);
  const bool expected = brute_force_linearizable(records, initial);
  RC_TAG(records.size());
  RC_CLASSIFY(expected, "linearizable");
  RC_CLASSIFY(!expected, "not linearizable");
  RC_ASSERT(r.verdict != Verdict::kInconclusive);
  RC_ASSERT((r.verdict == Verdict::kLinearizable) == expected);
  if (expected) {
    RC_ASSERT(validate_witness(h, initial, r.witness) == "");
    return;
  }
  RC_ASSERT(r.violation.has_value());
  RC_ASSERT(!r.explanation.empty());
  std::vector<bool> relaxed(records.size(), true);
  for (OpIndex i : r.violation->essential) relaxed[i] = false;
  RC_ASSERT(r.violation->essential_is_minimal);
  RC_ASSERT(!brute_force_linearizable(records, initial, relaxed));
  for (OpIndex i : r.violation->essential) {
    relaxed[i] = true;
    RC_ASSERT(brute_force_linearizable(records, initial, relaxed));
    relaxed[i] = false;
  }
}

RC_GTEST_PROP(LinearizabilityVsBruteForce, SimulatedExecutionsAreLinearizable, ()) {
  const GenConfig config = small_config();
  const State initial = random_initial(rc_choose, config);
  const auto records = generate_execution(rc_choose, config, initial);
  RC_ASSERT(brute_force_linearizable(records, initial));  // by construction
  expect_agrees_with_brute_force(records, initial);
}

RC_GTEST_PROP(LinearizabilityVsBruteForce, PerturbedExecutionsAgree, ()) {
  const GenConfig config = small_config();
  const State initial = random_initial(rc_choose, config);
  auto records = generate_execution(rc_choose, config, initial);
  const int changes = *rc::gen::inRange(1, 3);
  for (int i = 0; i < changes; ++i) perturb(rc_choose, config, records);
  expect_agrees_with_brute_force(records, initial);
}

RC_GTEST_PROP(LinearizabilityVsBruteForce, RandomHistoriesAgree, ()) {
  const GenConfig config = small_config();
  const State initial = random_initial(rc_choose, config);
  expect_agrees_with_brute_force(generate_random(rc_choose, config), initial);
}

// Larger histories over more ids, so that they split into several parts.
RC_GTEST_PROP(LinearizabilityPartition, SplittingNeverChangesTheVerdict, ()) {
  GenConfig config;
  config.tasks = rc_choose_in(2, 5);
  config.ops = rc_choose_in(1, 25);
  config.connections = rc_choose_in(1, 6);
  config.threads = rc_choose_in(1, 6);
  config.max_wait = rc_choose_in(0, 4);
  const State initial = random_initial(rc_choose, config);
  auto records = generate_execution(rc_choose, config, initial);
  if (*rc::gen::arbitrary<bool>()) perturb(rc_choose, config, records);
  const History h = build(records);
  CheckOptions split;
  split.initial = initial;
  CheckOptions whole = split;
  whole.partition = false;
  const CheckResult a = check_linearizable(h, split);
  const CheckResult b = check_linearizable(h, whole);
  RC_CLASSIFY(a.parts > 1, "several parts");
  RC_CLASSIFY(a.verdict == Verdict::kViolation, "not linearizable");
  RC_ASSERT(a.verdict != Verdict::kInconclusive);
  RC_ASSERT(a.verdict == b.verdict);
  RC_ASSERT(b.parts <= 1u);
  if (a.verdict == Verdict::kLinearizable) {
    RC_ASSERT(validate_witness(h, initial, a.witness) == "");
    RC_ASSERT(validate_witness(h, initial, b.witness) == "");
  }
}

}  // namespace
}  // namespace lockstep::model::testing
