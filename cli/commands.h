// cli/commands.h: the lockstep commands. Each returns the process exit code, by one rule
// (README, "Exit codes"), the same that JSON "ok" and JUnit failures follow:
//   0  everything asked held and every claim printed is true: the current design held every
//      property; each design variant was caught by the property SPEC.md names for it; a
//      replay matched its trace;
//   1  a property failed on the current design, or a variant was NOT CAUGHT (or caught by an
//      unexpected property), or a replay --check reproduced a different outcome;
//   2  bad usage or input (including a trace that diverges from this build), or an output
//      that could not be written (a failure found is still printed first).
// Every failing run writes its trace before printing anything else; the last line printed
// for a failure is the command that replays it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lockstep::cli {

struct ExploreArgs {
  std::string design = "current";
  std::string strategy = "random";
  std::uint64_t schedules = 1000;
  std::uint64_t seed = 1;
  std::string workload_file;
  std::string scenario;
  std::uint32_t depth = 3;
  std::optional<std::uint32_t> preemption_bound;
  bool records_commute = false;  // dpor: the probe's records do not order steps
  std::string shard;  // "K/N"
  std::string junit;
  bool json = false;
  bool stats = false;
  bool shrink = true;
  std::uint64_t shrink_attempts = 2000;
  std::string out_dir = "traces/failures";
  std::uint32_t max_steps = 200'000;
  // --generate: generated workloads instead of scenarios (traces/generate.h).
  bool generate = false;
  std::optional<std::uint64_t> workloads;     // the series is workloads 0..N-1
  std::optional<std::uint64_t> time_seconds;  // wall-clock budget of the generated run
  bool strategy_given = false;   // --generate defaults to pct
  bool schedules_given = false;  // --generate defaults to kGeneratedSchedules per workload
};

// With --generate: executions per workload unless --schedules says otherwise, and the
// length of the workload series unless --workloads or --time says otherwise.
inline constexpr std::uint64_t kGeneratedSchedules = 50;
inline constexpr std::uint64_t kGeneratedWorkloads = 200;

struct ReplayArgs {
  std::string file;
  bool check = false;
  bool log = false;
};

struct ShrinkArgs {
  std::string file;
  std::string out;
  std::uint64_t budget = 300;
  std::uint64_t max_attempts = 2000;
};

struct LockgraphArgs {
  std::string design = "current";
  std::uint64_t schedules = 300;
  std::uint64_t seed = 1;
  std::string format = "text";
  std::string scenario;
  std::string workload_file;
};

struct ScenarioArgs {
  std::string name;
  bool print = false;
};

struct MergeArgs {
  std::vector<std::string> files;
  bool json = false;
};

int run_explore(const ExploreArgs& args);
int run_replay(const ReplayArgs& args);
int run_shrink(const ShrinkArgs& args);
int run_lockgraph(const LockgraphArgs& args);
int run_scenario(const ScenarioArgs& args);
int run_merge(const MergeArgs& args);

// Prints "lockstep: <message>" on one line to stderr and returns 2.
int usage_error(const std::string& message);

// The absolute path of this binary (for replay lines a person can paste), else "lockstep".
std::string self_path();
// `path` made absolute (lexically), for printing.
std::string absolute(const std::string& path);

}  // namespace lockstep::cli
