// cli/explore_cmd.cc: `lockstep explore`.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/output.h"
#include "traces/explore.h"
#include "traces/scenarios.h"
#include "traces/shrink.h"

namespace lockstep::cli {

namespace {

using Clock = std::chrono::steady_clock;  // the CLI's own timing, never inside a run

bool parse_shard(const std::string& text, std::uint64_t& k, std::uint64_t& n) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return false;
  try {
    std::size_t used = 0;
    k = std::stoull(text.substr(0, slash), &used);
    if (used != slash) return false;
    n = std::stoull(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) return false;
  } catch (const std::exception&) {
    return false;
  }
  return n >= 1 && k < n;
}

std::vector<Job> jobs_for(const ExploreArgs& a) {
  std::vector<impl::DesignVariant> designs;
  if (a.design == "all") {
    designs.assign(impl::kAllDesignVariants.begin(), impl::kAllDesignVariants.end());
  } else {
    auto d = impl::parse_design_variant(a.design);
    if (!d) {
      throw UsageError(fmt::format("unknown design \"{}\" (known: all, {})", a.design,
                                   impl::design_variant_names()));
    }
    designs.push_back(*d);
  }
  std::vector<Job> jobs;
  for (impl::DesignVariant d : designs) {
    if (!a.workload_file.empty()) {
      jobs.push_back({d, std::filesystem::path(a.workload_file).filename().string(),
                      read_workload_file(a.workload_file)});
    } else if (!a.scenario.empty()) {
      auto w = traces::scenario(a.scenario);
      if (!w) throw UsageError(fmt::format("unknown scenario \"{}\" (known: {})", a.scenario,
                                           scenario_names()));
      jobs.push_back({d, a.scenario, *w});
    } else if (d == impl::DesignVariant::kCurrent) {
      for (const traces::Scenario& s : traces::scenarios()) {
        jobs.push_back({d, std::string(s.name), s.make()});
      }
    } else {
      const std::string_view name = traces::scenario_for(d);
      jobs.push_back({d, std::string(name), *traces::scenario(name)});
    }
  }
  return jobs;
}

std::string failure_file(const ExploreArgs& a, const Row& r) {
  return fmt::format("{}/{}--{}--{}-seed{}-exec{}.json", a.out_dir,
                     impl::design_variant_name(r.job.design), r.job.scenario, a.strategy, a.seed,
                     r.report.first_failure_index);
}

void judge(Row& r) {
  const auto& f = r.report.first_failure;
  if (!r.report.strategy_error.empty()) {  // a bug of the tool: no verdict at all
    r.ok = false;
    r.verdict = "ERROR";
    return;
  }
  if (r.job.design == impl::DesignVariant::kCurrent) {
    r.ok = !f && r.report.lock_order_violations.empty();
    r.verdict = r.ok ? "all held" : "FAILED";
    return;
  }
  if (!f) {
    r.ok = false;
    r.verdict = "NOT CAUGHT";
    return;
  }
  const auto p = properties::parse_property(f->failure->property);
  r.ok = p && std::find(r.expected.begin(), r.expected.end(), *p) != r.expected.end();
  r.verdict = r.ok ? "caught" : "caught by an unexpected property";
}

}  // namespace

