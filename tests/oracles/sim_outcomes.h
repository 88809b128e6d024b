// tests/oracles/sim_outcomes.h: every outcome of a Program (program.h) under the simulator,
// by exhaustive DFS over all interleavings.
//
// Contract: dfs_outcomes runs DFS (unbounded) until it exhausts the program's schedules or
// `max_executions` have run; `exhausted` says which. Each outcome keeps the first schedule
// that reached it as a witness ("t1 lock m0#0, t0 yield, ..."). Tasks are numbered as in the
// program: the root is task 0 and spawns task j as the j-th child, which the simulator numbers j.
// Cost: one execution per interleaving; the programs are kept small enough for that.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "tests/oracles/program.h"

namespace lockstep::oracles {

struct SimOutcomes {
  std::map<std::string, std::string> outcomes;  // Outcome::str() -> witness schedule
  std::uint64_t executions = 0;
  std::uint64_t stuck = 0;  // executions that ended with tasks blocked forever
  bool exhausted = false;
};

SimOutcomes dfs_outcomes(const Program& p, std::uint64_t max_executions);

}  // namespace lockstep::oracles
