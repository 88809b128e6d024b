// tests/impl/threads_run.h: run a workload on OS threads in the background of a test, with a
// Choreo to force an interleaving and a StallRelease to end hung work.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

#include "impl/run_workload.h"
#include "impl/threads_runtime.h"
#include "tests/impl/choreo.h"

namespace lockstep::impl::testing {

// How long a test waits for something that must not happen in a broken design (it would
// happen within microseconds in the current one).
inline constexpr std::chrono::seconds kNegativeWait{2};

class ThreadsRun {
 public:
  ThreadsRun() = default;
  ThreadsRun(const ThreadsRun&) = delete;
  ThreadsRun& operator=(const ThreadsRun&) = delete;
  ~ThreadsRun() { finish(); }

  void start(const Workload& w, DesignVariant v) {
    runner_ = std::thread([this, w, v] {
      run_workload<ThreadsRuntime>(w, v, probe, RunOptions{&release, std::nullopt});
    });
  }
  // Releases every stall and waits for the run to end.
  void finish() {
    release.fire();
    if (runner_.joinable()) runner_.join();
  }

  Probe probe;
  Choreo choreo{probe};
  StallRelease release;

 private:
  std::thread runner_;
};

inline ClientScript client(std::uint32_t c, std::vector<WorkloadOp> ops) {
  return ClientScript{ConnectionId{c}, std::move(ops)};
}

// A workload with no idle unloads, no settle time and no cleanup ticks.
inline Workload workload(std::vector<ClientScript> clients) {
  Workload w;
  w.clients = std::move(clients);
  w.unload_delay = std::chrono::hours(24);
  w.settle = std::chrono::milliseconds(0);
  return w;
}

inline constexpr Stall kHang{StallKind::kHangForever, std::chrono::milliseconds(0)};

}  // namespace lockstep::impl::testing
