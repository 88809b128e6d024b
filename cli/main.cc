// cli/main.cc: `lockstep explore | replay | shrink | lockgraph | scenario | merge`, for CI, for
// an engineer handed a failing trace, and for design reviews of lock ordering. Bad flags are
// one line, exit 2 (the exit-code rule: cli/commands.h, README "Exit codes").
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>

#include "cli/commands.h"
#include "cli/output.h"
#include "impl/design_variant.h"

#ifndef LOCKSTEP_VERSION
#define LOCKSTEP_VERSION "unknown"
#endif

namespace lockstep::cli {

int usage_error(const std::string& message) {
  std::string line = message;
  std::replace(line.begin(), line.end(), '\n', ' ');
  std::fflush(stdout);  // what was printed before the error comes before it
  std::fprintf(stderr, "lockstep: %s\n", line.c_str());
  return 2;
}

std::string self_path() {
  std::error_code ec;
  const auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("lockstep") : p.string();
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  const auto p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

namespace {

constexpr std::uint64_t kU64 = ~std::uint64_t{0};
constexpr std::uint64_t kU32 = 0xffffffffu;

// A non-negative integer in [lo, hi], written in decimal digits only: "-1" does not wrap.
CLI::Validator in_range(std::uint64_t lo, std::uint64_t hi) {
  return CLI::Validator(
      [lo, hi](std::string& s) -> std::string {
        const bool digits =
            !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
              return std::isdigit(c) != 0;
            });
        if (!digits) return fmt::format("must be an integer from {} to {}, got \"{}\"", lo, hi, s);
        errno = 0;
        const unsigned long long v = std::strtoull(s.c_str(), nullptr, 10);
        if (errno == ERANGE || v < lo || v > hi) {
          return fmt::format("must be an integer from {} to {}, got {}", lo, hi, s);
        }
        return {};
      },
      hi == kU64 ? std::string() : fmt::format("{}..{}", lo, hi));
}

}  // namespace

}  // namespace lockstep::cli

