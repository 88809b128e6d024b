// sim/sim_runtime.h: the simulator's task API (spawn, join, yield, sleep, now, data choices)
// and SimRuntime, the backend that satisfies impl::Runtime (impl/runtime.h) without including
// anything of impl/.
//
// Contract: every function here must be called from a task of the current execution (else
// std::logic_error). spawn, join, yield and sleep_until are scheduling points. now() is the
// virtual clock. choose(bound) is a data choice made by the strategy and recorded in traces.
// stamp() is the index of the step being run: observations made in one step share it and
// keep their program order.
#pragma once

#include <cstdint>
#include <functional>
#include <source_location>
#include <string_view>

#include "sim/channel.h"
#include "sim/clock.h"
#include "sim/execution.h"
#include "sim/shared.h"
#include "sim/sync.h"

namespace lockstep::sim {

class JoinHandle {
 public:
  JoinHandle() = default;
  explicit JoinHandle(TaskId task) : task_(task), valid_(true) {}
  // Blocks until the task has finished. A default-constructed handle joins nothing.
  void join(std::source_location site = std::source_location::current());
  TaskId task() const { return task_; }

 private:
  TaskId task_{};
  bool valid_ = false;
};

JoinHandle spawn(std::string_view name, std::uint32_t thread_label, std::function<void()> body,
                 std::source_location site = std::source_location::current());
inline JoinHandle spawn(std::string_view name, std::function<void()> body,
                        std::source_location site = std::source_location::current()) {
  return spawn(name, kNoThreadLabel, std::move(body), site);
}
void yield_now(std::source_location site = std::source_location::current());
void sleep_until(TimePoint deadline, std::source_location site = std::source_location::current());
inline TimePoint now() { return SimClock::now(); }
std::uint64_t choose(std::uint64_t bound);
// Fails the current execution with `message` (a property violated inside the run).
void fail(std::string message);

// The observation footprint of a record about (thread, connection), either of which may be
// kNoThreadLabel (none): a set of (thread, connection) pairs as a 64-bit mask, bit
// 8 * thread + connection. A record about a thread alone covers its row (every connection),
// one about a connection alone its column, one about neither (or an id of 8 or more) all of
// them. Two observations are ordered by DPOR only when their sets meet: the properties compare
// records only about the same thread or connection (sim/strategies/dpor.cc says why).
constexpr std::uint64_t observation_mask(std::uint32_t thread, std::uint32_t connection) {
  constexpr std::uint32_t kNone = kNoThreadLabel;
  if ((thread != kNone && thread >= 8) || (connection != kNone && connection >= 8)) return ~0ull;
  if (thread == kNone && connection == kNone) return ~0ull;
  if (connection == kNone) return 0xffull << (8 * thread);
  constexpr std::uint64_t kColumn = 0x0101010101010101ull;
  if (thread == kNone) return kColumn << connection;
  return 1ull << (8 * thread + connection);
}

struct SimRuntime {
  using Mutex = sim::Mutex;
  using SharedMutex = sim::SharedMutex;
  template <class T>
  using Channel = sim::Channel<T>;
  template <class T>
  using Shared = sim::Shared<T>;
  using Task = JoinHandle;
  using TimePoint = sim::TimePoint;
  using Duration = sim::Duration;

  static Task spawn(std::string_view name, std::uint32_t thread_label,
                    std::function<void()> body) {
    return sim::spawn(name, thread_label, std::move(body));
  }
  static TimePoint now() { return SimClock::now(); }
  static void sleep_until(TimePoint t) { sim::sleep_until(t); }
  static void yield() { yield_now(); }
  static std::uint64_t stamp();
  static std::uint32_t current_task();
  // An observation about (thread, connection) is being recorded by the current step.
  static void observe(std::uint32_t thread, std::uint32_t connection);
};

}  // namespace lockstep::sim
