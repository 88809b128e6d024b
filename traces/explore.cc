#include "traces/explore.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>

#include "impl/run_workload.h"
#include "sim/scheduler.h"
#include "sim/sim_runtime.h"
#include "traces/capture.h"
#include "traces/distinct.h"
#include "traces/recovery.h"

namespace lockstep::traces {

namespace {

std::uint64_t schedule_hash(const std::vector<sim::StepRecord>& steps) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a over (task, op, object)
  for (const sim::StepRecord& s : steps) {
    for (std::uint32_t v : {sim::raw(s.task), static_cast<std::uint32_t>(s.op.kind),
                            sim::raw(s.op.object)}) {
      h = (h ^ v) * 1099511628211ull;
    }
  }
  return h;
}

// One execution of the workload on the simulator, then the property checks.
struct ExecutionRun {
  impl::Probe probe;
  std::vector<properties::Violation> violations;
  std::optional<TraceFailure> sim_failure;  // crash or livelock no property flagged
};

void run_and_check(sim::Execution& ex, const impl::Workload& w, impl::DesignVariant design,
                   const properties::CheckOptions& checks, const sim::ExecutionOptions& options,
                   ExecutionRun& out) {
  ex.set_end_hook([&out](sim::Execution&) { out.probe.capture_snapshot(); });
  ex.run([&] { impl::run_workload<sim::SimRuntime>(w, design, out.probe); }, options);
  // No verdict on a schedule the strategy cut short, gave up on, or could not follow.
  if (ex.outcome() == sim::Outcome::kPruned || ex.outcome() == sim::Outcome::kAbandoned ||
      ex.outcome() == sim::Outcome::kInvalidPick) {
    return;
  }
  const std::vector<impl::Record> records = out.probe.records();
  const std::map<std::uint32_t, impl::TaskInfo> tasks = out.probe.tasks();
  const std::optional<impl::StateSnapshot> final_state = out.probe.final_state();
  const properties::ExecutionView view{w, design, records, tasks, final_state, end_state(ex)};
  out.violations = properties::check_execution(view, checks);
  if (out.violations.empty() && (ex.outcome() == sim::Outcome::kFailed ||
                                 ex.outcome() == sim::Outcome::kStepBound)) {
    // A data race is the simulator's own property (sim/race.h); any other failure of the run
    // is an exception that escaped the system under test.
    const bool crash = ex.outcome() == sim::Outcome::kFailed;
    std::string property = crash ? "crash" : "livelock";
    if (crash && !ex.failure_property().empty()) property = ex.failure_property();
    out.sim_failure = TraceFailure{property, ex.failure(), {},
                                   static_cast<std::int64_t>(ex.step()) - 1};
  }
}

bool failed(const ExecutionRun& run) { return !run.violations.empty() || run.sim_failure; }

void fill_failure(const ExecutionRun& run, Trace& t) {
  if (run.violations.empty()) {
    t.failure = run.sim_failure;
    return;
  }
  const properties::Violation& v = run.violations.front();
  t.failure = TraceFailure{std::string(properties::property_name(v.property)), v.message,
                           v.chain, v.step};
}

Trace base_trace(const impl::Workload& w, impl::DesignVariant design, const sim::Strategy& s,
                 const std::string& program) {
  Trace t;
  t.design = std::string(impl::design_variant_name(design));
  t.program = program;
  t.strategy = std::string(s.name());
  t.strategy_options = s.options();
  t.workload = nlohmann::ordered_json::parse(impl::workload_to_json(w).dump());
  return t;
}

// The lock-order violations of `order`, each with the executions that took its edges or did
// its hold (from `captured`, indexed through edge_source / wait_source; SIZE_MAX: none).
void judge_lock_order(const sim::LockOrder& order,
                      const std::vector<std::pair<std::uint64_t, Trace>>& captured,
                      const std::vector<std::size_t>& edge_source,
                      const std::vector<std::size_t>& wait_source, ExploreReport& report) {
  const properties::LockOrderView full = lock_order_view(order);
  auto evidence = [&](std::size_t source, std::string what) {
    std::vector<ExploreReport::LockOrderEvidence> out;
    if (source < captured.size()) {
      out.push_back({std::move(what), captured[source].first, captured[source].second});
    }
    return out;
  };
  for (const auto& cycle : full.cycles) {
    properties::LockOrderView one = full;
    one.cycles = {cycle};
    one.waits.clear();
    for (properties::Violation& v : properties::check_lock_order(one)) {
      std::vector<ExploreReport::LockOrderEvidence> ev;
      for (std::size_t e : cycle) {
        if (e >= full.edges.size()) continue;
        const properties::LockEdgeView& edge = full.edges[e];
        auto one_edge = evidence(e < edge_source.size() ? edge_source[e] : SIZE_MAX,
                                 fmt::format("{} held at {}, then {} taken at {}", edge.from,
                                             edge.held_site, edge.to, edge.acquire_site));
        for (auto& x : one_edge) ev.push_back(std::move(x));
      }
      report.lock_order_violations.push_back(std::move(v));
      report.lock_order_evidence.push_back(std::move(ev));
    }
  }
  for (std::size_t i = 0; i < full.waits.size(); ++i) {
    properties::LockOrderView one = full;
    one.cycles.clear();
    one.waits = {full.waits[i]};
    const properties::HeldAcrossWaitView& w = full.waits[i];
    for (properties::Violation& v : properties::check_lock_order(one)) {
      report.lock_order_violations.push_back(std::move(v));
      report.lock_order_evidence.push_back(
          evidence(i < wait_source.size() ? wait_source[i] : SIZE_MAX,
                   fmt::format("{} held at {} across {} at {}", w.held_class, w.held_site,
                               w.wait, w.wait_site)));
    }
  }
}

std::string& default_crash_path() {
  static std::string path;
  return path;
}

}  // namespace

