// The reference-semantics oracle: on generated programs, the set of outcomes of the independent
// reference semantics (reference.h) must EQUAL the set exhaustive DFS reaches under the
// simulator. An outcome only the reference has is a behaviour the simulator cannot produce
// (a missing schedule); one only DFS has is a behaviour the primitives' contract does not allow.
#include "tests/oracles/reference.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "tests/oracles/oracle_support.h"
#include "tests/oracles/program_gen.h"
#include "tests/oracles/sim_outcomes.h"

namespace lockstep::oracles {
namespace {

std::map<std::string, std::string> only_in(const std::map<std::string, std::string>& a,
                                           const std::map<std::string, std::string>& b) {
  std::map<std::string, std::string> out;
  for (const auto& [outcome, witness] : a) {
    if (b.count(outcome) == 0) out.emplace(outcome, witness);
  }
  return out;
}

// Empty when the two sets are equal; else the program and both differences with witnesses.
std::string disagreement(const Program& p, const ReferenceOutcomes& ref, const SimOutcomes& dfs) {
  const auto missing = only_in(ref.outcomes, dfs.outcomes);
  const auto extra = only_in(dfs.outcomes, ref.outcomes);
  if (missing.empty() && extra.empty()) return "";
  std::string s = "the simulator's DFS (" + std::to_string(dfs.executions) +
                  " executions, exhausted) and the reference semantics (" +
                  std::to_string(ref.states) + " states) disagree on\n" + to_string(p);
  if (!missing.empty()) {
    s += "outcomes the reference reaches and DFS never does (path in the reference):\n" +
         list_outcomes(missing);
  }
  if (!extra.empty()) {
    s += "outcomes DFS reaches that the reference does not allow (DFS schedule):\n" +
         list_outcomes(extra);
  }
  return s;
}

TEST(ReferenceSemantics, WriterSpawnedFirstThenARootReader) {
  // The root spawns W, then reads; W writes. The reader and the writer may enter in either
  // order: root first sees crw = 0, and W's update makes it 0 * 5 + 2 = 2; W first, the root
  // sees 2. Labels are passed inside the sections, so they follow the order of entry. Two
  // outcomes, both completed.
  const Program p = writer_spawned_first();
  const std::set<std::string> expected = {
      "completed c0=0 c1=0 crw=2 tokens=0 labels=0.1,1.0 seen=[0;]",
      "completed c0=0 c1=0 crw=2 tokens=0 labels=1.0,0.1 seen=[2;]"};
  const ReferenceOutcomes ref = reference_outcomes(p);
  std::set<std::string> ref_set;
  for (const auto& [outcome, witness] : ref.outcomes) ref_set.insert(outcome);
  EXPECT_EQ(ref_set, expected) << list_outcomes(ref.outcomes);

  const SimOutcomes dfs = dfs_outcomes(p, 0);
  ASSERT_TRUE(dfs.exhausted);
  EXPECT_EQ(disagreement(p, ref, dfs), "");
}

void check_generated_programs(const Sizes& sizes) {
  std::uint64_t programs = 0, skipped = 0, executions = 0, states = 0, outcomes = 0;
  std::uint64_t max_outcomes = 0, stuck = 0;
  const bool ok = rc::check("reference outcomes == DFS outcomes", [&] {
    const Program p = *gen_program(sizes.max_tasks, sizes.max_ops);
    const ReferenceOutcomes ref = reference_outcomes(p);
    const std::optional<SimOutcomes> exhaustive = exhaustive_dfs(p, ref, sizes);
    if (!exhaustive) {
      ++skipped;
      return;
    }
    const SimOutcomes& dfs = *exhaustive;
    ++programs;
    executions += dfs.executions;
    states += ref.states;
    outcomes += ref.outcomes.size();
    max_outcomes = std::max<std::uint64_t>(max_outcomes, ref.outcomes.size());
    stuck += ref.stuck_states;
    if (std::getenv("LOCKSTEP_ORACLE_VERBOSE") != nullptr) {
      std::printf(
          "%s  -> %zu outcomes, %llu DFS executions, %llu reference states, %llu "
          "reference paths\n",
          to_string(p).c_str(), ref.outcomes.size(),
          static_cast<unsigned long long>(dfs.executions),
          static_cast<unsigned long long>(ref.states), static_cast<unsigned long long>(ref.paths));
    }
    const std::string why = disagreement(p, ref, dfs);
    if (!why.empty()) RC_FAIL(why);
    // The generator promises deadlock-free programs (program.h); check the promise.
    RC_ASSERT(ref.stuck_states == 0u);
  });
  std::printf(
      "reference vs DFS: %llu programs compared (%llu skipped: more than %llu "
      "interleavings), %llu DFS executions, %llu reference states, %llu distinct outcomes in all "
      "(at most %llu in one program), %llu stuck reference states\n",
      static_cast<unsigned long long>(programs), static_cast<unsigned long long>(skipped),
      static_cast<unsigned long long>(sizes.dfs_cap), static_cast<unsigned long long>(executions),
      static_cast<unsigned long long>(states), static_cast<unsigned long long>(outcomes),
      static_cast<unsigned long long>(max_outcomes), static_cast<unsigned long long>(stuck));
  EXPECT_TRUE(ok);
  EXPECT_GT(programs, 0u);
}

// Up to 4 tasks of up to 2 ops, at most 5000 interleavings: every CI run.
TEST(ReferenceSemantics, AgreesWithDfsOnGeneratedPrograms) {
  check_generated_programs(sizes_from_env({}));
}

// The slow tier: up to 3 ops a task and 100,000 interleavings.
TEST(ReferenceSemantics, AgreesWithDfsOnLargerGeneratedPrograms) {
  Sizes s;
  s.max_ops = 3;
  s.dfs_cap = 100'000;
  check_generated_programs(sizes_from_env(s));
}

}  // namespace
}  // namespace lockstep::oracles
