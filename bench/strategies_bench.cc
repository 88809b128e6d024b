// bench/strategies_bench.cc: end-to-end speed of each search strategy on the state manager, and
// how fast each strategy catches each variant, next to a bare Boost.Context fiber round trip
// measured first in the same run (bench/fiber_clock.h).
//
//   Throughput/<strategy>/<scenario>   `current` on a built-in scenario, 2,000 executions (DFS
//                                      and DPOR: fewer if the space is exhausted first), all seven
//                                      property checks on; counters per execution and per step
//   ToFailure/<strategy>/<variant>     the variant on its own scenario until the property
//                                      SPEC.md names fails: median over seeds 1..9 for random
//                                      and PCT (DFS and DPOR are deterministic: one run), of
//                                      wall time and executions to the first failure
//
// Counters: ns_per_step (CPU time of the benchmark's thread over scheduling steps, checks
// included) and x_round_trip = ns_per_step / the round trip; median_ms (wall), median_execs,
// caught (fraction of runs that found the failure within the budget of 200,000 executions).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "bench/fiber_clock.h"
#include "impl/design_variant.h"
#include "traces/explore.h"
#include "traces/scenarios.h"

namespace lockstep::bench {
namespace {

constexpr std::uint64_t kThroughputExecutions = 2000;
constexpr std::uint64_t kFailureBudget = 200'000;
constexpr std::uint64_t kSeeds = 9;

traces::ExploreConfig config_for(std::string_view strategy, std::uint64_t seed,
                                 std::uint64_t executions) {
  traces::ExploreConfig c;
  c.strategy = sim::StrategyConfig{std::string(strategy)};
  c.strategy.seed = seed;
  c.strategy.executions = executions;
  return c;
}

void Throughput(benchmark::State& state, std::string_view strategy, std::string_view scenario) {
  double cpu = 0;
  double steps = 0;
  double executions = 0;
  for (auto _ : state) {
    traces::ExploreConfig c = config_for(strategy, 1, kThroughputExecutions);
    c.workload = *traces::scenario(scenario);
    c.program = "scenario:" + std::string(scenario);
    const double t0 = thread_cpu_ns();
    const traces::ExploreReport r = traces::explore_workload(c);
    cpu += thread_cpu_ns() - t0;
    if (r.failing_executions != 0) state.SkipWithError("current failed a property");
    steps += static_cast<double>(r.metrics.steps);
    executions += static_cast<double>(r.executions);
  }
  state.counters["ns_per_step"] = cpu / steps;
  state.counters["x_round_trip"] = cpu / steps / round_trip_ns();
  state.counters["execs_per_s"] = executions / (cpu * 1e-9);
  state.counters["steps_per_exec"] = steps / executions;
}

void ToFailure(benchmark::State& state, std::string_view strategy, impl::DesignVariant v) {
  const bool seeded = strategy == "random" || strategy == "pct";
  std::vector<double> ms;
  std::vector<double> execs;
  double cpu = 0;
  double steps = 0;
  double caught = 0;
  std::uint64_t seed = 0;
  for (auto _ : state) {
    traces::ExploreConfig c = config_for(strategy, ++seed, kFailureBudget);
    const std::string_view scenario = traces::scenario_for(v);
    c.workload = *traces::scenario(scenario);
    c.program = "scenario:" + std::string(scenario);
    c.design = v;
    c.stop_when = traces::expected_properties(v);
    const auto w0 = std::chrono::steady_clock::now();
    const double t0 = thread_cpu_ns();
    const traces::ExploreReport r = traces::explore_workload(c);
    cpu += thread_cpu_ns() - t0;
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - w0)
                     .count());
    steps += static_cast<double>(r.metrics.steps);
    const bool found = r.first_failure.has_value();
    caught += found ? 1 : 0;
    execs.push_back(found ? static_cast<double>(r.first_failure_index + 1)
                          : static_cast<double>(r.executions));
  }
  auto median = [](std::vector<double> x) {
    std::sort(x.begin(), x.end());
    return x[x.size() / 2];
  };
  state.counters["median_ms"] = median(ms);
  state.counters["median_execs"] = median(execs);
  state.counters["caught"] = caught / static_cast<double>(ms.size());
  state.counters["ns_per_step"] = cpu / steps;
  state.counters["x_round_trip"] = cpu / steps / round_trip_ns();
  benchmark::DoNotOptimize(seeded);
}

void BareFiberRoundTrip(benchmark::State& state) {
  double ns = 0;
  for (auto _ : state) ns = round_trip_ns();
  state.counters["ns_per_round_trip"] = ns;
}

constexpr std::array<std::string_view, 4> kStrategies = {"random", "pct", "dfs", "dpor"};

int register_all() {
  benchmark::RegisterBenchmark("BareFiberRoundTrip", BareFiberRoundTrip)->Iterations(1);
  for (std::string_view s : kStrategies) {
    for (const traces::Scenario& sc : traces::scenarios()) {
      benchmark::RegisterBenchmark(
          fmt_name("Throughput", s, sc.name).c_str(),
          [s, n = sc.name](benchmark::State& st) { Throughput(st, s, n); })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(1);
    }
  }
  for (std::string_view s : kStrategies) {
    const bool seeded = s == "random" || s == "pct";
    for (impl::DesignVariant v : impl::kAllDesignVariants) {
      if (v == impl::DesignVariant::kCurrent) continue;
      benchmark::RegisterBenchmark(fmt_name("ToFailure", s, impl::design_variant_name(v)).c_str(),
                                   [s, v](benchmark::State& st) { ToFailure(st, s, v); })
          ->Unit(benchmark::kMillisecond)
          ->Iterations(seeded ? kSeeds : 1);
    }
  }
  return 0;
}

const int kRegistered = register_all();

}  // namespace
}  // namespace lockstep::bench


BENCHMARK_MAIN();
