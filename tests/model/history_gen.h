// tests/model/history_gen.h: histories for testing the linearizability checker.
//
// Contract
// - A history is first generated as a list of Records (so tests can perturb them), then
//   built into a model::History with build().
// - generate_execution() runs a simulated concurrent execution: each task invokes its ops
//   in order; each op takes effect atomically (model::apply) at one step strictly inside
//   its interval, so the resulting history is linearizable by construction. All choices
//   come from a Chooser, so RapidCheck (shrinking) and a seeded engine can both drive it.
// - Stamps of different tasks never coincide (one task per step, as under the simulator);
//   with `reuse_stamps` a task sometimes invokes at its own previous response stamp.
// - Threading: none. Cost: O(ops x (1 + max_wait)).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "model/history.h"
#include "model/reference_model.h"

namespace lockstep::model::testing {

// Returns a value in [0, bound); bound >= 1.
using Chooser = std::function<std::uint32_t(std::uint32_t bound)>;

struct Record {
  std::uint32_t task = 0;
  Op op;
  std::uint64_t invoked = 0;
  std::optional<std::uint64_t> responded;
  Result observed;
  bool unobserved = false;  // responded without a recorded result
};

struct GenConfig {
  std::uint32_t tasks = 2;
  std::uint32_t ops = 6;
  std::uint32_t connections = 2;
  std::uint32_t threads = 2;
  std::uint32_t pending_percent = 20;    // chance that a task's last op never returns
  std::uint32_t unobserved_percent = 0;  // chance that a completed op's result is not recorded
  std::uint32_t max_wait = 0;            // extra idle turns before taking effect / returning
  bool reuse_stamps = false;
};

Op random_op(const Chooser& choose, const GenConfig& config);

// A random initial state: some connections live, some threads loaded, some subscriptions.
State random_initial(const Chooser& choose, const GenConfig& config);

std::vector<Record> generate_execution(const Chooser& choose, const GenConfig& config,
                                       const State& initial);

// Records with random intervals and random results (mostly not linearizable).
std::vector<Record> generate_random(const Chooser& choose, const GenConfig& config);

// Changes the observed result of one completed record, if there is one; returns its index.
std::optional<std::size_t> perturb(const Chooser& choose, const GenConfig& config,
                                   std::vector<Record>& records);

// Records in invocation order; per task their program order is their order in the list.
History build(const std::vector<Record>& records);

}  // namespace lockstep::model::testing
