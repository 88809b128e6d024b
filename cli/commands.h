// cli/commands.h: the lockstep commands. Each returns the process exit code:
// 0 all held (or the replay matched), 1 a property failed, 2 bad usage or input.
// Every failing run writes its trace before printing anything else; the last line printed
// for a failure is the command that replays it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

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
  std::string out_dir = "traces/failures";
  std::uint32_t max_steps = 200'000;
};

struct ReplayArgs {
  std::string file;
  bool check = false;
  bool log = false;
};

struct ShrinkArgs {
  std::string file;
  std::string out;
  std::uint64_t budget = 300;
};

struct LockgraphArgs {
  std::string design = "current";
  std::uint64_t schedules = 300;
  std::uint64_t seed = 1;
  std::string format = "text";
  std::string scenario;
  std::string workload_file;
};

int run_explore(const ExploreArgs& args);
int run_replay(const ReplayArgs& args);
int run_shrink(const ShrinkArgs& args);
int run_lockgraph(const LockgraphArgs& args);

// Prints "lockstep: <message>" on one line to stderr and returns 2.
int usage_error(const std::string& message);

}  // namespace lockstep::cli
