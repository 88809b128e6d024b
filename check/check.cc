// check/check.cc: check() and replay() over sim::explore and the trace format (traces/).
#include "check/check.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "sim/explore.h"
#include "sim/strategies/strategy.h"
#include "traces/capture.h"
#include "traces/files.h"
#include "traces/report.h"
#include "traces/trace.h"

namespace lockstep {

CheckOptions CheckOptions::random(std::uint64_t schedules, std::uint64_t seed) {
  CheckOptions o;
  o.search = Search::kRandom;
  o.schedules = schedules;
  o.seed = seed;
  return o;
}

CheckOptions CheckOptions::pct(std::uint64_t schedules, std::uint32_t depth, std::uint64_t seed) {
  CheckOptions o = random(schedules, seed);
  o.search = Search::kPct;
  o.depth = depth;
  return o;
}

CheckOptions CheckOptions::dfs(std::optional<std::uint32_t> preemption_bound) {
  CheckOptions o;
  o.search = Search::kDfs;
  o.schedules = 0;
  o.preemption_bound = preemption_bound;
  return o;
}

CheckOptions CheckOptions::dpor(std::optional<std::uint32_t> preemption_bound) {
  CheckOptions o = dfs(preemption_bound);
  o.search = Search::kDpor;
  return o;
}

namespace {

constexpr std::string_view kReplayVariable = "LOCKSTEP_REPLAY";

std::ostream& log_of(const CheckOptions& o) { return o.log != nullptr ? *o.log : std::cerr; }

std::string file_stem(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-';
    out += keep ? c : '_';
  }
  return out.empty() ? std::string("check") : out;
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789_-./=:,+@%") == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// This process's command line (Linux /proc), its program as an absolute path, with `args`
// replacing its arguments when given.
std::string command_line(const std::vector<std::string>& args) {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> argv;
  std::string::size_type at = 0;
  while (at < raw.size()) {
    const std::string::size_type end = raw.find('\0', at);
    argv.push_back(raw.substr(at, end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  if (argv.empty()) argv.push_back("<this program>");
  // The executable's absolute path, so the command works from any directory.
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec && !exe.empty()) argv[0] = exe.string();
  if (!args.empty()) argv.resize(1);
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    out += shell_quote(a);
  }
  for (const std::string& a : args) {
    out += ' ';
    out += shell_quote(a);
  }
  return out;
}

sim::StrategyConfig strategy_config(const CheckOptions& o) {
  static constexpr const char* kNames[] = {"random", "pct", "dfs", "dpor"};
  sim::StrategyConfig c(kNames[static_cast<int>(o.search)]);
  c.seed = o.seed;
  c.executions = o.schedules;
  c.depth = o.depth;
  c.preemption_bound = o.preemption_bound;
  if ((o.search == Search::kRandom || o.search == Search::kPct) && o.schedules == 0) {
    throw CheckError("lockstep: random and PCT need schedules > 0");
  }
  if (o.search == Search::kPct && o.depth == 0) throw CheckError("lockstep: PCT needs depth >= 1");
  return c;
}

// The first failing execution of a run, captured in the check while the execution still exists.
struct Found {
  bool taken = false;
  traces::Trace trace;
  std::string property;
};

std::string property_of(const sim::Execution& ex) {
  if (!ex.failure_property().empty()) return std::string(ex.failure_property());
  switch (ex.outcome()) {
    case sim::Outcome::kStuck:
      return ex.wait_for() && !ex.wait_for()->cycle.empty() ? "deadlock" : "stuck";
    case sim::Outcome::kStepBound: return "step-bound";
    default: return "failed";
  }
}

sim::CheckFn capture_first_failure(Found& found) {
  return [&found](const sim::Execution& ex) -> std::optional<std::string> {
    if (ex.outcome() == sim::Outcome::kCompleted) return std::nullopt;
    if (!found.taken) {
      found.taken = true;
      traces::capture_execution(ex, found.trace);
      found.property = property_of(ex);
    }
    if (ex.outcome() == sim::Outcome::kFailed) return std::nullopt;  // explore keeps failure()
    if (ex.outcome() == sim::Outcome::kStuck && ex.wait_for()) return ex.wait_for()->format();
    if (!ex.failure().empty()) return ex.failure();
    return std::string(sim::outcome_name(ex.outcome()));
  };
}

sim::ExploreOptions explore_options(std::uint32_t max_steps, bool detect_races) {
  sim::ExploreOptions o;
  o.execution.max_steps = max_steps;
  o.execution.detect_races = detect_races;
  return o;
}

// The execution options a trace was recorded with (its "workload" object), else `o`'s.
sim::ExploreOptions explore_options(const traces::Trace& t, const CheckOptions& o) {
  std::uint32_t max_steps = o.max_steps;
  bool races = o.detect_races;
  const auto& w = t.workload;
  if (w.is_object() && w.contains("max-steps") && w["max-steps"].is_number_unsigned()) {
    max_steps = w["max-steps"].get<std::uint32_t>();
  }
  if (w.is_object() && w.contains("detect-races") && w["detect-races"].is_boolean()) {
    races = w["detect-races"].get<bool>();
  }
  return explore_options(max_steps, races);
}

std::string indent(const std::string& text) {
  std::string out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out += "  " + line + "\n";
  return out;
}

std::string interleaving(const traces::Trace& t) {
  return "interleaving (one column per task):\n" +
         traces::interleaving_table(t, 200, traces::cited_steps(t));
}

traces::Trace load_trace(const std::string& path) {
  traces::Trace t;
  try {
    t = traces::read_trace_file(path);
  } catch (const std::exception& e) {
    throw CheckError(fmt::format("lockstep: cannot replay {}: {}", path, e.what()));
  }
  if (!t.design.empty()) {
    throw CheckError(fmt::format("lockstep: cannot replay {}: it is a trace of the state manager "
                                 "(design {}); replay it with `lockstep replay`",
                                 path, t.design));
  }
  return t;
}

std::string absolute(const std::string& path) {
  return std::filesystem::absolute(path).lexically_normal().string();
}

CheckResult replay_trace(const std::function<void()>& f, const traces::Trace& recorded,
                         const std::string& path, const CheckOptions& options) {
  const std::unique_ptr<sim::Strategy> strategy =
      sim::make_replay_strategy(traces::replay_options(recorded));
  Found found;
  const sim::ExploreResult r =
      sim::explore(*strategy, f, explore_options(recorded, options), capture_first_failure(found));
  CheckResult out;
  out.replayed = true;
  out.schedules = r.executions;
  out.abandoned = r.abandoned;
  out.trace_path = path;
  out.divergence = strategy->divergence();
  if (out.divergence.empty() && r.abandoned > 0) out.divergence = r.first_abandon_reason;
  const std::string recorded_failure =
      recorded.failure ? recorded.failure->property : std::string("no failure");
  if (!out.divergence.empty()) {
    out.report = fmt::format(
        "lockstep: replay of {} diverged (the program no longer follows the recorded schedule; "
        "recorded: {}):\n  {}\n",
        path, recorded_failure, out.divergence);
  } else if (r.first_failure) {
    out.failed = true;
    out.property = found.taken ? found.property : "failed";
    out.message = r.first_failure->message;
    found.trace.failure = traces::TraceFailure{out.property, out.message, {}, -1};
    out.report = fmt::format("lockstep: replay of {}: {} (recorded: {})\n{}{}", path,
                             out.property, recorded_failure, indent(out.message),
                             interleaving(found.trace));
  } else {
    out.report = fmt::format("lockstep: replay of {}: passed, {} steps (recorded: {})\n", path,
                             recorded.steps.size(), recorded_failure);
  }
  if (!out.passed() || options.verbose || recorded.failure) log_of(options) << out.report;
  return out;
}

}  // namespace

CheckResult replay(const std::function<void()>& f, const std::string& trace_file,
                   const CheckOptions& options) {
  return replay_trace(f, load_trace(trace_file), absolute(trace_file), options);
}

CheckResult check(const std::function<void()>& f, const CheckOptions& options) {
  if (const char* env = std::getenv(kReplayVariable.data()); env != nullptr && *env != '\0') {
    const traces::Trace recorded = load_trace(env);
    if (recorded.program == options.name) return replay_trace(f, recorded, absolute(env), options);
  }
  const sim::StrategyConfig config = strategy_config(options);
  const std::unique_ptr<sim::Strategy> strategy = sim::make_strategy(config);
  std::error_code ec;
  std::filesystem::create_directories(options.out_dir, ec);
  if (ec || !std::filesystem::is_directory(options.out_dir)) {
    throw CheckError(fmt::format("lockstep: cannot use out_dir {}: {}", options.out_dir,
                                 ec ? ec.message() : "not a directory"));
  }

  Found found;
  const sim::ExploreResult r =
      sim::explore(*strategy, f, explore_options(options.max_steps, options.detect_races),
                   capture_first_failure(found));
  CheckResult out;
  out.schedules = r.executions;
  out.exhausted = r.exhausted;
  out.abandoned = r.abandoned;
  if (!r.first_failure) {
    if (options.verbose) {
      log_of(options) << fmt::format("lockstep: {}: passed {} schedules ({}){}\n", options.name,
                                     r.executions, strategy->name(),
                                     r.exhausted ? ", exhausted" : "");
    }
    return out;
  }
  const sim::FailingExecution& failing = *r.first_failure;
  out.failed = true;
  out.property = found.taken ? found.property : "strategy-error";
  out.message = failing.message;

  // The trace first: it must exist whatever happens to the report.
  traces::Trace& t = found.trace;
  t.program = options.name;
  t.strategy = std::string(strategy->name());
  t.strategy_options = strategy->options();
  t.seed = failing.seed;
  t.workload = {{"max-steps", options.max_steps}, {"detect-races", options.detect_races}};
  t.failure = traces::TraceFailure{out.property, out.message, {}, -1};
  const std::string path =
      absolute((std::filesystem::path(options.out_dir) / (file_stem(options.name) + ".trace.json"))
                   .string());
  std::string written;
  if (found.taken) {
    try {
      traces::write_trace_file(path, t);
      out.trace_path = path;
      written = "trace: " + path + "\n";
    } catch (const std::exception& e) {
      written = fmt::format("trace NOT written: {}\n", e.what());
    }
  }
  out.replay_command = fmt::format("{}={} {}", kReplayVariable, shell_quote(path),
                                   command_line(options.replay_args));
  const std::string where =
      options.schedules == 0
          ? fmt::format("schedule {}", failing.index + 1)
          : fmt::format("schedule {} of {}", failing.index + 1, options.schedules);
  out.report = fmt::format("lockstep: {}: {} in {} ({}, seed {})\n{}{}{}", options.name,
                           out.property, where, strategy->name(), failing.seed,
                           indent(out.message), found.taken ? interleaving(t) : "", written);
  if (!out.trace_path.empty()) {
    out.report += fmt::format("replay in code: lockstep::replay(f, \"{}\")\nreplay: {}\n", path,
                              out.replay_command);
  }
  log_of(options) << out.report << std::flush;
  return out;
}

}  // namespace lockstep
