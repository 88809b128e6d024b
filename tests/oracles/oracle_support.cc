#include "tests/oracles/oracle_support.h"

#include <cstdlib>

namespace lockstep::oracles {
namespace {

std::uint64_t env_or(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtoull(v, nullptr, 10);
}

}  // namespace

Sizes sizes_from_env(Sizes defaults) {
  Sizes s = defaults;
  s.max_tasks = env_or("LOCKSTEP_ORACLE_MAX_TASKS", s.max_tasks);
  s.max_ops = env_or("LOCKSTEP_ORACLE_MAX_OPS", s.max_ops);
  s.dfs_cap = env_or("LOCKSTEP_ORACLE_DFS_CAP", s.dfs_cap);
  s.runs = env_or("LOCKSTEP_ORACLE_RUNS", s.runs);
  return s;
}

std::optional<SimOutcomes> exhaustive_dfs(const Program& p, const ReferenceOutcomes& ref,
                                          const Sizes& sizes) {
  if (ref.paths > sizes.dfs_cap) return std::nullopt;
  SimOutcomes dfs = dfs_outcomes(p, 2 * sizes.dfs_cap);
  if (!dfs.exhausted) return std::nullopt;
  return dfs;
}

Program writer_spawned_first() {
  Program p;
  p.tasks = {{{OpKind::kSpawn, 1, false}, {OpKind::kRead, 0, true}, {OpKind::kJoin, 1, false}},
             {{OpKind::kWrite, 0, true}}};
  return p;
}

std::string list_outcomes(const std::map<std::string, std::string>& outcomes, std::size_t max) {
  std::string s;
  std::size_t n = 0;
  for (const auto& [outcome, witness] : outcomes) {
    if (n++ == max) {
      s += "  ... and " + std::to_string(outcomes.size() - max) + " more\n";
      break;
    }
    s += "  " + outcome + "\n      witness: " + witness + "\n";
  }
  return s;
}

}  // namespace lockstep::oracles
