// bench/sim_bench.cc: the cost of lockstep's scheduling step and executions, each printed as a
// ratio to a bare Boost.Context fiber round trip measured first, in the same binary and run.
//
//   BareFiberRoundTrip      boost::context::fiber: main -> fiber -> main
//   MutexPingPongStep       two tasks taking turns on one mutex; per scheduling step
//   ChannelRingStep         ten tasks passing a token around a ring of channels; per step
//   SharedCounterStep/races_on|races_off  two tasks taking turns on a mutex to update a
//                           Shared counter, race detection on or off; per step
//   ThreeTaskLock/random    executions of three tasks each locking one mutex to increment a
//   ThreeTaskLock/dfs       counter (lock-order recording on); per execution
//
// Counters: ns_per_step (or ns_per_exec) and x_round_trip = that cost / the round trip, all in
// CPU time of the benchmark's OS thread (wall time is distorted by other load on the machine).
#include <benchmark/benchmark.h>

#include <chrono>

#include "bench/fiber_clock.h"
#include "sim/explore.h"
#include "sim/lock_order.h"
#include "sim/sim_runtime.h"

namespace lockstep::sim {
namespace {

using bench::thread_cpu_ns;

double g_round_trip_ns = 0;

void report(benchmark::State& state, double total_ns, double units, const char* per) {
  const double per_unit = total_ns / units;
  state.counters[per] = per_unit;
  if (g_round_trip_ns > 0) state.counters["x_round_trip"] = per_unit / g_round_trip_ns;
  state.counters["per_second"] = benchmark::Counter(units, benchmark::Counter::kIsRate);
}

void BareFiberRoundTrip(benchmark::State& state) {
  for (auto _ : state) g_round_trip_ns = bench::measure_round_trip_ns(20'000'000);
  state.counters["ns_per_round_trip"] = g_round_trip_ns;
}

template <class Body>
void steps_bench(benchmark::State& state, Body body, bool detect_races = true) {
  auto strategy = make_random_strategy({7, ~0ull});
  Scheduler scheduler(*strategy);
  LockOrder order;
  Execution ex(scheduler, &order);
  double steps = 0;
  const double t0 = thread_cpu_ns();
  for (auto _ : state) {
    scheduler.begin_execution();
    ex.run(body, {10'000'000, detect_races});
    steps += ex.step();
    scheduler.end_execution({ex.outcome(), ex.step(), false});
  }
  const double ns = thread_cpu_ns() - t0;
  report(state, ns, steps, "ns_per_step");
}

void MutexPingPongStep(benchmark::State& state) {
  steps_bench(state, [] {
    Mutex m("m");
    auto work = [&m] {
      for (int i = 0; i < 5000; ++i) {
        m.lock();
        m.unlock();
      }
    };
    JoinHandle a = spawn("a", work);
    work();
    a.join();
  });
}

void ChannelRingStep(benchmark::State& state) {
  steps_bench(state, [] {
    constexpr int kTasks = 10;
    constexpr int kLaps = 200;
    std::vector<std::unique_ptr<Channel<int>>> ring;
    for (int i = 0; i < kTasks; ++i) ring.push_back(std::make_unique<Channel<int>>("ring"));
    std::vector<JoinHandle> tasks;
    for (int i = 1; i < kTasks; ++i) {
      tasks.push_back(spawn("hop", [&ring, i] {
        for (int lap = 0; lap < kLaps; ++lap) ring[(i + 1) % kTasks]->send(*ring[i]->recv());
      }));
    }
    for (int lap = 0; lap < kLaps; ++lap) {
      ring[1]->send(lap);
      ring[0]->recv();
    }
    for (auto& t : tasks) t.join();
  });
}

// Two tasks taking turns on one mutex, each turn a load and a store of a Shared counter
// (update()); with race detection on, or off.
void SharedCounterStep(benchmark::State& state, bool detect_races) {
  steps_bench(
      state,
      [] {
        Mutex m("m");
        Shared<int> x("x", 0);
        auto work = [&m, &x] {
          for (int i = 0; i < 2500; ++i) {
            m.lock();
            x.update([](int v) { return v + 1; });
            m.unlock();
          }
        };
        JoinHandle a = spawn("a", work);
        work();
        a.join();
      },
      detect_races);
}

std::vector<std::function<void()>> three_task_lock(Mutex& m, int& counter) {
  auto inc = [&m, &counter] {
    m.lock();
    ++counter;
    m.unlock();
  };
  return {inc, inc, inc};
}

void ThreeTaskLock(benchmark::State& state, bool dfs) {
  Mutex m("m");
  int counter = 0;
  const auto tasks = three_task_lock(m, counter);
  LockOrder order;
  ExploreOptions o;
  o.lock_order = &order;
  double executions = 0;
  const double t0 = thread_cpu_ns();
  for (auto _ : state) {
    auto strategy = dfs ? make_dfs_strategy({}) : make_random_strategy({1, 10'000});
    const ExploreResult r = explore_tasks(*strategy, tasks, o);
    executions += static_cast<double>(r.executions);
    if (r.failures != 0) state.SkipWithError("unexpected failure");
  }
  const double ns = thread_cpu_ns() - t0;
  report(state, ns, executions, "ns_per_exec");
  state.counters["vs_160k_per_s"] = executions / (ns * 1e-9) / 160'000.0;
  benchmark::DoNotOptimize(counter);
}

BENCHMARK(BareFiberRoundTrip)->Iterations(1);
BENCHMARK(MutexPingPongStep)->Unit(benchmark::kMillisecond);
BENCHMARK(ChannelRingStep)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(SharedCounterStep, races_on, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(SharedCounterStep, races_off, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ThreeTaskLock, random, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ThreeTaskLock, dfs, true)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lockstep::sim

BENCHMARK_MAIN();
