// R::Shared<T> through the Runtime seam (impl/runtime.h): the same component, written once
// against R, runs on OS threads (a plain value) and under the simulator (sim::Shared, loads
// and stores seen by DPOR and the race detector). Under the simulator the race detector also
// checks it: guarded, no data race in any schedule; unguarded, a data race at the caller's
// line, which the seam passes through.
#include <gtest/gtest.h>

#include <source_location>
#include <string>
#include <vector>

#include "impl/runtime.h"
#include "tests/impl/runtimes.h"

namespace lockstep::impl {
namespace {

using testing::run_as_task;

static_assert(Runtime<ThreadsRuntime> && Runtime<sim::SimRuntime>);

// A counter guarded by a lock, and a value handed over through a channel.
template <class R>
struct Component {
  typename R::Mutex lock{"counter_lock"};
  typename R::template Shared<int> counter{"counter", 0};
  typename R::template Shared<int> payload{"payload", 0};
  typename R::template Channel<int> ready{"ready"};

  void increment(bool guarded, std::source_location site = std::source_location::current()) {
    if (guarded) {
      Guard<typename R::Mutex> g(lock, site);
      counter.update([](int v) { return v + 1; }, site);
    } else {
      counter.update([](int v) { return v + 1; }, site);
    }
  }
  void produce(int v) {
    payload.store(v);
    ready.send(1);
  }
  int consume() {
    ready.recv();
    return payload.load();
  }
};

// Three tasks increment `n` times each (guarded); one hands a value to the body.
template <class R>
void run_component(int n, int& counter, int& received) {
  Component<R> c;
  std::vector<typename R::Task> tasks;
  for (int i = 0; i < 3; ++i) {
    tasks.push_back(R::spawn("incrementer", kNoThreadLabel, [&c, n] {
      for (int k = 0; k < n; ++k) c.increment(true);
    }));
  }
  tasks.push_back(R::spawn("producer", kNoThreadLabel, [&c] { c.produce(42); }));
  received = c.consume();
  for (auto& t : tasks) t.join();
  counter = c.counter.load();
}

template <class R>
class SharedThroughTheSeam : public ::testing::Test {};
TYPED_TEST_SUITE(SharedThroughTheSeam, testing::Runtimes, testing::RuntimeNames);

TYPED_TEST(SharedThroughTheSeam, GuardedCounterAndHandOverAreExact) {
  using R = TypeParam;
  int counter = 0, received = 0;
  run_as_task<R>([&] { run_component<R>(50, counter, received); });
  EXPECT_EQ(counter, 150);
  EXPECT_EQ(received, 42);
}

TEST(SharedThroughTheSeamSim, NoDataRaceInAnySchedule) {
  // Every class of schedules (DPOR: each order of the critical sections, and of the
  // hand-over against them) of three guarded increments and the hand-over: no data race (race
  // detection is on by default), and the values are exact in each.
  int counter = 0, received = 0;
  auto dpor = sim::make_dpor_strategy({});
  const sim::ExploreResult r = sim::explore(*dpor, [&] {
    run_component<sim::SimRuntime>(1, counter, received);
    if (counter != 3 || received != 42) sim::fail("wrong values");
  });
  EXPECT_TRUE(r.exhausted);
  EXPECT_GT(r.executions, 1u);
  EXPECT_EQ(r.failures, 0u) << r.first_failure->message;
}

TEST(SharedThroughTheSeamSim, AnUnguardedIncrementIsADataRaceAtTheCallersLine) {
  auto dfs = sim::make_dfs_strategy({});
  int line = 0;
  const sim::ExploreResult r = sim::explore(*dfs, [&line] {
    Component<sim::SimRuntime> c;
    auto other = sim::SimRuntime::spawn("other", kNoThreadLabel, [&c] { c.increment(true); });
    line = static_cast<int>(std::source_location::current().line()) + 1;
    c.increment(false);
    other.join();
  });
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->index, 0u);
  EXPECT_EQ(r.first_failure->property, sim::kDataRace);
  const std::string& msg = r.first_failure->message;
  EXPECT_NE(msg.find("data race on counter#0"), std::string::npos) << msg;
  EXPECT_NE(msg.find("task 0 (root)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("task 1 (other)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("shared_runtime_test.cc:" + std::to_string(line)), std::string::npos)
      << msg;
}

}  // namespace
}  // namespace lockstep::impl
