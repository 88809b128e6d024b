// cli/explore_cmd.cc: `lockstep explore`.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/output.h"
#include "traces/explore.h"
#include "traces/generate.h"
#include "traces/scenarios.h"
#include "traces/shrink.h"
#include "traces/trace.h"

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

// "<design>--<scenario>--<strategy>-seed<S>[-shard<K>of<N>]": names every file of a row, so
// shards and parallel jobs sharing --out never pick the same name for different traces.
std::string file_stem(const ExploreArgs& a, const Row& r, const std::string& scenario) {
  std::string shard;
  if (!a.shard.empty()) {
    const auto slash = a.shard.find('/');
    shard = fmt::format("-shard{}of{}", a.shard.substr(0, slash), a.shard.substr(slash + 1));
  }
  return fmt::format("{}/{}--{}--{}-seed{}{}", a.out_dir, impl::design_variant_name(r.job.design),
                     scenario, a.strategy, a.seed, shard);
}

void make_out_dir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw traces::TraceError(fmt::format("cannot make {}: {}", dir, ec.message()));
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
  auto expected = [&r](properties::Property p) {
    return std::find(r.expected.begin(), r.expected.end(), p) != r.expected.end();
  };
  if (!f) {
    // The lock-order check (across executions) may be what catches a variant.
    for (const auto& v : r.report.lock_order_violations) {
      if (!expected(v.property)) continue;
      r.ok = true;
      r.verdict = "caught (lock order)";
      return;
    }
    r.ok = false;
    r.verdict = "NOT CAUGHT";
    return;
  }
  const auto p = properties::parse_property(f->failure->property);
  r.ok = p && expected(*p);
  r.verdict = r.ok ? "caught" : "caught by an unexpected property";
}

// Writes a row's failing trace (first, before anything about it is printed), shrinks it
// beside the original, and writes the lock-order evidence. A write error is noted.
void write_row_traces(const ExploreArgs& a, Row& row, const std::string& stem,
                      const std::string& label, Progress& progress,
                      std::vector<std::string>& output_errors) {
  try {
    if (row.report.first_failure) {
      // The trace goes to disk before anything about it is printed.
      make_out_dir(a.out_dir);
      row.trace_path = absolute(traces::write_new_trace_file(
          fmt::format("{}-exec{}.json", stem, row.report.first_failure_index + 1),
          *row.report.first_failure));
      if (a.shrink) {
        traces::ShrinkOptions so;
        so.max_attempts = a.shrink_attempts;
        so.progress = [&](const traces::ShrinkProgress& p) { progress.shrinking(label, p); };
        traces::set_crash_trace_path(absolute(stem + "-shrink-crash.json"));
        try {
          const traces::ShrinkResult s = traces::shrink_trace(*row.report.first_failure, so);
          row.shrunk_path =
              absolute(traces::write_new_trace_file(shrunk_path_for(row.trace_path), s.trace));
          row.shrunk_steps = s.steps_after;
          row.shrunk_ops = s.ops_after;
          row.shrink_budget_spent = s.budget_spent;
        } catch (const traces::TraceError& e) {
          if (std::string(e.what()).find("cannot write") != std::string::npos) throw;
          // e.g. a failure that does not reproduce alone: keep the trace, say why.
          output_errors.push_back(fmt::format("not shrunk ({}): {}", label, e.what()));
        }
        traces::set_crash_trace_path("");
        progress.done();
      }
    }
    for (std::size_t i = 0; i < row.report.lock_order_evidence.size(); ++i) {
      row.evidence_paths.emplace_back();
      for (std::size_t k = 0; k < row.report.lock_order_evidence[i].size(); ++k) {
        const auto& ev = row.report.lock_order_evidence[i][k];
        make_out_dir(a.out_dir);
        row.evidence_paths.back().push_back(absolute(traces::write_new_trace_file(
            fmt::format("{}-lock-order{}-exec{}.json", stem, i + 1, ev.execution + 1),
            ev.trace)));
      }
    }
  } catch (const traces::TraceError& e) {
    row.write_error = e.what();
    output_errors.push_back(e.what());
  }
}

