// tests/oracles/threads_outcomes.h: outcomes of a Program (program.h) on OS threads, with the
// real-threads primitives (impl/threads_runtime.h) and seeded random delays.
//
// Contract
// - Each run builds a fresh World, starts the root on its own OS thread (ThreadsRuntime::spawn)
//   and waits for it at most `hang_after`. Every task pauses before each operation and before
//   each labelled point: nothing, std::this_thread::yield(), or a spin of a random length,
//   drawn from a splitmix64 generator seeded by (seed, run, task). The OS decides the rest, so
//   runs are not reproducible; the first run that produced each outcome is kept as a witness.
// - A run that does not finish within `hang_after` is a hang: `on_hang` gets a description
//   (program, run, labels passed so far) and must not return; tasks blocked in an OS lock
//   cannot be cancelled, so the process cannot go on (the caller reports and aborts).
// - The condition variable is std::condition_variable_any over ThreadsRuntime::Mutex: it may
//   wake spuriously and notify_one may pick any waiter; programs are written so that neither
//   can change an outcome (program.h).
// Threading: call from one OS thread; it starts the run's tasks. Cost: one OS thread per task
// per run.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "tests/oracles/program.h"

namespace lockstep::oracles {

struct ThreadsOutcomes {
  std::map<std::string, std::uint64_t> outcomes;  // Outcome::str() -> first run that had it
  std::uint64_t runs = 0;
};

using HangFn = std::function<void(const std::string& description)>;

ThreadsOutcomes threads_outcomes(const Program& p, std::uint64_t runs, std::uint64_t seed,
                                 std::chrono::milliseconds hang_after, const HangFn& on_hang);

}  // namespace lockstep::oracles
