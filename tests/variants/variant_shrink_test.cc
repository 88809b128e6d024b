// Each design variant is caught by RapidCheck on generated workloads, and RapidCheck shrinks
// the workload of the counterexample (issue #5). For every variant a property generates
// workloads from the workload vocabulary (2-4 connections, 1-3 threads, 2-6 operations per
// client, stalls, emits, resumes, pool prompts, cleanup), weighted toward the operations that
// variant's bug needs, and explores each under the variant with PCT then random for a small
// fixed schedule budget; the property is "the design holds" (no execution violates the
// properties SPEC.md names for the variant). RapidCheck runs with a fixed seed through its
// programmatic API (rc::detail::checkProperty with our own listener), so the test can assert
// what it found: a failure within a stated number of workloads, a shrunk workload smaller than
// the first failing one and failing by the variant's property, a trace of it that replays to
// that property, and the same shrunk workload passing under `current` for the same budget.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "traces/explore.h"
#include "traces/scenarios.h"
#include "tests/variants/workload_gen.h"

namespace lockstep::traces {
namespace {

using impl::DesignVariant;
using impl::OpKind;
using impl::StallKind;
using impl::Workload;
using impl::WorkloadOp;

// Budgets, fixed so that every count below is reproducible.
// - Schedules per generated workload: PCT first, then uniform random, each from seed 1.
// - Workloads RapidCheck may generate before the variant must have been caught (asserted).
constexpr std::uint64_t kSchedules = 120;
constexpr int kWorkloadBudget = 20;
constexpr std::uint64_t kRapidCheckSeed = 5;

// --- the property ---------------------------------------------------------------------------

struct Size {
  std::size_t clients = 0, ops = 0, ticks = 0;
  std::size_t total() const { return ops + ticks; }
};

Size size_of(const Workload& w) {
  Size s{w.clients.size(), 0, w.cleanup.ticks};
  for (const auto& c : w.clients) s.ops += c.ops.size();
  return s;
}

// The budgeted exploration of one workload under `d`: PCT, then random if PCT found nothing.
// `stop_when` names the properties whose violation counts (empty: any property).
struct Verdict {
  std::optional<Trace> failure;  // the first failing execution's trace
  std::string strategy;
  bool held() const { return !failure; }
  std::string property() const { return failure ? failure->failure->property : "-"; }
};

Verdict judge(const Workload& w, DesignVariant d,
              const std::vector<properties::Property>& stop_when) {
  Verdict v;
  for (const std::string strategy : {"pct", "random"}) {
    ExploreConfig c;
    c.workload = w;
    c.design = d;
    c.strategy = sim::StrategyConfig{strategy};
    c.strategy.seed = 1;
    c.strategy.executions = kSchedules;
    c.program = "generator:variant-shrink";
    c.stop_when = stop_when;
    ExploreReport r = explore_workload(c);
    if (r.first_failure && r.first_failure->failure) {
      v.failure = std::move(r.first_failure);
      v.strategy = strategy;
      return v;
    }
  }
  return v;
}

// Counts what RapidCheck did and keeps the description of the first failing case.
class Counter : public rc::detail::TestListener {
 public:
  void onTestCaseFinished(const rc::detail::CaseDescription& d) override {
    ++cases;
    if (d.result.type == rc::detail::CaseResult::Type::Discard) ++discards;
    if (d.result.type == rc::detail::CaseResult::Type::Failure) {
      first_failure = d.result.description;
    }
  }
  void onShrinkTried(const rc::detail::CaseDescription&, bool accepted) override {
    ++shrinks_tried;
    if (accepted) ++shrinks_accepted;
  }
  void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}