// How many executions a row will run, when known (for the progress line's ETA).
std::uint64_t planned(const ExploreArgs& a, const sim::StrategyConfig& sc) {
  if (a.schedules == 0) return 0;
  if (sc.shards <= 1) return a.schedules;
  return a.schedules / sc.shards + (sc.shard < a.schedules % sc.shards ? 1 : 0);
}

// Prints (or writes) what a run found, by the one exit rule.
int finish(const ExploreArgs& a, const std::vector<Row>& rows,
           std::vector<std::string>& output_errors, double total) {
  bool all_ok = true;
  for (const Row& r : rows) all_ok = all_ok && r.ok;
  if (!a.junit.empty()) {
    try {
      write_junit(a.junit, rows);
    } catch (const UsageError& e) {
      output_errors.push_back(e.what());
    }
  }
  const std::string binary = self_path();
  if (a.json) {
    std::fputs(summary_json(rows, a, total).c_str(), stdout);
  } else {
    for (const Row& r : rows) {
      if (r.job.design != impl::DesignVariant::kCurrent && rows.size() > 1) continue;
      if (r.report.first_failure) {
        print_failure(*r.report.first_failure, r.trace_path,
                      {a.seed, r.report.first_failure_index + 1, a.shard});
      }
      if (!r.report.lock_order_violations.empty()) print_lock_order_failure(r);
    }
    std::fputs(summary_table(rows, a, total).c_str(), stdout);
    if (a.stats) std::fputs(stats_text(rows, total).c_str(), stdout);
    // Every trace written, by row; then the one command that replays the first failure.
    std::string replay;
    for (const Row& r : rows) {
      if (r.trace_path.empty()) continue;
      std::printf("trace of %s / %s: %s%s\n",
                  std::string(impl::design_variant_name(r.job.design)).c_str(),
                  row_name(r).c_str(), r.trace_path.c_str(),
                  r.shrunk_path.empty() ? ""
                                        : fmt::format(" (shrunk to {} steps{}: {})", r.shrunk_steps,
                                                      r.shrink_budget_spent ? ", budget spent" : "",
                                                      r.shrunk_path)
                                              .c_str());
      const bool counts = r.job.design == impl::DesignVariant::kCurrent || rows.size() == 1;
      if (replay.empty() && counts) {
        replay = r.shrunk_path.empty() ? r.trace_path : r.shrunk_path;
      }
    }
    if (!replay.empty()) std::printf("replay: %s replay %s\n", binary.c_str(), replay.c_str());
  }
  // A strategy that picked a task that cannot run is a bug of the tool: an error, exit 3.
  for (const Row& r : rows) {
    if (!r.report.strategy_error.empty()) {
      std::fprintf(stderr, "lockstep: error: %s\n", r.report.strategy_error.c_str());
      return 3;
    }
  }
  if (!output_errors.empty()) {
    for (const std::string& e : output_errors) usage_error(e);
    const bool only_shrink_notes = std::all_of(
        output_errors.begin(), output_errors.end(),
        [](const std::string& e) { return e.rfind("not shrunk", 0) == 0; });
    if (!only_shrink_notes) return 2;
  }
  // One rule (cli/commands.h): 0 when every row is ok, as JSON "ok" and JUnit say.
  return all_ok ? 0 : 1;
}


// Adds one workload's exploration to a generated row's totals.
void add_to(traces::ExploreReport& sum, traces::ExploreReport&& r, bool first) {
  sum.exhausted = (first || sum.exhausted) && r.exhausted;
  sum.executions += r.executions;
  sum.failing_executions += r.failing_executions;
  sum.crashes += r.crashes;
  sum.livelocks += r.livelocks;
  sum.data_races += r.data_races;
  sum.distinct_schedules += r.distinct_schedules;  // distinct (workload, schedule) pairs
  sum.distinct_estimated = sum.distinct_estimated || r.distinct_estimated;
  for (const auto& [p, n] : r.failures_by_property) sum.failures_by_property[p] += n;
  if (sum.abandoned == 0 && r.abandoned > 0) sum.first_abandon_reason = r.first_abandon_reason;
  sum.abandoned += r.abandoned;
  if (sum.strategy_error.empty()) sum.strategy_error = r.strategy_error;
  sum.metrics.executions += r.metrics.executions;
  sum.metrics.steps += r.metrics.steps;
  sum.metrics.max_steps_in_execution =
      std::max(sum.metrics.max_steps_in_execution, r.metrics.max_steps_in_execution);
  sum.metrics.abandoned += r.metrics.abandoned;
  sum.metrics.pruned += r.metrics.pruned;
  sum.metrics.invalid_picks += r.metrics.invalid_picks;
}

