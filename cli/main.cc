// cli/main.cc: `lockstep explore | replay | shrink | lockgraph`, for CI, for an engineer handed
// a failing trace, and for design reviews of lock ordering. Bad flags are one line, exit 2.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "cli/commands.h"

namespace lockstep::cli {

int usage_error(const std::string& message) {
  std::fprintf(stderr, "lockstep: %s\n", message.c_str());
  return 2;
}

}  // namespace lockstep::cli

int main(int argc, char** argv) {
  using namespace lockstep::cli;
  CLI::App app{"lockstep: deterministic simulation and model checking of a state manager's locking"};
  app.require_subcommand(1);

  ExploreArgs ex;
  CLI::App* explore = app.add_subcommand("explore", "explore designs under a strategy, check all properties");
  explore->add_option("--design", ex.design, "current, a design variant, or all");
  explore->add_option("--strategy", ex.strategy, "random, pct, dfs or dpor");
  explore->add_option("--schedules", ex.schedules, "executions to run (dfs, dpor: cap, 0 = exhaust)");
  explore->add_option("--seed", ex.seed, "seed of the exploration");
  explore->add_option("--workload", ex.workload_file, "a workload JSON file");
  explore->add_option("--scenario", ex.scenario, "a built-in scenario (default: each design's own)");
  explore->add_option("--depth", ex.depth, "PCT bug depth d");
  explore->add_option("--preemption-bound", ex.preemption_bound, "DFS and DPOR: explore only schedules with at most this many preemptions");
  explore->add_flag("--records-commute", ex.records_commute, "DPOR: treat the probe's records as commuting (a weaker claim; see README)");
  explore->add_option("--shard", ex.shard, "K/N: run shard K of N (disjoint schedules)");
  explore->add_option("--junit", ex.junit, "write JUnit XML here");
  explore->add_flag("--json", ex.json, "print the summary as JSON");
  explore->add_flag("--stats", ex.stats, "print speed: steps/s, executions/s, vs a fiber round trip");
  explore->add_flag("!--no-shrink", ex.shrink, "do not shrink failing traces");
  explore->add_option("--out", ex.out_dir, "directory for failing traces");
  explore->add_option("--max-steps", ex.max_steps, "step bound per execution (livelock)");

  ReplayArgs rp;
  CLI::App* replay = app.add_subcommand("replay", "re-run a trace and show its interleaving");
  replay->add_option("file", rp.file, "trace file")->required();
  replay->add_flag("--check", rp.check, "exit 0 only if the same failure happens at the same step");
  replay->add_flag("--log", rp.log, "also print the observation log");

  ShrinkArgs sh;
  CLI::App* shrink = app.add_subcommand("shrink", "make a failing trace smaller");
  shrink->add_option("file", sh.file, "trace file")->required();
  shrink->add_option("--out", sh.out, "where to write (default: beside, .shrunk.json)");
  shrink->add_option("--budget", sh.budget, "executions per re-search of a smaller workload");

  LockgraphArgs lg;
  CLI::App* lockgraph = app.add_subcommand("lockgraph", "the lock-class order graph of a design");
  lockgraph->add_option("--design", lg.design, "current or a design variant");
  lockgraph->add_option("--schedules", lg.schedules, "executions per scenario");
  lockgraph->add_option("--seed", lg.seed, "seed");
  lockgraph->add_option("--format", lg.format, "text, dot or mermaid");
  lockgraph->add_option("--scenario", lg.scenario, "one built-in scenario (default: all)");
  lockgraph->add_option("--workload", lg.workload_file, "a workload JSON file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (char& c : msg) {
      if (c == '\n') c = ' ';
    }
    return usage_error(msg + " (see lockstep --help)");
  }
  try {
    if (*explore) return run_explore(ex);
    if (*replay) return run_replay(rp);
    if (*shrink) return run_shrink(sh);
    if (*lockgraph) return run_lockgraph(lg);
  } catch (const std::exception& e) {
    return usage_error(e.what());
  }
  return usage_error("no command");
}