void set_crash_trace_path(std::string path) { default_crash_path() = std::move(path); }

sim::ExecutionOptions replay_execution_options(const Trace& trace) {
  sim::ExecutionOptions o;
  const auto n = static_cast<std::uint32_t>(
      std::min<std::size_t>(trace.steps.size(), std::numeric_limits<std::uint32_t>::max() - 1));
  if (trace.outcome == sim::outcome_name(sim::Outcome::kStepBound)) {
    o.max_steps = n;
  } else {
    o.max_steps = std::max(o.max_steps, n + 1);
  }
  return o;
}

properties::EndState end_state(const sim::Execution& ex) {
  properties::EndState end;
  switch (ex.outcome()) {
    case sim::Outcome::kCompleted: end.kind = properties::EndKind::kCompleted; break;
    case sim::Outcome::kStuck: end.kind = properties::EndKind::kStuck; break;
    case sim::Outcome::kStepBound: end.kind = properties::EndKind::kStepBound; break;
    case sim::Outcome::kFailed:
    case sim::Outcome::kAbandoned:
    case sim::Outcome::kPruned:
    case sim::Outcome::kInvalidPick:
      end.kind = properties::EndKind::kFailed;
      break;
  }
  end.message = ex.failure();
  if (const auto& w = ex.wait_for()) {
    for (const sim::BlockedTask& b : w->blocked) {
      properties::BlockedTaskView v;
      v.task = sim::raw(b.task);
      v.name = b.name;
      v.thread_label = b.thread_label;
      v.op = std::string(sim::op_kind_name(b.op));
      v.object = b.object;
      v.lock_class = b.lock_class;
      v.site = b.site.str();
      for (sim::TaskId h : b.holders) v.holders.push_back(sim::raw(h));
      for (const sim::HeldLockInfo& h : b.held) {
        v.held.push_back(
            fmt::format("{}{} at {}", h.object, h.shared ? " (shared)" : "", h.site.str()));
      }
      end.blocked.push_back(std::move(v));
    }
    for (sim::TaskId t : w->cycle) end.cycle.push_back(sim::raw(t));
    for (const sim::FinishedHolder& f : w->finished_holders) {
      properties::FinishedHolderView v{sim::raw(f.task), {}};
      for (const sim::HeldLockInfo& h : f.held) {
        v.held.push_back(
            fmt::format("{}{} at {}", h.object, h.shared ? " (shared)" : "", h.site.str()));
      }
      end.finished_holders.push_back(std::move(v));
    }
  }
  return end;
}