  int cases = 0, discards = 0, shrinks_tried = 0, shrinks_accepted = 0;
  std::string first_failure;
};

// A failing case's description (RapidCheck puts the assertion's site before it): the property
// after "property: ", then the workload's JSON after "workload: ", on the last line.
std::string describe_failure(const Verdict& v, const Workload& w) {
  return "property: " + v.property() + "\nworkload: " + impl::workload_to_json(w).dump();
}
std::string field_of(const std::string& description, std::string_view key) {
  const auto at = description.find(key);
  if (at == std::string::npos) return "";
  const auto from = at + key.size();
  return description.substr(from, description.find('\n', from) - from);
}
Workload workload_of(const std::string& description) {
  return impl::workload_from_json(nlohmann::json::parse(field_of(description, "workload: ")));
}
std::string property_of(const std::string& description) {
  return field_of(description, "property: ");
}

// "c0: connect start(t0) disconnect | c1: ... | cleanup ticks 1", for the printed summary.
std::string compact(const Workload& w) {
  std::string out;
  for (const auto& c : w.clients) {
    if (!out.empty()) out += " | ";
    out += "c" + std::to_string(static_cast<std::uint32_t>(c.connection)) + ":";
    for (const WorkloadOp& op : c.ops) {
      out += " " + std::string(impl::op_kind_name(op.kind));
      if (op.thread) out += "(t" + std::to_string(static_cast<std::uint32_t>(*op.thread));
      if (op.stall.kind != StallKind::kNone) {
        out += ", " + std::string(impl::stall_kind_name(op.stall.kind));
      }
      if (op.thread) out += ")";
    }
  }
  if (w.cleanup.ticks > 0) out += " | cleanup ticks " + std::to_string(w.cleanup.ticks);
  return out;
}

class VariantShrinkTest : public ::testing::TestWithParam<DesignVariant> {};

TEST_P(VariantShrinkTest, RapidCheckFindsAndShrinksAWorkloadThatBreaksItsProperty) {
  const DesignVariant variant = GetParam();
  const std::string name(impl::design_variant_name(variant));
  const std::vector<properties::Property> expected = expected_properties(variant);
  ASSERT_FALSE(expected.empty());

  // "The design holds" for a variant: no execution violates a property SPEC.md names for it.
  // Only those count, so that RapidCheck keeps a shrink only while the variant's own bug shows:
  // a smaller workload can break another property of the same old design (one endless prompt
  // under global-pool-lock already holds the pool lock across a wait, a lock-order finding),
  // and RapidCheck would otherwise shrink toward that. Lock-order findings belong to a whole
  // exploration, not to one execution with a trace to replay, so they are not counted here.
  // Explorations are deterministic, so a workload seen again (shrinks revisit some) is judged
  // from memory.
  std::map<std::string, Verdict> judged;
  const Bias bias = bias_for(variant);
  const rc::detail::Property property = rc::detail::toProperty([&] {
    const Workload w = *workload_gen(bias);
    RC_PRE(impl::validate(w).empty());
    const std::string key = impl::workload_to_json(w).dump();
    auto it = judged.find(key);
    if (it == judged.end()) it = judged.emplace(key, judge(w, variant, expected)).first;
    if (!it->second.held()) RC_FAIL(describe_failure(it->second, w));
  });
  // RapidCheck still loads its global configuration (RC_PARAMS) and prints its seed; none of it
  // applies here: the seed and the counts are passed explicitly.
  rc::detail::TestParams params;
  params.seed = kRapidCheckSeed;
  params.maxSuccess = kWorkloadBudget;
  rc::detail::TestMetadata meta;
  meta.id = "variant-shrink/" + name;
  meta.description = meta.id;
  Counter counter;
  const rc::detail::TestResult result = rc::detail::checkProperty(property, meta, params, counter);

  rc::detail::FailureResult failure;
  ASSERT_TRUE(result.match(failure))
      << name << " was not caught in " << counter.cases << " generated workloads (" << kSchedules
      << " PCT and " << kSchedules << " random schedules each)";
  EXPECT_LE(counter.cases, kWorkloadBudget);
  EXPECT_EQ(counter.discards, 0) << "the generator made an invalid workload";
  ASSERT_FALSE(counter.first_failure.empty());

  const Workload first = workload_of(counter.first_failure);
  const Workload shrunk = workload_of(failure.description);
  const Size before = size_of(first);
  const Size after = size_of(shrunk);
  // Shrinks only remove or simplify, and with this seed every first failure has something
  // that can go.
  EXPECT_LT(after.total(), before.total());
  EXPECT_LE(after.ops, before.ops);
  EXPECT_LE(after.clients, before.clients);
  EXPECT_LE(after.ticks, before.ticks);

  // The shrunk workload fails again, with a trace, by a property SPEC.md names for the variant.
  const Verdict again = judge(shrunk, variant, expected);
  ASSERT_TRUE(again.failure) << name << ": the shrunk workload no longer fails\n"
                             << failure.description;
  EXPECT_EQ(again.property(), property_of(failure.description));
  const auto p = properties::parse_property(again.property());
  ASSERT_TRUE(p);
  EXPECT_NE(std::find(expected.begin(), expected.end(), *p), expected.end())
      << name << " caught by an unexpected property: " << again.property() << ": "
      << again.failure->failure->message << "\n"
      << failure.description;

  // Its trace replays, through its JSON, to the same failure at the same step; the replay
  // checks every property, so it names the property independently of the search's filter.
  const ReplayReport replayed = replay_trace(parse_trace(to_json(*again.failure)));
  EXPECT_EQ(replayed.divergence, "");
  ASSERT_TRUE(replayed.trace.failure) << "replay did not fail";
  EXPECT_EQ(replayed.trace.failure->property, again.property());
  EXPECT_EQ(replayed.trace.failure->step, again.failure->failure->step);
  EXPECT_TRUE(std::any_of(replayed.violations.begin(), replayed.violations.end(),
                          [&](const properties::Violation& v) { return v.property == *p; }));

  // The same workload under `current`, same strategies and budget: everything holds.
  const Verdict current = judge(shrunk, DesignVariant::kCurrent, {});
  EXPECT_TRUE(current.held()) << "current fails the shrunk workload of " << name << " by "
                              << current.property();

  std::printf(
      "%-26s workloads tried %2d, shrinks %3d tried / %2d kept, size %2zu ops %zu clients %zu "
      "ticks -> %2zu ops %zu clients %zu ticks, %s (%s)\n",
      name.c_str(), counter.cases, counter.shrinks_tried, counter.shrinks_accepted, before.ops,
      before.clients, before.ticks, after.ops, after.clients, after.ticks, again.property().c_str(),
      again.strategy.c_str());
  std::printf("%-26s shrunk workload: %s\n", name.c_str(), compact(shrunk).c_str());
}

std::vector<DesignVariant> variants() {
  std::vector<DesignVariant> out;
  for (DesignVariant v : impl::kAllDesignVariants) {
    if (v != DesignVariant::kCurrent) out.push_back(v);
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllVariants, VariantShrinkTest, ::testing::ValuesIn(variants()),
                         [](const auto& p) {
                           std::string n(impl::design_variant_name(p.param));
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

}  // namespace
}  // namespace lockstep::traces
