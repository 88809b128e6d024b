// tests/model/linearizability_scale_test.cc: a performance sanity check that asserts
// verdicts within the node budget, never time: ~200 operations with heavy overlap.
#include <gtest/gtest.h>

#include <iostream>
#include <memory>
#include <random>

#include "model/linearizability.h"
#include "tests/model/history_gen.h"

namespace lockstep::model::testing {
namespace {

// A seeded engine (fixed seed: the test is deterministic).
Chooser seeded(std::uint64_t seed) {
  auto engine = std::make_shared<std::mt19937_64>(seed);
  return [engine](std::uint32_t bound) { return static_cast<std::uint32_t>((*engine)() % bound); };
}

GenConfig heavy_overlap() {
  GenConfig c;
  c.tasks = 6;
  c.ops = 200;
  c.connections = 3;
  c.threads = 2;
  c.pending_percent = 50;
  c.max_wait = 12;  // each op stays open while the other tasks run several of theirs
  return c;
}

// How many other ops overlap each op, on average.
double mean_overlap(const History& h) {
  std::size_t pairs = 0;
  for (OpIndex a = 0; a < h.size(); ++a) {
    for (OpIndex b = 0; b < h.size(); ++b) {
      if (a != b && !h.precedes(a, b) && !h.precedes(b, a)) ++pairs;
    }
  }
  return static_cast<double>(pairs) / static_cast<double>(h.size());
}

class LinearizabilityScale : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(LinearizabilityScale, TwoHundredOverlappingOpsWithinBudget) {
  const Chooser choose = seeded(GetParam());
  const GenConfig config = heavy_overlap();
  const State initial = random_initial(choose, config);
  auto records = generate_execution(choose, config, initial);
  const History h = build(records);
  ASSERT_GE(h.size(), 190u);
  const double overlap = mean_overlap(h);
  EXPECT_GE(overlap, 6.0) << "the history should overlap heavily";
  CheckOptions o;
  o.initial = initial;
  const CheckResult r = check_linearizable(h, o);
  ASSERT_EQ(r.verdict, Verdict::kLinearizable) << r.explanation;
  EXPECT_EQ(validate_witness(h, initial, r.witness), "");
  // A wrong result near the end forces the search through the whole space. Flipping one
  // subscriber bit does not always break linearizability (another order may explain it), so
  // try queries from the end until one does; no try may be inconclusive.
  std::optional<std::size_t> changed;
  CheckResult bad;
  for (std::size_t i = records.size(); i-- > 0 && !changed;) {
    if (!records[i].responded || records[i].op.kind != OpKind::kSubscribers) continue;
    auto perturbed = records;
    perturbed[i].observed.subscribers ^= 1u;
    bad = check_linearizable(build(perturbed), o);
    ASSERT_NE(bad.verdict, Verdict::kInconclusive) << bad.explanation;
    if (bad.verdict == Verdict::kViolation) changed = i;
  }
  ASSERT_TRUE(changed);
  std::cout << "seed " << GetParam() << ": " << h.size() << " ops, mean overlap " << overlap
            << ", linearizable in " << r.nodes << " nodes over " << r.parts
            << " part(s); perturbed #" << *changed << " refuted in " << bad.nodes << " nodes (+"
            << bad.explain_nodes << " explaining, " << bad.violation->essential.size()
            << " essential)\n"
            << bad.explanation;
}

INSTANTIATE_TEST_SUITE_P(Seeds, LinearizabilityScale, ::testing::Values(1u, 2u, 3u));

}  // namespace
}  // namespace lockstep::model::testing

namespace lockstep::model::testing {
namespace {

// The size of a real execution's history (a few clients, a few ops each, background attaches
// and unloads): a violation's explanation is minimised within the default budget.
TEST(LinearizabilityExplain, FortyOpViolationsAreExplainedMinimally) {
  std::size_t explained = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Chooser choose = seeded(seed);
    GenConfig config = heavy_overlap();
    config.tasks = 4;
    config.ops = 40;
    config.max_wait = 6;
    const State initial = random_initial(choose, config);
    auto records = generate_execution(choose, config, initial);
    perturb(choose, config, records);
    CheckOptions o;
    o.initial = initial;
    const CheckResult r = check_linearizable(build(records), o);
    ASSERT_NE(r.verdict, Verdict::kInconclusive) << r.explanation;
    if (r.verdict != Verdict::kViolation) continue;
    ++explained;
    EXPECT_TRUE(r.violation->essential_is_minimal) << "seed " << seed << "\n" << r.explanation;
    std::cout << "seed " << seed << ": " << r.nodes << " nodes, " << r.explain_nodes
              << " explaining, " << r.violation->essential.size() << " of "
              << r.violation->part.size() << " essential\n";
  }
  EXPECT_GE(explained, 10u);
}

}  // namespace
}  // namespace lockstep::model::testing
