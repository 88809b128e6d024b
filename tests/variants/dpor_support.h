// tests/variants/dpor_support.h: explore a scenario under DPOR and check a variant is caught.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "traces/explore.h"
#include "traces/scenarios.h"

namespace lockstep::traces {

inline std::string test_name(std::string_view s) {
  std::string n(s);
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

// Which dependence DPOR uses for the probe's records (DporOptions::records_commute).
enum class Records : std::uint8_t { kOrdered, kCommute };

// budget 0: until the space is exhausted. A variant stops at its SPEC property. With a bound,
// only schedules with at most that many preemptions.
inline ExploreReport explore_dpor(impl::DesignVariant d, std::string_view scenario_name,
                                  std::uint64_t budget,
                                  std::optional<std::uint32_t> bound = std::nullopt,
                                  Records records = Records::kOrdered) {
  ExploreConfig c;
  c.workload = *scenario(scenario_name);
  c.design = d;
  c.strategy = sim::StrategyConfig{"dpor"};
  c.strategy.executions = budget;
  c.strategy.preemption_bound = bound;
  c.strategy.records_commute = records == Records::kCommute;
  c.program = "scenario:" + std::string(scenario_name);
  c.stop_when = expected_properties(d);
  return explore_workload(c);
}

inline std::string describe(const ExploreReport& r) {
  if (!r.first_failure || !r.first_failure->failure) return "no failure";
  return r.first_failure->failure->property + ": " + r.first_failure->failure->message;
}

// `current` passes every execution of the scenario's reduced space, which has `executions`
// complete executions (pruned ones not counted).
inline void expect_current_exhausts(std::string_view scenario_name, std::uint64_t executions,
                                    std::optional<std::uint32_t> bound = std::nullopt,
                                    Records records = Records::kOrdered) {
  const ExploreReport r =
      explore_dpor(impl::DesignVariant::kCurrent, scenario_name, 0, bound, records);
  std::printf("current / %-22s dpor%s%s: %llu executions, %llu pruned, exhausted %d\n",
              std::string(scenario_name).c_str(),
              bound ? (" within " + std::to_string(*bound) + " preemption(s)").c_str() : "",
              records == Records::kCommute ? ", records commuting" : "",
              static_cast<unsigned long long>(r.executions),
              static_cast<unsigned long long>(r.metrics.pruned), r.exhausted);
  EXPECT_FALSE(r.first_failure) << describe(r);
  EXPECT_TRUE(r.lock_order_violations.empty());
  EXPECT_TRUE(r.exhausted);
  // The count is a function of the program and the dependence relation alone: a change in
  // either shows here.
  EXPECT_EQ(r.executions, executions);
}

inline void expect_caught_by_dpor(impl::DesignVariant v, std::uint64_t budget,
                                  std::optional<std::uint32_t> bound = std::nullopt,
                                  Records records = Records::kOrdered) {
  const auto expected = expected_properties(v);
  const ExploreReport r = explore_dpor(v, scenario_for(v), budget, bound, records);
  ASSERT_TRUE(r.first_failure) << impl::design_variant_name(v) << " not caught by dpor in "
                               << r.executions << " executions";
  const auto p = properties::parse_property(r.first_failure->failure->property);
  ASSERT_TRUE(p);
  EXPECT_NE(std::find(expected.begin(), expected.end(), *p), expected.end()) << describe(r);
  std::printf("%-26s dpor caught after %llu executions (%llu pruned) by %s\n",
              std::string(impl::design_variant_name(v)).c_str(),
              static_cast<unsigned long long>(r.first_failure_index + 1),
              static_cast<unsigned long long>(r.metrics.pruned),
              r.first_failure->failure->property.c_str());
  const ReplayReport again = replay_trace(parse_trace(to_json(*r.first_failure)));
  EXPECT_EQ(again.divergence, "");
  ASSERT_TRUE(again.trace.failure);
  EXPECT_EQ(again.trace.failure->property, r.first_failure->failure->property);
  EXPECT_EQ(again.trace.steps, r.first_failure->steps);
}

}  // namespace lockstep::traces
