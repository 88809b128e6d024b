// The reality oracle: every outcome a program has on OS threads (impl::ThreadsRuntime, random
// delays, many runs) must be among the outcomes exhaustive DFS reaches under the simulator. An
// outcome outside them is a real behaviour no strategy of lockstep can ever show.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "tests/oracles/oracle_support.h"
#include "tests/oracles/program_gen.h"
#include "tests/oracles/reference.h"
#include "tests/oracles/sim_outcomes.h"
#include "tests/oracles/threads_outcomes.h"

namespace lockstep::oracles {
namespace {

using namespace std::chrono_literals;

// Generous: sanitizers slow OS threads tenfold, and a run takes well under a millisecond.
constexpr auto kHangAfter = 30s;

// A run that never finishes cannot be unwound (its tasks block in OS locks): say what the
// simulator knows about the program, then stop the process.
HangFn hang_report(const SimOutcomes& dfs) {
  return [&dfs](const std::string& description) {
    std::fprintf(
        stderr, "HUNG on OS threads: %s\nDFS (%llu executions, %s) has %llu stuck executions%s\n",
        description.c_str(), static_cast<unsigned long long>(dfs.executions),
        dfs.exhausted ? "exhausted" : "not exhausted", static_cast<unsigned long long>(dfs.stuck),
        dfs.stuck == 0 ? ": the simulator cannot see this hang" : "");
    std::fflush(stderr);
    std::abort();
  };
}

// Empty when every OS outcome is a DFS outcome; else the program, each outcome DFS lacks with
// the OS run that had it and, when the reference semantics reaches it, the reference's path,
// then DFS's outcomes with their schedules.
std::string escapes(const Program& p, const ThreadsOutcomes& os, const SimOutcomes& dfs,
                    const ReferenceOutcomes& ref, std::uint64_t seed) {
  std::string s;
  std::size_t shown = 0;
  for (const auto& [outcome, run] : os.outcomes) {
    if (dfs.outcomes.count(outcome) != 0) continue;
    if (shown++ == 0) {
      s = "OS threads reached outcomes exhaustive DFS (" + std::to_string(dfs.executions) +
          " executions) never does, on\n" + to_string(p);
    }
    auto it = ref.outcomes.find(outcome);
    s += "  " + outcome + "\n      seen on OS threads in run " + std::to_string(run) + " (seed " +
         std::to_string(seed) + ")\n      reference semantics path: " +
         (it != ref.outcomes.end() ? it->second : std::string("none")) + "\n";
  }
  if (!s.empty()) s += "DFS outcomes:\n" + list_outcomes(dfs.outcomes);
  return s;
}

TEST(RealityInSimulation, WriterSpawnedFirstThenARootReader) {
  const Sizes sizes = sizes_from_env();
  const Program p = writer_spawned_first();
  const SimOutcomes dfs = dfs_outcomes(p, 0);
  ASSERT_TRUE(dfs.exhausted);
  const ReferenceOutcomes ref = reference_outcomes(p);
  const std::uint64_t seed = 1;
  const ThreadsOutcomes os = threads_outcomes(p, sizes.runs, seed, kHangAfter, hang_report(dfs));
  std::printf(
      "writer spawned first: %llu OS runs, %zu distinct outcomes on OS threads, %zu in "
      "DFS (%llu executions)\n",
      static_cast<unsigned long long>(os.runs), os.outcomes.size(), dfs.outcomes.size(),
      static_cast<unsigned long long>(dfs.executions));
  EXPECT_EQ(escapes(p, os, dfs, ref, seed), "");
}

TEST(RealityInSimulation, GeneratedPrograms) {
  const Sizes sizes = sizes_from_env();
  std::uint64_t programs = 0, skipped = 0, runs = 0, executions = 0;
  std::uint64_t os_outcomes = 0, dfs_outcomes_total = 0, all_seen = 0;
  std::uint64_t seed = 0;
  const bool ok = rc::check("outcomes on OS threads are DFS outcomes", [&] {
    const Program p = *gen_program(sizes.max_tasks, sizes.max_ops);
    const ReferenceOutcomes ref = reference_outcomes(p);
    const std::optional<SimOutcomes> exhaustive = exhaustive_dfs(p, ref, sizes);
    if (!exhaustive) {
      ++skipped;
      return;
    }
    const SimOutcomes& dfs = *exhaustive;
    ++seed;
    const ThreadsOutcomes os = threads_outcomes(p, sizes.runs, seed, kHangAfter, hang_report(dfs));
    ++programs;
    runs += os.runs;
    executions += dfs.executions;
    os_outcomes += os.outcomes.size();
    dfs_outcomes_total += dfs.outcomes.size();
    if (os.outcomes.size() == dfs.outcomes.size()) ++all_seen;
    const std::string why = escapes(p, os, dfs, ref, seed);
    if (!why.empty()) RC_FAIL(why);
  });
  std::printf(
      "OS threads vs DFS: %llu programs (%llu skipped: more than %llu interleavings), %llu OS "
      "runs, %llu DFS executions; distinct outcomes: %llu on OS threads, "
      "%llu in DFS; OS runs showed every DFS outcome in %llu programs\n",
      static_cast<unsigned long long>(programs), static_cast<unsigned long long>(skipped),
      static_cast<unsigned long long>(sizes.dfs_cap), static_cast<unsigned long long>(runs),
      static_cast<unsigned long long>(executions), static_cast<unsigned long long>(os_outcomes),
      static_cast<unsigned long long>(dfs_outcomes_total),
      static_cast<unsigned long long>(all_seen));
  EXPECT_TRUE(ok);
  EXPECT_GT(programs, 0u);
}

}  // namespace
}  // namespace lockstep::oracles
