// cli/trace_cmds.cc: `lockstep replay`, `shrink`, `lockgraph`, `scenario` and `merge`.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "properties/property.h"
#include "traces/explore.h"
#include "traces/files.h"
#include "traces/report.h"
#include "traces/scenarios.h"
#include "traces/shrink.h"

namespace lockstep::cli {

namespace {

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  if (std::filesystem::equivalent(a, b, ec)) return true;
  return absolute(a) == absolute(b);
}

// Beside the input: where a fatal signal during a replay or shrink of `file` leaves its trace.
std::string crash_path_beside(const std::string& file, const char* what) {
  std::string stem = file;
  if (stem.size() > 5 && stem.compare(stem.size() - 5, 5, ".json") == 0) {
    stem.resize(stem.size() - 5);
  }
  return fmt::format("{}.{}-crash.json", stem, what);
}

}  // namespace

int run_replay(const ReplayArgs& a) {
  const traces::Trace recorded = traces::read_trace_file(a.file);
  traces::set_crash_trace_path(crash_path_beside(a.file, "replay"));
  const traces::ReplayReport r = traces::replay_trace(recorded);
  traces::set_crash_trace_path("");
  const bool shrunk = std::any_of(recorded.strategy_options.begin(),
                                  recorded.strategy_options.end(),
                                  [](const auto& kv) { return kv.first == "shrunk"; });
  std::printf("replay of %s: design %s, %s, recorded by %s%s (seed %llu)\n",
              absolute(a.file).c_str(), recorded.design.c_str(), recorded.program.c_str(),
              recorded.strategy.c_str(), shrunk ? ", then shrunk" : "",
              static_cast<unsigned long long>(recorded.seed));
  std::printf("interleaving (%zu steps):\n%s", r.trace.steps.size(),
              traces::interleaving_table(r.trace, 200, traces::cited_steps(r.trace)).c_str());
  if (a.log) std::printf("observations:\n%s", r.probe_log.c_str());
  if (!r.divergence.empty()) {
    // Nothing about properties can be said of an execution that is not the recorded one.
    return usage_error(fmt::format("{}: the trace does not match this build: {}", a.file,
                                   r.divergence));
  }
  bool any_note = false;
  for (const auto& v : r.violations) {
    std::printf("property %s violated%s:\n  %s\n",
                std::string(properties::property_name(v.property)).c_str(),
                v.step >= 0 ? fmt::format(" at step {}", v.step).c_str() : "", v.message.c_str());
    for (const auto& link : v.chain) std::printf("    %s\n", link.c_str());
    any_note = any_note || v.message.find('#') != std::string::npos;
  }
  if (any_note) std::printf("%s\n", std::string(traces::kNotationNote).c_str());
  // A failure of the simulator itself (livelock: the step bound; crash: an exception).
  const bool sim_failure = r.violations.empty() && r.trace.failure.has_value();
  if (sim_failure) {
    std::printf("%s at step %lld:\n  %s\n", r.trace.failure->property.c_str(),
                static_cast<long long>(r.trace.failure->step), r.trace.failure->message.c_str());
  }
  const bool failed = !r.violations.empty() || sim_failure;
  if (!failed) std::printf("all properties held on this execution\n");
  if (recorded.failure && !failed) {
    std::printf("the recorded failure (%s at step %lld) did not happen again\n",
                recorded.failure->property.c_str(),
                static_cast<long long>(recorded.failure->step));
  }
  if (!a.check) return failed ? 1 : 0;
  // --check: the same failure (property and step) must happen again.
  const bool same =
      recorded.failure.has_value() == r.trace.failure.has_value() &&
      (!recorded.failure || (recorded.failure->property == r.trace.failure->property &&
                             recorded.failure->step == r.trace.failure->step));
  std::printf("check: %s\n", same ? "the recorded outcome happened again" : "MISMATCH");
  return same ? 0 : 1;
}

int run_shrink(const ShrinkArgs& a) {
  const std::string out = a.out.empty() ? shrunk_path_for(a.file) : a.out;
  if (same_file(a.file, out)) {
    return usage_error(fmt::format("shrink: --out {} is the input trace; it would be lost", out));
  }
  check_writable_file(out, "--out");
  const traces::Trace failing = traces::read_trace_file(a.file);
  traces::ShrinkOptions o;
  o.research_budget = a.budget;
  o.max_attempts = a.max_attempts;
  Progress progress(false);
  o.progress = [&](const traces::ShrinkProgress& p) { progress.shrinking(a.file, p); };
  traces::set_crash_trace_path(crash_path_beside(out, "shrink"));
  const traces::ShrinkResult s = traces::shrink_trace(failing, o);
  traces::set_crash_trace_path("");
  progress.done();
  traces::write_trace_file(out, s.trace);
  std::printf("shrunk %s (property %s):\n", absolute(a.file).c_str(),
              failing.failure ? failing.failure->property.c_str() : "-");
  std::printf("  workload ops      %zu -> %zu\n", s.ops_before, s.ops_after);
  std::printf("  schedule steps    %zu -> %zu\n", s.steps_before, s.steps_after);
  std::printf("  context switches  %zu -> %zu\n", s.switches_before, s.switches_after);
  std::printf("  (%llu candidate executions%s)\n", static_cast<unsigned long long>(s.attempts),
              s.budget_spent ? "; the budget was spent, a smaller trace may exist" : "");
  std::printf("written to %s\nreplay: %s replay %s\n", absolute(out).c_str(), self_path().c_str(),
              absolute(out).c_str());
  return 0;
}

