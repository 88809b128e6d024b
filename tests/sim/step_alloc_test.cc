// The scheduling step allocates nothing once an Execution has warmed up, race detection
// included: an execution of 2,000 steps allocates exactly as much as one of 20 (what it
// allocates is the tasks' set-up, the same for both). Global operator new is counted here,
// so this test has its own binary.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "sim/scheduler.h"
#include "sim/sim_runtime.h"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace lockstep::sim {
namespace {

// Two tasks taking turns on a mutex around an update of a Shared counter, each followed by
// a load, outside the lock, of a variable nobody stores to (concurrent reads).
void body(int rounds) {
  Mutex m("m");
  Shared<int> x("x", 0);
  Shared<int> constant("constant", 7);
  auto work = [&, rounds] {
    for (int i = 0; i < rounds; ++i) {
      m.lock();
      x.update([](int v) { return v + 1; });
      m.unlock();
      (void)constant.load();
    }
  };
  JoinHandle a = spawn("a", work);
  work();
  a.join();
}

TEST(StepAllocation, StepsAllocateNothingWithRaceDetectionOn) {
  auto strategy = make_random_strategy({5, ~0ull});
  Scheduler scheduler(*strategy);
  Execution ex(scheduler);
  auto run = [&](int rounds) {
    scheduler.begin_execution();
    const std::uint64_t before = g_allocations.load();
    ex.run([rounds] { body(rounds); });
    const std::uint64_t used = g_allocations.load() - before;
    EXPECT_EQ(ex.outcome(), Outcome::kCompleted) << ex.failure();
    scheduler.end_execution({ex.outcome(), ex.step(), false});
    return used;
  };
  run(400);  // warm-up: buffers grow to the largest execution
  run(400);
  const std::uint64_t small = run(4);
  const std::uint64_t large = run(400);  // 100 times the steps
  EXPECT_EQ(large, small);
  EXPECT_GT(ex.races().clock(TaskId{1}).size(), 0u);  // detection was on
}

}  // namespace
}  // namespace lockstep::sim