ExploreReport explore_workload(const ExploreConfig& config) {
  if (auto why = impl::validate(config.workload); !why.empty()) {
    throw impl::WorkloadError("workload " + why);
  }
  std::unique_ptr<sim::Strategy> strategy = sim::make_strategy(config.strategy);
  if (!strategy) throw std::invalid_argument("unknown strategy: " + config.strategy.name);
  ExploreReport report;
  sim::Scheduler scheduler(*strategy);
  sim::LockOrder& order = config.lock_order != nullptr ? *config.lock_order : report.lock_order;
  sim::Execution ex(scheduler, &order);
  DistinctCounter schedules;
  // Evidence for lock-order violations: the trace of the first execution that added an edge
  // or a hold across a wait (few: one per new edge, not per execution).
  std::vector<std::pair<std::uint64_t, Trace>> captured;
  std::vector<std::size_t> edge_source(order.edges().size(), SIZE_MAX);
  std::vector<std::size_t> wait_source(order.held_across_waits().size(), SIZE_MAX);
  const std::string& crash_path =
      config.crash_trace_path.empty() ? default_crash_path() : config.crash_trace_path;
  if (!crash_path.empty()) {
    Trace header = base_trace(config.workload, config.design, *strategy, config.program);
    header.seed = config.strategy.seed;
    CrashRecorder::arm(crash_path, header, ex);
  }
  bool stopped_at_failure = false;
  while (scheduler.begin_execution()) {
    ExecutionRun run;
    run_and_check(ex, config.workload, config.design, config.checks, config.execution, run);
    if (ex.outcome() == sim::Outcome::kPruned) {
      edge_source.resize(order.edges().size(), SIZE_MAX);
      wait_source.resize(order.held_across_waits().size(), SIZE_MAX);
      // Cut short as equivalent to an execution already explored: no verdict, not counted.
      scheduler.end_execution({ex.outcome(), ex.step(), false});
      continue;
    }
    if (ex.outcome() == sim::Outcome::kInvalidPick) {
      // A bug of the strategy: nothing after it can be trusted.
      scheduler.end_execution({ex.outcome(), ex.step(), false});
      report.strategy_error = ex.failure();
      ++report.executions;
      break;
    }
    if (ex.outcome() == sim::Outcome::kAbandoned) {
      // Given up by the strategy: no verdict, counted, and the space is not exhausted.
      scheduler.end_execution({ex.outcome(), ex.step(), false});
      if (report.abandoned++ == 0) report.first_abandon_reason = ex.failure();
      ++report.executions;
      if (config.progress && report.executions % config.progress_every == 0) {
        config.progress({report.executions, report.failing_executions});
      }
      continue;
    }
    const bool failed = traces::failed(run);
    schedules.insert(schedule_hash(scheduler.steps()));
    if (order.edges().size() > edge_source.size() ||
        order.held_across_waits().size() > wait_source.size()) {
      Trace t = base_trace(config.workload, config.design, *strategy, config.program);
      capture_execution(ex, t);
      fill_failure(run, t);
      captured.emplace_back(report.executions, std::move(t));
      edge_source.resize(order.edges().size(), captured.size() - 1);
      wait_source.resize(order.held_across_waits().size(), captured.size() - 1);
    }
    bool decisive = failed;
    if (failed) {
      ++report.failing_executions;
      for (const auto& v : run.violations) ++report.failures_by_property[v.property];
      if (run.sim_failure) {
        const std::string& p = run.sim_failure->property;
        ++(p == "crash" ? report.crashes : p == "livelock" ? report.livelocks : report.data_races);
      }
      if (!config.stop_when.empty()) {
        // Keep only the violations asked for, first: they make this the first failure.
        auto wanted = [&](const properties::Violation& v) {
          return std::find(config.stop_when.begin(), config.stop_when.end(), v.property) !=
                 config.stop_when.end();
        };
        std::stable_partition(run.violations.begin(), run.violations.end(), wanted);
        decisive = !run.violations.empty() && wanted(run.violations.front());
      }
      if (decisive && !report.first_failure) {
        Trace t = base_trace(config.workload, config.design, *strategy, config.program);
        capture_execution(ex, t);
        fill_failure(run, t);
        report.first_failure = std::move(t);
        report.first_failure_index = report.executions;
      }
    }
    scheduler.end_execution({ex.outcome(), ex.step(), failed});
    ++report.executions;
    if (config.progress && report.executions % config.progress_every == 0) {
      config.progress({report.executions, report.failing_executions});
    }
    if (decisive && config.stop_on_failure) {
      stopped_at_failure = true;
      break;
    }
  }
  ex.set_end_hook(nullptr);
  if (!crash_path.empty()) CrashRecorder::disarm();
  report.distinct_schedules = schedules.count();
  report.distinct_estimated = schedules.estimated();
  // An exploration that stopped at a failure did not visit the rest of the space, even if the
  // strategy (whose last execution was cut short by the failure) has nothing left to try.
  // Nor is a space with an abandoned execution, or one the strategy could not follow.
  report.exhausted = strategy->exhausted() && !stopped_at_failure && report.abandoned == 0 &&
                     report.strategy_error.empty();
  report.metrics = scheduler.metrics();
  judge_lock_order(order, captured, edge_source, wait_source, report);
  for (const auto& v : report.lock_order_violations) ++report.failures_by_property[v.property];
  return report;
}

