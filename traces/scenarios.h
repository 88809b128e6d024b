// traces/scenarios.h: the built-in workloads, one per seed scenario, each small enough for
// systematic search and shaped so that the historical design of that seed can fail on it.
//
// Contract: scenario(name) gives the workload; scenario_for(variant) names the scenario that
// exposes the variant's bug (`current` must pass every scenario). Names are kebab-case and
// stable: they go into traces as the program name ("scenario:<name>").
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "impl/design_variant.h"
#include "impl/workload.h"
#include "properties/property.h"

namespace lockstep::traces {

struct Scenario {
  std::string_view name;
  std::string_view summary;
  impl::Workload (*make)();
};

std::span<const Scenario> scenarios();
std::optional<impl::Workload> scenario(std::string_view name);
// The scenario that exposes `v`'s bug ("phantom-attach" for split-lock-domains, ...).
std::string_view scenario_for(impl::DesignVariant v);

// The properties that catch `v` (SPEC.md's table): the first failure found must be one of
// them. Empty for `current`, which must pass.
std::vector<properties::Property> expected_properties(impl::DesignVariant v);

}  // namespace lockstep::traces
