// traces/shrink.cc: counterexample reduction, after Zeller and Hildebrandt, "Simplifying and
// Isolating Failure-Inducing Input" (TSE 2002), applied to the workload with single-element
// removals, and after Choi and Zeller (ISSTA 2002) to the schedule, whose "input" is the
// sequence of context switches. Departure: a smaller workload changes task and object ids, so
// its failing schedule is found again (guided by the old one, else by a short PCT search)
// rather than edited.
#include "traces/shrink.h"

#include <fmt/format.h>

#include "sim/strategies/strategy.h"
#include "traces/explore.h"

namespace lockstep::traces {

namespace {

struct Shrinker {
  const ShrinkOptions& options;
  impl::DesignVariant design;
  std::string property;
  std::string program;
  sim::ExecutionOptions execution;
  std::uint64_t attempts = 0;
  std::uint64_t steps = 0;
  ShrinkProgress progress;

  bool budget_left() const {
    return attempts < options.max_attempts && steps < options.max_total_steps;
  }

  void report(const impl::Workload& w, const Trace& best) {
    if (!options.progress) return;
    progress.attempts = attempts;
    progress.steps = steps;
    progress.ops = 0;
    for (const auto& c : w.clients) progress.ops += c.ops.size();
    progress.schedule_steps = best.steps.size();
    options.progress(progress);
  }

  bool fails_the_same(const ReplayReport& r) const {
    for (const auto& v : r.violations) {
      if (properties::property_name(v.property) == property) return true;
    }
    // A failure of the simulator itself (crash, livelock) that no property flagged.
    return r.violations.empty() && r.trace.failure && r.trace.failure->property == property;
  }

  // Keeps the failure of `property` first in the trace, as the original names it.
  Trace with_property_first(ReplayReport r) const {
    for (const auto& v : r.violations) {
      if (properties::property_name(v.property) == property) {
        r.trace.failure = TraceFailure{property, v.message, v.chain, v.step};
        break;
      }
    }
    return std::move(r.trace);
  }

  std::optional<Trace> guided(const impl::Workload& w, const Trace& like) {
    sim::GuidedOptions g;
    for (const TraceStep& s : like.steps) g.preferred.push_back(sim::TaskId{s.task});
    g.values = like.values;
    auto strategy = sim::make_guided_strategy(std::move(g));
    ++attempts;
    ReplayReport r = run_single(w, design, *strategy, program, execution);
    steps += r.trace.steps.size();
    if (!fails_the_same(r)) return std::nullopt;
    return with_property_first(std::move(r));
  }

  std::optional<Trace> research(const impl::Workload& w) {
    ExploreConfig c;
    c.workload = w;
    c.design = design;
    c.strategy = sim::StrategyConfig{"pct"};
    c.strategy.seed = 1;
    c.strategy.executions = options.research_budget;
    c.program = program;
    c.execution = execution;
    const ExploreReport r = explore_workload(c);
    attempts += r.executions;
    steps += r.metrics.steps;
    if (!r.first_failure || !r.first_failure->failure) return std::nullopt;
    if (r.first_failure->failure->property != property) return std::nullopt;
    // Re-run it guided so the kept trace is a plain, replayable single execution.
    return guided(w, *r.first_failure);
  }

  std::optional<Trace> try_workload(const impl::Workload& w, const Trace& like) {
    if (!impl::validate(w).empty()) return std::nullopt;
    if (auto t = guided(w, like)) return t;
    if (!budget_left()) return std::nullopt;
    return research(w);
  }
};

// Moves block k+1 after block k+2 (blocks are runs of one task).
std::vector<sim::TaskId> without_switch(const Trace& t, std::size_t k) {
  std::vector<std::pair<std::size_t, std::size_t>> blocks;  // [begin, end)
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    if (i == 0 || t.steps[i].task != t.steps[i - 1].task) blocks.emplace_back(i, i + 1);
    else blocks.back().second = i + 1;
  }
  std::vector<sim::TaskId> out;
  if (k + 2 >= blocks.size()) return out;
  auto emit = [&](std::pair<std::size_t, std::size_t> b) {
    for (std::size_t i = b.first; i < b.second; ++i) out.push_back(sim::TaskId{t.steps[i].task});
  };
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (b == k + 1) continue;
    emit(blocks[b]);
    if (b == k + 2) emit(blocks[k + 1]);
  }
  return out;
}

}  // namespace