impl::DesignVariant trace_design(const Trace& trace) {
  const auto design = impl::parse_design_variant(trace.design);
  if (!design) {
    throw TraceError(fmt::format("trace: unknown design \"{}\" (known: {})", trace.design,
                                 impl::design_variant_names()));
  }
  return *design;
}

impl::Workload trace_workload(const Trace& trace) {
  try {
    return impl::workload_from_json(nlohmann::json::parse(trace.workload.dump()));
  } catch (const std::exception& e) {
    throw TraceError(fmt::format("trace: unreadable workload: {}", e.what()));
  }
}

ReplayReport run_single(const impl::Workload& w, impl::DesignVariant design,
                        sim::Strategy& strategy, const std::string& program,
                        const sim::ExecutionOptions& options) {
  sim::Scheduler scheduler(strategy);
  sim::LockOrder order;
  sim::Execution ex(scheduler, &order);
  ReplayReport report;
  if (!default_crash_path().empty()) {
    CrashRecorder::arm(default_crash_path(), base_trace(w, design, strategy, program), ex);
  }
  scheduler.begin_execution();
  ExecutionRun run;
  run_and_check(ex, w, design, {}, options, run);
  if (!default_crash_path().empty()) CrashRecorder::disarm();
  scheduler.end_execution({ex.outcome(), ex.step(), failed(run)});
  report.divergence = strategy.divergence();
  report.trace = base_trace(w, design, strategy, program);
  capture_execution(ex, report.trace);
  if (failed(run)) fill_failure(run, report.trace);
  report.violations = std::move(run.violations);
  report.probe_log = run.probe.dump();
  ex.set_end_hook(nullptr);
  return report;
}

ReplayReport replay_trace(const Trace& trace) {
  const impl::DesignVariant design = trace_design(trace);
  const impl::Workload w = trace_workload(trace);
  auto strategy = sim::make_replay_strategy(replay_options(trace));
  ReplayReport report =
      run_single(w, design, *strategy, trace.program, replay_execution_options(trace));
  report.trace.strategy = trace.strategy;
  report.trace.strategy_options = trace.strategy_options;
  report.trace.seed = trace.seed;
  return report;
}

properties::LockOrderView lock_order_view(const sim::LockOrder& order) {
  properties::LockOrderView v;
  v.classes = order.classes();
  for (const sim::LockEdge& e : order.edges()) {
    v.edges.push_back({order.classes()[e.from], order.classes()[e.to], e.held_site.str(),
                       e.acquire_site.str(), e.count});
  }
  for (const sim::LockCycle& c : order.cycles()) v.cycles.push_back(c.edges);
  for (const sim::HeldAcrossWait& h : order.held_across_waits()) {
    v.waits.push_back({order.classes()[h.held_class], std::string(sim::op_kind_name(h.wait)),
                       h.waited, h.held_site.str(), h.wait_site.str(), h.count, h.blocked});
  }
  return v;
}

}  // namespace lockstep::traces
