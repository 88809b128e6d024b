// tests/impl/runtimes.h: run one test body as a task on either runtime, and small helpers that
// work on both (waiting for the background without reading a clock).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "impl/probe.h"
#include "impl/threads_runtime.h"
#include "sim/explore.h"
#include "sim/sim_runtime.h"
#include "sim/strategies/strategy.h"

namespace lockstep::impl::testing {

using Runtimes = ::testing::Types<ThreadsRuntime, sim::SimRuntime>;

struct RuntimeNames {
  template <class R>
  static std::string GetName(int) {
    return std::is_same_v<R, ThreadsRuntime> ? "threads" : "sim";
  }
};

// Runs `body` as a task: an OS thread, or the root task of one simulated execution (random
// schedule, seed 1).
template <class R>
void run_as_task(const std::function<void()>& body) {
  if constexpr (std::is_same_v<R, ThreadsRuntime>) {
    auto task = R::spawn("test", kNoThreadLabel, body);
    task.join();
  } else {
    bool finished = false;
    auto strategy = sim::make_random_strategy({1, 1});
    auto result = sim::explore(*strategy, [&] {
      finished = false;
      body();
      finished = true;
    });
    ASSERT_EQ(result.failures, 0u) << (result.first_failure ? result.first_failure->message : "");
    EXPECT_EQ(result.executions, 1u);
    EXPECT_TRUE(finished) << "the body did not run to its end under the simulator";
  }
}

// Yields until `pred` holds (bounded); the background (start, listener) runs meanwhile.
template <class R>
bool eventually(const std::function<bool()>& pred, int bound = 200000) {
  for (int i = 0; i < bound; ++i) {
    if (pred()) return true;
    R::yield();
  }
  return pred();
}

inline std::size_t count_records(const Probe& p, const std::function<bool(const Record&)>& f) {
  std::size_t n = 0;
  for (const auto& r : p.records()) n += f(r) ? 1 : 0;
  return n;
}

}  // namespace lockstep::impl::testing