std::size_t context_switches(const Trace& t) {
  std::size_t n = 0;
  for (std::size_t i = 1; i < t.steps.size(); ++i) n += t.steps[i].task != t.steps[i - 1].task;
  return n;
}

std::size_t workload_ops(const Trace& t) {
  const impl::Workload w = trace_workload(t);
  std::size_t n = 0;
  for (const auto& c : w.clients) n += c.ops.size();
  return n;
}

ShrinkResult shrink_trace(const Trace& failing, const ShrinkOptions& options) {
  if (!failing.failure) throw TraceError("trace: nothing to shrink: the trace records no failure");
  // The recorded failure must happen again on this build before anything is made smaller.
  const ReplayReport replayed = replay_trace(failing);
  if (!replayed.divergence.empty()) {
    throw TraceError("trace: cannot shrink: it does not replay on this build (" +
                     replayed.divergence + ")");
  }
  Shrinker s{options, trace_design(failing), failing.failure->property, failing.program,
             replay_execution_options(failing), 0, 0, {}};
  if (!s.fails_the_same(replayed)) {
    throw TraceError(fmt::format(
        "trace: cannot shrink: replayed, property {} does not fail (the trace's failure does "
        "not reproduce{})",
        failing.failure->property,
        replayed.trace.failure ? ", " + replayed.trace.failure->property + " fails instead"
                               : ""));
  }
  ShrinkResult result;
  result.ops_before = workload_ops(failing);
  result.steps_before = failing.steps.size();
  result.switches_before = context_switches(failing);

  Trace best = s.with_property_first(replayed);
  impl::Workload w = trace_workload(failing);
  s.report(w, best);

  // Phase 1: the workload.
  for (bool changed = true; changed && s.budget_left();) {
    changed = false;
    for (std::size_t ci = w.clients.size(); ci-- > 0 && s.budget_left();) {
      impl::Workload cand = w;
      cand.clients.erase(cand.clients.begin() + static_cast<std::ptrdiff_t>(ci));
      if (auto t = s.try_workload(cand, best)) {
        w = std::move(cand);
        best = std::move(*t);
        changed = true;
        s.report(w, best);
        continue;
      }
      s.report(w, best);
      for (std::size_t oi = w.clients[ci].ops.size(); oi-- > 0 && s.budget_left();) {
        impl::Workload op_cand = w;
        auto& ops = op_cand.clients[ci].ops;
        ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(oi));
        if (ops.empty()) continue;
        if (auto t = s.try_workload(op_cand, best)) {
          w = std::move(op_cand);
          best = std::move(*t);
          changed = true;
        }
        s.report(w, best);
      }
    }
  }

  // Phase 2: the schedule's context switches.
  for (bool changed = true; changed && s.budget_left();) {
    changed = false;
    for (std::size_t k = 0; s.budget_left(); ++k) {
      std::vector<sim::TaskId> order = without_switch(best, k);
      if (order.empty()) break;
      Trace like = best;
      for (std::size_t i = 0; i < order.size(); ++i) like.steps[i].task = sim::raw(order[i]);
      if (auto t = s.guided(w, like); t && context_switches(*t) < context_switches(best)) {
        best = std::move(*t);
        changed = true;
      }
      s.report(w, best);
    }
  }

  // The trace names the search that found the failure; the shrinker's own guided re-runs
  // are an option of it (replay reads only the steps and values).
  best.strategy = failing.strategy;
  best.strategy_options = failing.strategy_options;
  best.strategy_options.emplace_back("shrunk", "yes");
  best.seed = failing.seed;
  result.trace = std::move(best);
  result.ops_after = workload_ops(result.trace);
  result.steps_after = result.trace.steps.size();
  result.switches_after = context_switches(result.trace);
  result.attempts = s.attempts;
  result.budget_spent = !s.budget_left();
  return result;
}

}  // namespace lockstep::traces