int run_lockgraph(const LockgraphArgs& a) {
  traces::GraphFormat format;
  if (!traces::parse_graph_format(a.format, format)) {
    return usage_error(fmt::format("unknown format \"{}\" (known: text, dot, mermaid)", a.format));
  }
  std::vector<impl::DesignVariant> designs;
  if (a.design == "all") {
    designs.assign(impl::kAllDesignVariants.begin(), impl::kAllDesignVariants.end());
  } else if (const auto design = impl::parse_design_variant(a.design)) {
    designs.push_back(*design);
  } else {
    return usage_error(fmt::format("unknown design \"{}\" (known: all, {})", a.design,
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
  traces::set_crash_trace_path("traces/failures/lockgraph-crash.json");
  bool any_violation = false;
  for (impl::DesignVariant design : designs) {
    const std::string name(impl::design_variant_name(design));
    // One lock-order record across every execution of every workload.
    sim::LockOrder merged;
    std::uint64_t executions = 0;
    for (const impl::Workload& w : workloads) {
      traces::ExploreConfig c;
      c.workload = w;
      c.design = design;
      c.strategy = sim::StrategyConfig{"random"};
      c.strategy.seed = a.seed;
      c.strategy.executions = a.schedules;
      c.stop_on_failure = false;
      c.lock_order = &merged;
      executions += traces::explore_workload(c).executions;
    }
    const auto violations = properties::check_lock_order(traces::lock_order_view(merged));
    any_violation = any_violation || !violations.empty();
    const std::string heading = fmt::format("lock order of design {} over {} executions", name,
                                            executions);
    if (format == traces::GraphFormat::kText) std::printf("%s:\n", heading.c_str());
    if (format == traces::GraphFormat::kDot) std::printf("// %s\n", heading.c_str());
    if (format == traces::GraphFormat::kMermaid) std::printf("%%%% %s\n", heading.c_str());
    const properties::LockOrderView view = traces::lock_order_view(merged);
    std::vector<bool> violating_waits;
    for (const auto& w : view.waits) violating_waits.push_back(!properties::find_allowed_hold(w));
    std::fputs(traces::lock_graph(merged, format, violating_waits).c_str(), stdout);
    for (const auto& v : violations) {
      const std::string line = fmt::format(
          "{}: {}: {}", name, std::string(properties::property_name(v.property)), v.message);
      // The graph stays valid DOT / Mermaid on stdout; the findings go where a person sees them.
      if (format == traces::GraphFormat::kText) {
        std::printf("%s\n", line.c_str());
      } else {
        std::fprintf(stderr, "lockstep: %s\n", line.c_str());
      }
    }
  }
  traces::set_crash_trace_path("");
  return any_violation ? 1 : 0;
}

int run_scenario(const ScenarioArgs& a) {
  if (a.name.empty()) {
    if (a.print) return usage_error("scenario --print needs a scenario name");
    for (const auto& s : traces::scenarios()) {
      std::printf("%-24s %s\n", std::string(s.name).c_str(), std::string(s.summary).c_str());
    }
    return 0;
  }
  const auto w = traces::scenario(a.name);
  if (!w) {
    return usage_error(fmt::format("unknown scenario \"{}\" (known: {})", a.name,
                                   scenario_names()));
  }
  if (a.print) {
    std::printf("%s\n", impl::workload_to_json(*w).dump(1).c_str());
    return 0;
  }
  for (const auto& s : traces::scenarios()) {
    if (s.name == a.name) std::printf("%s: %s\n", a.name.c_str(), std::string(s.summary).c_str());
  }
  std::printf("(--print writes it as a workload file to start from)\n");
  return 0;
}

int run_merge(const MergeArgs& a) {
  // Totals of shards' rows by design and scenario; the failure of the lowest shard index
  // that found one (its first execution there), with its trace.
  struct Merged {
    std::uint64_t executions = 0, shards = 0;
    bool ok = true;
    std::string verdict;
    nlohmann::json failure;  // the chosen shard's row
    std::uint64_t failure_shard = 0;
    std::optional<std::uint64_t> workloads;  // --generate rows: workloads run in all shards
  };
  std::map<std::pair<std::string, std::string>, Merged> rows;
  std::string strategy;
  std::uint64_t seed = 0;
  for (const std::string& file : a.files) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(traces::read_regular_file(file));
    } catch (const traces::FileError& e) {
      return usage_error(e.what());
    } catch (const nlohmann::json::exception& e) {
      return usage_error(fmt::format("{}: not a JSON summary ({})", file, e.what()));
    }
    try {
      const std::string st = j.at("strategy").get<std::string>();
      const std::uint64_t sd = j.at("seed").get<std::uint64_t>();
      if (!strategy.empty() && (st != strategy || sd != seed)) {
        return usage_error(fmt::format("{}: strategy {} seed {} differs from the first file's "
                                       "({} seed {})", file, st, sd, strategy, seed));
      }
      strategy = st;
      seed = sd;
      const std::string shard = j.at("shard").get<std::string>();
      const std::uint64_t k = shard.empty() ? 0 : std::stoull(shard.substr(0, shard.find('/')));
      for (const auto& row : j.at("rows")) {
        Merged& m = rows[{row.at("design").get<std::string>(), row.at("scenario").get<std::string>()}];
        m.executions += row.at("executions").get<std::uint64_t>();
        ++m.shards;
        // Generated rows: the failure of the lowest workload index, the one an unsharded run
        // reports (it stops there); other rows: the lowest shard's.
        const bool generated = row.contains("failing-workload");
        if (generated) m.workloads = m.workloads.value_or(0) + row.at("workloads").get<std::uint64_t>();
        const bool failed = !row.at("first-failure").is_null();
        const bool earlier =
            failed && (m.failure.is_null() ||
                       (generated ? row.at("failing-workload").get<std::uint64_t>() <
                                        m.failure.at("failing-workload").get<std::uint64_t>()
                                  : k < m.failure_shard));
        if (earlier) {
          m.failure = row;
          m.failure_shard = k;
        }
        if (!row.at("ok").get<bool>() && m.ok) {
          m.ok = false;
          m.verdict = row.at("verdict").get<std::string>();
        }
        if (m.ok) m.verdict = row.at("verdict").get<std::string>();
      }
    } catch (const std::exception& e) {
      return usage_error(fmt::format("{}: not a summary written by explore --json ({})", file,
                                     e.what()));
    }
  }
  // A variant is caught if any shard caught it: its "NOT CAUGHT" in another shard is not a
  // failure of the whole.
  bool all_ok = true;
  nlohmann::ordered_json out;
  out["strategy"] = strategy;
  out["seed"] = seed;
  out["files"] = a.files.size();
  out["rows"] = nlohmann::ordered_json::array();
  if (!a.json) {
    std::printf("lockstep merge: %zu summaries, strategy %s, seed %llu\n", a.files.size(),
                strategy.c_str(), static_cast<unsigned long long>(seed));
  }
  for (auto& [key, m] : rows) {
    const bool variant = key.first != "current";
    if (variant) {
      m.ok = !m.failure.is_null() && m.failure.at("ok").get<bool>();
      m.verdict = m.failure.is_null() ? "NOT CAUGHT" : m.failure.at("verdict").get<std::string>();
    }
    all_ok = all_ok && m.ok;
    nlohmann::ordered_json row;
    row["design"] = key.first;
    row["scenario"] = key.second;
    row["executions"] = m.executions;
    if (m.workloads) {
      row["workloads"] = *m.workloads;
      row["failing-workload"] = m.failure.is_null() ? nlohmann::json(nullptr)
                                                    : m.failure["failing-workload"];
    }
    row["shards"] = m.shards;
    row["first-failure-shard"] = m.failure.is_null() ? nlohmann::ordered_json(nullptr)
                                                      : nlohmann::ordered_json(m.failure_shard);
    row["first-failure"] = m.failure.is_null() ? nlohmann::json(nullptr) : m.failure["first-failure"];
    row["property"] = m.failure.is_null() ? nlohmann::json("-") : m.failure["property"];
    row["trace"] = m.failure.is_null() ? nlohmann::json("") : m.failure["trace"];
    row["verdict"] = m.verdict;
    row["ok"] = m.ok;
    if (!a.json) {
      std::printf("%-26s %-22s %10llu executions in %llu shard(s)%s  %s%s\n", key.first.c_str(),
                  key.second.c_str(), static_cast<unsigned long long>(m.executions),
                  static_cast<unsigned long long>(m.shards),
                  m.workloads ? fmt::format(", {} workloads", *m.workloads).c_str() : "",
                  m.verdict.c_str(),
                  m.failure.is_null()
                      ? ""
                      : fmt::format(" (shard {}, {}execution {}: {})", m.failure_shard,
                                    m.workloads ? fmt::format("workload {}, ",
                                                              m.failure["failing-workload"].dump())
                                                : "",
                                    m.failure["first-failure"].dump(),
                                    m.failure["trace"].get<std::string>())
                            .c_str());
    }
    out["rows"].push_back(row);
  }
  out["ok"] = all_ok;
  if (a.json) std::printf("%s\n", out.dump(1).c_str());
  return all_ok ? 0 : 1;
}

}  // namespace lockstep::cli