int main(int argc, char** argv) {
  using namespace lockstep::cli;
  CLI::App app{"lockstep: deterministic simulation and model checking of a state manager's locking"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("lockstep ") + LOCKSTEP_VERSION);
  app.option_defaults()->always_capture_default();
  app.footer(fmt::format("designs: all, {}\nstrategies: {}\nscenarios: {}\nexit codes: 0 "
                         "everything asked held, 1 a property failed or a variant was NOT "
                         "CAUGHT, 2 bad usage, input or output (see README)",
                         lockstep::impl::design_variant_names(), strategy_names(),
                         scenario_names()));

  ExploreArgs ex;
  CLI::App* explore = app.add_subcommand("explore", "explore designs under a strategy, check all properties");
  explore->add_option("--design", ex.design, "current, a design variant, or all");
  explore->add_option("--strategy", ex.strategy, "random, pct, dfs or dpor");
  explore->add_option("--schedules", ex.schedules, "executions to run (dfs, dpor: cap, 0 = exhaust); with --generate: per workload, default 50")->check(in_range(0, kU64));
  explore->add_option("--seed", ex.seed, "seed of the exploration")->check(in_range(0, kU64));
  explore->add_option("--workload", ex.workload_file, "a workload JSON file");
  explore->add_option("--scenario", ex.scenario, "a built-in scenario (default: each design's own)");
  explore->add_option("--depth", ex.depth, "PCT bug depth d")->check(in_range(1, 1000));
  explore->add_option("--preemption-bound", ex.preemption_bound, "DFS and DPOR: explore only schedules with at most this many preemptions")->check(in_range(0, kU32 - 1));
  explore->add_flag("--records-commute", ex.records_commute, "DPOR: treat the probe's records as commuting (a weaker claim; see README)");
  explore->add_option("--shard", ex.shard, "K/N: run shard K of N (disjoint schedules)");
  explore->add_option("--junit", ex.junit, "write JUnit XML here");
  explore->add_flag("--json", ex.json, "print the summary as JSON");
  explore->add_flag("--stats", ex.stats, "print speed and max RSS: steps/s, executions/s, vs a fiber round trip");
  explore->add_flag("!--no-shrink", ex.shrink, "do not shrink failing traces");
  explore->add_option("--shrink-attempts", ex.shrink_attempts, "shrinking budget: candidate executions per failure")->check(in_range(1, kU64));
  explore->add_option("--out", ex.out_dir, "directory for failing traces (made only when one is written)");
  explore->add_option("--max-steps", ex.max_steps, "step bound per execution (beyond it: livelock)")->check(in_range(1, kU32 - 1));
  explore->add_flag("--generate", ex.generate, "explore generated workloads (strategy default pct; --shard splits the workloads)");
  explore->add_option("--workloads", ex.workloads, "--generate: the series is workloads 0..N-1 (default 200 without --time)")->check(in_range(1, kU64));
  explore->add_option("--time", ex.time_seconds, "--generate: stop drawing workloads after this many seconds (wall clock)")->check(in_range(1, 100'000'000));

  ReplayArgs rp;
  CLI::App* replay = app.add_subcommand("replay", "re-run a trace and show its interleaving");
  replay->add_option("file", rp.file, "trace file")->required();
  replay->add_flag("--check", rp.check, "exit 0 only if the same failure happens at the same step");
  replay->add_flag("--log", rp.log, "also print the observation log");

  ShrinkArgs sh;
  CLI::App* shrink = app.add_subcommand("shrink", "make a failing trace smaller");
  shrink->add_option("file", sh.file, "trace file")->required();
  shrink->add_option("--out", sh.out, "where to write (default: beside, .shrunk.json; never the input)");
  shrink->add_option("--budget", sh.budget, "executions per re-search of a smaller workload")->check(in_range(1, kU64));
  shrink->add_option("--max-attempts", sh.max_attempts, "candidate executions in all")->check(in_range(1, kU64));

  LockgraphArgs lg;
  CLI::App* lockgraph = app.add_subcommand("lockgraph", "the lock-class order graph of a design");
  lockgraph->add_option("--design", lg.design, "current, a design variant, or all");
  lockgraph->add_option("--schedules", lg.schedules, "executions per scenario")->check(in_range(1, kU64));
  lockgraph->add_option("--seed", lg.seed, "seed")->check(in_range(0, kU64));
  lockgraph->add_option("--format", lg.format, "text, dot or mermaid");
  lockgraph->add_option("--scenario", lg.scenario, "one built-in scenario (default: all)");
  lockgraph->add_option("--workload", lg.workload_file, "a workload JSON file");

  ScenarioArgs sc;
  CLI::App* scenario = app.add_subcommand("scenario", "list the built-in scenarios, or print one as a workload file");
  scenario->add_option("name", sc.name, "a built-in scenario");
  scenario->add_flag("--print", sc.print, "print the scenario's workload JSON (a file to start from)");

  MergeArgs mg;
  CLI::App* merge = app.add_subcommand("merge", "merge the --json summaries of shards into one");
  merge->add_option("files", mg.files, "JSON summaries written by explore --json")->required();
  merge->add_flag("--json", mg.json, "print the merged summary as JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::fputs(app.help("", CLI::AppFormatMode::All).c_str(), stdout);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    std::printf("%s\n", e.what());
    return 0;
  } catch (const CLI::ParseError& e) {
    return usage_error(std::string(e.what()) + " (see lockstep --help)");
  }
  ex.strategy_given = explore->count("--strategy") > 0;
  ex.schedules_given = explore->count("--schedules") > 0;
  int rc = 2;
  try {
    if (*explore) rc = run_explore(ex);
    else if (*replay) rc = run_replay(rp);
    else if (*shrink) rc = run_shrink(sh);
    else if (*lockgraph) rc = run_lockgraph(lg);
    else if (*scenario) rc = run_scenario(sc);
    else if (*merge) rc = run_merge(mg);
    else rc = usage_error("no command");
  } catch (const std::exception& e) {
    rc = usage_error(e.what());
  }
  // A full disk or closed pipe on standard output loses the verdict: never exit 0 then.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    const int err = errno;
    std::fprintf(stderr, "lockstep: cannot write to standard output: %s\n", std::strerror(err));
    return 2;
  }
  return rc;
}
