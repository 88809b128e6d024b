// sim/clock.h: virtual time.
//
// Contract
// - Time is a count of nanoseconds from 0 at the start of each execution. It advances only
//   when no task can run and some task waits for a deadline (sleep_until, recv_until): it then
//   jumps to the earliest such deadline, so a 30-minute unload delay costs no wall time.
// - Deadlines that fall at the same instant all become due together; which of those tasks
//   runs first is the strategy's choice, like any other.
// - Timers live with the tasks that wait on them (TaskRecord::deadline); the earliest is found
//   by one pass over the waiting tasks, done only when nothing else can run.
// Identity/threading: one clock per Execution; no wall clock is ever read.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

namespace lockstep::sim {

inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

// A std::chrono clock whose now() is the current execution's virtual time.
struct SimClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<SimClock, duration>;
  static constexpr bool is_steady = true;
  static time_point now();  // the current execution's virtual time (sim/sim_runtime.cc)
};

using Duration = SimClock::duration;
using TimePoint = SimClock::time_point;

class VirtualClock {
 public:
  std::int64_t now() const { return now_; }
  void reset() { now_ = 0; }
  // Moves time forward to `deadline`; never backwards.
  void advance_to(std::int64_t deadline) {
    if (deadline > now_) now_ = deadline;
  }

 private:
  std::int64_t now_ = 0;
};

}  // namespace lockstep::sim
