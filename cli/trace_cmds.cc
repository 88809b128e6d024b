// cli/trace_cmds.cc: `lockstep replay`, `lockstep shrink` and `lockstep lockgraph`.
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/output.h"
#include "traces/explore.h"
#include "traces/report.h"
#include "traces/scenarios.h"
#include "traces/shrink.h"

namespace lockstep::cli {

int run_replay(const ReplayArgs& a) {
  const traces::Trace recorded = traces::read_trace_file(a.file);
  const traces::ReplayReport r = traces::replay_trace(recorded);
  std::printf("replay of %s: design %s, %s, recorded by %s (seed %llu)\n", a.file.c_str(),
              recorded.design.c_str(), recorded.program.c_str(), recorded.strategy.c_str(),
              static_cast<unsigned long long>(recorded.seed));
  std::printf("interleaving (%zu steps):\n%s", r.trace.steps.size(),
              traces::interleaving_table(r.trace).c_str());
  if (a.log) std::printf("observations:\n%s", r.probe_log.c_str());
  if (!r.divergence.empty()) {
    std::printf("the trace no longer matches this build: %s\n", r.divergence.c_str());
  }
  for (const auto& v : r.violations) {
    std::printf("property %s violated%s:\n  %s\n",
                std::string(properties::property_name(v.property)).c_str(),
                v.step >= 0 ? fmt::format(" at step {}", v.step).c_str() : "", v.message.c_str());
    for (const auto& link : v.chain) std::printf("    %s\n", link.c_str());
  }
  // A failure the simulator detected itself (data-race, crash, livelock) has no violation.
  const bool sim_failed = r.violations.empty() && r.trace.failure.has_value();
  if (sim_failed) {
    const traces::TraceFailure& f = *r.trace.failure;
    std::printf("property %s violated%s:\n  %s\n", f.property.c_str(),
                f.step >= 0 ? fmt::format(" at step {}", f.step).c_str() : "", f.message.c_str());
  }
  if (r.violations.empty() && !sim_failed) std::printf("all properties held on this execution\n");
  if (!a.check) return r.violations.empty() && !sim_failed ? 0 : 1;
  // --check: the same failure (property and step) must happen again, and nothing diverge.
  const bool same =
      r.divergence.empty() && recorded.failure.has_value() == r.trace.failure.has_value() &&
      (!recorded.failure || (recorded.failure->property == r.trace.failure->property &&
                             recorded.failure->step == r.trace.failure->step));
  std::printf("check: %s\n", same ? "the recorded outcome happened again" : "MISMATCH");
  return same ? 0 : 1;
}

int run_shrink(const ShrinkArgs& a) {
  const traces::Trace failing = traces::read_trace_file(a.file);
  traces::ShrinkOptions o;
  o.research_budget = a.budget;
  const traces::ShrinkResult s = traces::shrink_trace(failing, o);
  const std::string out = a.out.empty() ? shrunk_path_for(a.file) : a.out;
  traces::write_trace_file(out, s.trace);
  std::printf("shrunk %s (property %s):\n", a.file.c_str(),
              failing.failure ? failing.failure->property.c_str() : "-");
  std::printf("  workload ops      %zu -> %zu\n", s.ops_before, s.ops_after);
  std::printf("  schedule steps    %zu -> %zu\n", s.steps_before, s.steps_after);
  std::printf("  context switches  %zu -> %zu\n", s.switches_before, s.switches_after);
  std::printf("  (%llu candidate executions)\n", static_cast<unsigned long long>(s.attempts));
  std::printf("written to %s\nreplay: lockstep replay %s\n", out.c_str(), out.c_str());
  return 0;
}

int run_lockgraph(const LockgraphArgs& a) {
  traces::GraphFormat format;
  if (!traces::parse_graph_format(a.format, format)) {
    return usage_error(fmt::format("unknown format \"{}\" (known: text, dot, mermaid)", a.format));
  }
  const auto design = impl::parse_design_variant(a.design);
  if (!design) {
    return usage_error(fmt::format("unknown design \"{}\" (known: {})", a.design,
                                   impl::design_variant_names()));
  }
  std::vector<impl::Workload> workloads;
  if (!a.workload_file.empty()) {
    workloads.push_back(read_workload_file(a.workload_file));
  } else if (!a.scenario.empty()) {
    auto w = traces::scenario(a.scenario);
    if (!w) {
      return usage_error(fmt::format("unknown scenario \"{}\" (known: {})", a.scenario,
                                     scenario_names()));
    }
    workloads.push_back(*w);
  } else {
    for (const auto& s : traces::scenarios()) workloads.push_back(s.make());
  }
  // One lock-order record across every execution of every workload.
  sim::LockOrder merged;
  std::uint64_t executions = 0;
  std::vector<properties::Violation> violations;
  for (const impl::Workload& w : workloads) {
    traces::ExploreConfig c;
    c.workload = w;
    c.design = *design;
    c.strategy = sim::StrategyConfig{"random"};
    c.strategy.seed = a.seed;
    c.strategy.executions = a.schedules;
    c.stop_on_failure = false;
    c.lock_order = &merged;
    const traces::ExploreReport r = traces::explore_workload(c);
    executions += r.executions;
  }
  violations = properties::check_lock_order(traces::lock_order_view(merged));
  if (format == traces::GraphFormat::kText) {
    std::printf("lock order of design %s over %llu executions:\n", a.design.c_str(),
                static_cast<unsigned long long>(executions));
  }
  std::fputs(traces::lock_graph(merged, format).c_str(), stdout);
  if (format == traces::GraphFormat::kText) {
    for (const auto& v : violations) {
      std::printf("%s: %s\n", std::string(properties::property_name(v.property)).c_str(),
                  v.message.c_str());
    }
  }
  return violations.empty() ? 0 : 1;
}

}  // namespace lockstep::cli