int run_explore(const ExploreArgs& a) {
  sim::StrategyConfig sc{a.strategy};
  sc.seed = a.seed;
  sc.executions = a.schedules;
  sc.depth = a.depth;
  sc.preemption_bound = a.preemption_bound;
  sc.records_commute = a.records_commute;
  if (!sim::make_strategy(sc)) {
    return usage_error(fmt::format("unknown strategy \"{}\" (known: {})", a.strategy,
                                   strategy_names()));
  }
  if (!a.shard.empty()) {
    if (!parse_shard(a.shard, sc.shard, sc.shards)) {
      return usage_error(fmt::format("--shard must be K/N with 0 <= K < N, got \"{}\"", a.shard));
    }
    if (a.strategy == "dfs" || a.strategy == "dpor") {
      return usage_error(fmt::format("--shard applies to random and pct, not {}", a.strategy));
    }
  }
  if (a.preemption_bound && a.strategy != "dfs" && a.strategy != "dpor") {
    return usage_error("--preemption-bound applies to dfs and dpor only");
  }
  if (a.records_commute && a.strategy != "dpor") {
    return usage_error("--records-commute applies to dpor only");
  }
  std::vector<Job> jobs;
  try {
    jobs = jobs_for(a);
  } catch (const UsageError& e) {
    return usage_error(e.what());
  }
  std::error_code ec;
  std::filesystem::create_directories(a.out_dir, ec);
  if (ec || access(a.out_dir.c_str(), W_OK) != 0) {
    return usage_error(fmt::format("cannot write failing traces to {}", a.out_dir));
  }

  Progress progress(a.json);
  std::vector<Row> rows;
  const auto all_start = Clock::now();
  for (Job& job : jobs) {
    Row row;
    row.job = std::move(job);
    row.expected = traces::expected_properties(row.job.design);
    traces::ExploreConfig c;
    c.workload = row.job.workload;
    c.design = row.job.design;
    c.strategy = sc;
    c.execution.max_steps = a.max_steps;
    c.program = "scenario:" + row.job.scenario;
    c.stop_when = row.expected;  // a variant: run until the property SPEC.md names catches it
    const std::string label =
        fmt::format("{} / {}", impl::design_variant_name(row.job.design), row.job.scenario);
    c.progress = [&](const traces::ExploreProgress& p) { progress.update(label, p); };
    const auto start = Clock::now();
    row.report = traces::explore_workload(c);
    row.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    progress.done();
    if (row.report.first_failure) {
      // The trace goes to disk before anything about it is printed.
      row.trace_path = failure_file(a, row);
      traces::write_trace_file(row.trace_path, *row.report.first_failure);
      if (a.shrink) {
        const traces::ShrinkResult s = traces::shrink_trace(*row.report.first_failure);
        row.shrunk_path = shrunk_path_for(row.trace_path);
        traces::write_trace_file(row.shrunk_path, s.trace);
        row.shrunk_steps = s.steps_after;
        row.shrunk_ops = s.ops_after;
      }
    }
    judge(row);
    rows.push_back(std::move(row));
  }
  const double total = std::chrono::duration<double>(Clock::now() - all_start).count();

  bool all_ok = true;
  bool any_failure = false;
  for (const Row& r : rows) {
    all_ok = all_ok && r.ok;
    any_failure = any_failure || r.report.first_failure || !r.report.lock_order_violations.empty();
  }
  if (!a.junit.empty()) write_junit(a.junit, rows);
  if (a.json) {
    std::fputs(summary_json(rows, a, total).c_str(), stdout);
  } else {
    for (const Row& r : rows) {
      if (!r.report.first_failure) continue;
      if (r.job.design != impl::DesignVariant::kCurrent && rows.size() > 1) continue;
      print_failure(*r.report.first_failure, r.trace_path);
    }
    std::fputs(summary_table(rows, a, total).c_str(), stdout);
    if (a.stats) std::fputs(stats_text(rows, total).c_str(), stdout);
    for (const Row& r : rows) {
      if (r.job.design == impl::DesignVariant::kCurrent && !r.trace_path.empty()) {
        std::printf("replay: lockstep replay %s\n", r.trace_path.c_str());
      }
    }
    if (rows.size() == 1 && !rows[0].trace_path.empty()) {
      std::printf("replay: lockstep replay %s\n", rows[0].trace_path.c_str());
    }
  }
  // A strategy that picked a task that cannot run is a bug of the tool: an error, exit 3.
  for (const Row& r : rows) {
    if (!r.report.strategy_error.empty()) {
      std::fprintf(stderr, "lockstep: error: %s\n", r.report.strategy_error.c_str());
      return 3;
    }
  }
  // --design all is the main job: it passes when current held everywhere and every variant
  // was caught by its property. A single design fails on any property failure.
  if (a.design == "all") return all_ok ? 0 : 1;
  return any_failure ? 1 : 0;
}

}  // namespace lockstep::cli