// Whether a workload's exploration decides its row: a failure on current (any property, the
// lock-order check included), the property SPEC.md names on a variant, or a tool error.
bool decides(const Row& row, const traces::ExploreReport& r) {
  if (!r.strategy_error.empty() || r.first_failure) return true;
  for (const auto& v : r.lock_order_violations) {
    if (row.job.design == impl::DesignVariant::kCurrent ||
        std::find(row.expected.begin(), row.expected.end(), v.property) != row.expected.end()) {
      return true;
    }
  }
  return false;
}

// --generate: each design explores workloads i = K, K+N, ... (shard K of N) of the series of
// --seed, each under the strategy with --schedules executions, until one decides the row, the
// series ends (--workloads) or the time does (--time, read between workloads only). Variants
// run first, each with an even share of the time left, so `current` gets what they leave.
int run_generated(const ExploreArgs& a, const sim::StrategyConfig& sc, std::vector<Job> jobs) {
  Progress progress(a.json);
  std::vector<std::string> output_errors;
  const auto all_start = Clock::now();
  const std::optional<Clock::time_point> time_end =
      a.time_seconds ? std::optional(all_start + std::chrono::seconds(*a.time_seconds))
                     : std::nullopt;
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    if (jobs[k].design != impl::DesignVariant::kCurrent) order.push_back(k);
  }
  for (std::size_t k = 0; k < jobs.size(); ++k) {
    if (jobs[k].design == impl::DesignVariant::kCurrent) order.push_back(k);
  }
  std::vector<Row> rows(jobs.size());
  const std::uint64_t step = std::max<std::uint64_t>(sc.shards, 1);
  for (std::size_t n = 0; n < order.size(); ++n) {
    Row& row = rows[order[n]];
    row.job = std::move(jobs[order[n]]);
    row.generated = true;
    row.expected = traces::expected_properties(row.job.design);
    std::optional<Clock::time_point> row_end;
    const auto start = Clock::now();
    if (time_end) row_end = start + (*time_end - start) / static_cast<long>(order.size() - n);
    for (std::uint64_t i = sc.shards > 1 ? sc.shard : 0;; i += step) {
      if (a.workloads && i >= *a.workloads) break;
      if (row_end && Clock::now() >= *row_end) {
        row.time_stopped = true;
        break;
      }
      traces::ExploreConfig c;
      c.workload = traces::generate_workload(a.seed, i);
      c.design = row.job.design;
      c.strategy = sc;
      c.strategy.seed = traces::exploration_seed(a.seed, i);
      c.strategy.shard = 0;
      c.strategy.shards = 1;
      c.execution.max_steps = a.max_steps;
      c.program = traces::generated_program(a.seed, i);
      c.stop_when = row.expected;
      c.progress_every = 64;
      const std::string scenario = fmt::format("generated-w{}", i);
      const std::string stem = file_stem(a, row, scenario);
      c.crash_trace_path = absolute(stem + "-crash.json");
      const std::string label =
          fmt::format("{} / {}", impl::design_variant_name(row.job.design), scenario);
      // One line for the row: its executions so far, in the workload it is at.
      const std::string at = fmt::format("{} / generated (workload {}, {} run)",
                                         impl::design_variant_name(row.job.design), i,
                                         row.workloads);
      c.progress = [&](const traces::ExploreProgress& p) {
        progress.update(at, {row.report.executions + p.executions,
                             row.report.failing_executions + p.failures}, 0);
      };
      traces::ExploreReport r = traces::explore_workload(c);
      const bool decisive = decides(row, r);
      if (decisive) {
        row.report.first_failure = std::move(r.first_failure);
        row.report.first_failure_index = r.first_failure_index;
        row.report.lock_order_violations = std::move(r.lock_order_violations);
        row.report.lock_order_evidence = std::move(r.lock_order_evidence);
      }
      add_to(row.report, std::move(r), row.workloads == 0);
      ++row.workloads;
      if (decisive) {
        row.failing_workload = i;
        write_row_traces(a, row, stem, label, progress, output_errors);
        break;
      }
    }
    progress.done();
    row.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    judge(row);
  }
  const double total = std::chrono::duration<double>(Clock::now() - all_start).count();
  return finish(a, rows, output_errors, total);
}

}  // namespace

