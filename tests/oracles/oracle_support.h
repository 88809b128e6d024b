// tests/oracles/oracle_support.h: what both oracle tests share: the named programs, the sizes
// taken from the environment (CMake sets them per label), and failure reports.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "tests/oracles/program.h"
#include "tests/oracles/reference.h"
#include "tests/oracles/sim_outcomes.h"

namespace lockstep::oracles {

// Sizes of a generated-program check. The number of programs is RapidCheck's max_success
// (RC_PARAMS, the one variable CTest sets per label: gtest_discover_tests cannot pass two).
struct Sizes {
  std::uint64_t max_tasks = 4;
  std::uint64_t max_ops = 2;
  // A program with more interleavings (the reference semantics counts them) is skipped, and
  // counted: DFS must exhaust a program for the oracles to say anything about it.
  std::uint64_t dfs_cap = 5'000;
  std::uint64_t runs = 1'000;  // OS runs per program
};
// `defaults`, each overridden by an environment variable when set (for runs by hand):
// LOCKSTEP_ORACLE_MAX_TASKS, LOCKSTEP_ORACLE_MAX_OPS, LOCKSTEP_ORACLE_DFS_CAP,
// LOCKSTEP_ORACLE_RUNS.
Sizes sizes_from_env(Sizes defaults);
// Whether this build runs under a sanitizer (DFS and OS threads several times slower): tests
// then use smaller sizes.
constexpr bool kSanitized =
#if defined(LOCKSTEP_ASAN) || defined(LOCKSTEP_TSAN)
    true;
#else
    false;
#endif

// DFS's outcomes of `p`, or nothing when DFS cannot exhaust it within the sizes: skipped at
// once when the reference semantics (`ref`, of the same program) counts more interleavings
// than sizes.dfs_cap, else after 2 * dfs_cap executions. The oracles claim nothing about a
// skipped program, and count it.
std::optional<SimOutcomes> exhaustive_dfs(const Program& p, const ReferenceOutcomes& ref,
                                          const Sizes& sizes);

// The example: the root spawns task 1, which takes the write lock once (a labelled
// point inside); the root takes the read lock once (a labelled point inside), then joins.
Program writer_spawned_first();

// "  <outcome>\n      witness: <path>\n" per entry, at most `max` of them.
std::string list_outcomes(const std::map<std::string, std::string>& outcomes, std::size_t max = 12);

}  // namespace lockstep::oracles
