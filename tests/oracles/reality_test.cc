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

// What OS outcomes are checked against. Under ThreadSanitizer the simulator does not run (its
// fibers switch stacks unannounced to TSan, whose memory then grows by about a megabyte per
// execution): the reference semantics stands in, which every other build checks equal to DFS
// (reference_test).
#if defined(LOCKSTEP_TSAN)
constexpr const char* kModel = "the reference semantics";
#else
constexpr const char* kModel = "DFS";
#endif

// The model's outcomes of `p`, or nothing when DFS cannot exhaust it within `sizes`
// (exhaustive_dfs): the same programs are skipped in every build.
std::optional<SimOutcomes> model_outcomes(const Program& p, const ReferenceOutcomes& ref,
                                          const Sizes& sizes) {
#if defined(LOCKSTEP_TSAN)
  (void)p;
  if (ref.paths > sizes.dfs_cap) return std::nullopt;
  SimOutcomes m;
  m.outcomes = ref.outcomes;
  m.executions = ref.paths;
  m.stuck = ref.stuck_states;
  m.exhausted = true;
  return m;
#else
  return exhaustive_dfs(p, ref, sizes);
#endif
}

// A run that never finishes cannot be unwound (its tasks block in OS locks): say what the
// model knows about the program, then stop the process.
HangFn hang_report(const SimOutcomes& model) {
  return [&model](const std::string& description) {
    std::fprintf(stderr,
                 "HUNG on OS threads: %s\n%s (%llu executions, exhausted) has %llu stuck "
                 "executions%s\n",
                 description.c_str(), kModel, static_cast<unsigned long long>(model.executions),
                 static_cast<unsigned long long>(model.stuck),
                 model.stuck == 0 ? ": the model cannot see this hang" : "");
    std::fflush(stderr);
    std::abort();
  };
}

// Empty when every OS outcome is a model outcome; else the program, each outcome the model
// lacks with the OS run that had it and, when the reference semantics reaches it, the
// reference's path, then the model's outcomes with their schedules.
std::string escapes(const Program& p, const ThreadsOutcomes& os, const SimOutcomes& dfs,
                    const ReferenceOutcomes& ref, std::uint64_t seed) {
  std::string s;
  std::size_t shown = 0;
  for (const auto& [outcome, run] : os.outcomes) {
    if (dfs.outcomes.count(outcome) != 0) continue;
    if (shown++ == 0) {
      s = std::string("OS threads reached outcomes exhaustive ") + kModel + " (" +
          std::to_string(dfs.executions) + " executions) never does, on\n" + to_string(p);
    }
    auto it = ref.outcomes.find(outcome);
    s += "  " + outcome + "\n      seen on OS threads in run " + std::to_string(run) + " (seed " +
         std::to_string(seed) + ")\n      reference semantics path: " +
         (it != ref.outcomes.end() ? it->second : std::string("none")) + "\n";
  }
  if (!s.empty()) s += std::string(kModel) + " outcomes:\n" + list_outcomes(dfs.outcomes);
  return s;
}

// Programs of up to 3 tasks, 1000 runs each (300 under a sanitizer): every CI run.
Sizes fast_sizes() {
  Sizes s;
  s.max_tasks = 3;
  s.runs = kSanitized ? 300 : 1'000;
  return sizes_from_env(s);
}

TEST(RealityInSimulation, WriterSpawnedFirstThenARootReader) {
  const Sizes sizes = fast_sizes();
  const Program p = writer_spawned_first();
  const ReferenceOutcomes ref = reference_outcomes(p);
  const std::optional<SimOutcomes> model = model_outcomes(p, ref, sizes);
  ASSERT_TRUE(model.has_value());
  const SimOutcomes& dfs = *model;
  const std::uint64_t seed = 1;
  const ThreadsOutcomes os = threads_outcomes(p, sizes.runs, seed, kHangAfter, hang_report(dfs));
  std::printf(
      "writer spawned first: %llu OS runs, %zu distinct outcomes on OS threads, %zu in "
      "%s (%llu executions)\n",
      static_cast<unsigned long long>(os.runs), os.outcomes.size(), dfs.outcomes.size(), kModel,
      static_cast<unsigned long long>(dfs.executions));
  EXPECT_EQ(escapes(p, os, dfs, ref, seed), "");
}

void check_generated_programs(const Sizes& sizes) {
  std::uint64_t programs = 0, skipped = 0, runs = 0, executions = 0;
  std::uint64_t os_outcomes = 0, dfs_outcomes_total = 0, all_seen = 0;
  std::uint64_t seed = 0;
  const bool ok = rc::check(std::string("outcomes on OS threads are outcomes of ") + kModel, [&] {
    const Program p = *gen_program(sizes.max_tasks, sizes.max_ops);
    const ReferenceOutcomes ref = reference_outcomes(p);
    const std::optional<SimOutcomes> exhaustive = model_outcomes(p, ref, sizes);
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
      "OS threads vs %s: %llu programs (%llu skipped: more than %llu interleavings), %llu OS "
      "runs, %llu model executions; distinct outcomes: %llu on OS threads, %llu in the model; "
      "OS runs showed every model outcome in %llu programs\n",
      kModel, static_cast<unsigned long long>(programs), static_cast<unsigned long long>(skipped),
      static_cast<unsigned long long>(sizes.dfs_cap), static_cast<unsigned long long>(runs),
      static_cast<unsigned long long>(executions), static_cast<unsigned long long>(os_outcomes),
      static_cast<unsigned long long>(dfs_outcomes_total),
      static_cast<unsigned long long>(all_seen));
  EXPECT_TRUE(ok);
  EXPECT_GT(programs, 0u);
}

TEST(RealityInSimulation, GeneratedPrograms) { check_generated_programs(fast_sizes()); }

// The slow tier: up to 4 tasks and 50,000 interleavings, 3000 runs each.
TEST(RealityInSimulation, LargerGeneratedPrograms) {
  Sizes s;
  s.dfs_cap = 50'000;
  s.runs = 3'000;
  check_generated_programs(sizes_from_env(s));
}

}  // namespace
}  // namespace lockstep::oracles