int run_explore(const ExploreArgs& args) {
  ExploreArgs a = args;
  if (a.generate) {
    // Generated workloads: PCT unless another strategy is asked for; --schedules per workload.
    if (!a.strategy_given) a.strategy = "pct";
    if (!a.schedules_given) a.schedules = kGeneratedSchedules;
    if (!a.workloads && !a.time_seconds) a.workloads = kGeneratedWorkloads;
    if (!a.workload_file.empty() || !a.scenario.empty()) {
      return usage_error("--generate draws its own workloads: not with --workload or --scenario");
    }
  } else if (a.workloads || a.time_seconds) {
    return usage_error(fmt::format("{} applies to --generate only",
                                   a.workloads ? "--workloads" : "--time"));
  }
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
  const bool systematic = a.strategy == "dfs" || a.strategy == "dpor";
  if (a.schedules == 0 && !systematic) {
    return usage_error(fmt::format(
        "--schedules 0 means \"until exhausted\", which only dfs and dpor have; {} needs a "
        "positive number of executions",
        a.strategy));
  }
  if (!a.shard.empty()) {
    if (!parse_shard(a.shard, sc.shard, sc.shards)) {
      return usage_error(fmt::format("--shard must be K/N with 0 <= K < N, got \"{}\"", a.shard));
    }
    // Generated runs split the workload series, so every strategy can be sharded.
    if (systematic && !a.generate) {
      return usage_error(fmt::format("--shard applies to random and pct, not {}", a.strategy));
    }
  }
  if (a.preemption_bound && !systematic) {
    return usage_error("--preemption-bound applies to dfs and dpor only");
  }
  if (a.records_commute && a.strategy != "dpor") {
    return usage_error("--records-commute applies to dpor only");
  }
  std::vector<Job> jobs;
  try {
    if (a.generate) {
      for (const Job& j : jobs_for(a)) {
        // One row per design (jobs_for gives current one job per built-in scenario).
        if (jobs.empty() || jobs.back().design != j.design) {
          jobs.push_back({j.design, "generated", {}});
        }
      }
    } else {
      jobs = jobs_for(a);
    }
    // Every output is checked before the run: a verdict must not be lost to a bad path.
    check_writable_dir(a.out_dir, "--out");
    if (!a.junit.empty()) check_writable_file(a.junit, "--junit");
  } catch (const UsageError& e) {
    return usage_error(e.what());
  }
  if (a.generate) return run_generated(a, sc, std::move(jobs));

  Progress progress(a.json);
  std::vector<Row> rows;
  std::vector<std::string> output_errors;
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
    c.progress_every = 64;       // Progress shows a line only every few seconds
    const std::string stem = file_stem(a, row, row.job.scenario);
    // A fatal signal in the system under test still leaves the execution's trace.
    c.crash_trace_path = absolute(stem + "-crash.json");
    const std::string label =
        fmt::format("{} / {}", impl::design_variant_name(row.job.design), row.job.scenario);
    const std::uint64_t total = planned(a, sc);
    c.progress = [&](const traces::ExploreProgress& p) { progress.update(label, p, total); };
    const auto start = Clock::now();
    row.report = traces::explore_workload(c);
    row.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    progress.done();
    write_row_traces(a, row, stem, label, progress, output_errors);
    judge(row);
    rows.push_back(std::move(row));
  }
  const double total = std::chrono::duration<double>(Clock::now() - all_start).count();
  return finish(a, rows, output_errors, total);
}

}  // namespace lockstep::cli
