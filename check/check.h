// check/check.h: the one-call API. check(f, options) runs `f` under many schedules and, on the
// first failure, writes its trace, prints the report and the replay instruction; replay(f, file)
// re-runs one recorded schedule. Included by <lockstep/sim.h>.
//
// Contract
// - `f` runs as task 0 of each execution; it spawns tasks (lockstep::spawn), uses the
//   simulator's primitives and Shared<T>, and signals a violated property with
//   lockstep::fail(message) or an exception. An execution fails when a task fails, when no task
//   can run (a deadlock: the report shows the wait-for chain), when it exceeds max_steps, or
//   with detect_races on, when two tasks access a Shared<T> unordered (property data-race).
// - Search: random and PCT run `schedules` executions from `seed`; DFS and DPOR enumerate
//   schedules until exhausted (schedules = 0) or for at most `schedules`. "exhausted" is true
//   only when a systematic search covered its whole space and abandoned nothing.
// - On a failure, in this order: the trace is written to <out_dir>/<name>.trace.json (a
//   temporary file renamed into place, so the same failure gives the same bytes under the same
//   name), the report (failure, wait-for chain, interleaving) is printed on `log`, and its
//   last line is the replay instruction. Nothing is printed for a pass unless `verbose`.
// - Replaying: with the environment variable LOCKSTEP_REPLAY set to a trace file whose program
//   is this check's `name`, check() replays that trace instead of searching (the replay
//   instruction uses it). replay() does the same for any trace; a schedule the program no
//   longer follows is reported as a divergence naming the step.
// - Errors: bad options, an out_dir that cannot be written, and a trace file that is missing,
//   malformed, truncated or of another version throw CheckError with a one-line what().
// - Determinism: same f, options and build give the same schedules and the same trace bytes;
//   f must not read the wall clock, addresses or other unrecorded sources of choice.
// Threading: one check at a time per OS thread; `f` runs on the calling OS thread.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace lockstep {

struct CheckError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Search { kRandom, kPct, kDfs, kDpor };

struct CheckOptions {
  Search search = Search::kRandom;
  std::uint64_t schedules = 1000;  // random/PCT: executions; DFS/DPOR: a cap, 0 = none
  std::uint64_t seed = 0;          // random/PCT
  std::uint32_t depth = 3;         // PCT: the bug depth targeted
  std::optional<std::uint32_t> preemption_bound;  // DFS/DPOR; none: unbounded
  std::uint32_t max_steps = 100'000;  // per execution; beyond it the execution fails
  bool detect_races = true;           // data races on Shared<T> fail the execution
  std::string name = "check";         // names the trace file; letters, digits, . _ - kept
  std::string out_dir = ".";          // where the trace is written (created if missing)
  std::vector<std::string> replay_args;  // appended to the replay command (e.g. a test filter)
  std::ostream* log = nullptr;           // where reports go; nullptr: std::cerr
  bool verbose = false;                  // also print a line for a pass

  static CheckOptions random(std::uint64_t schedules, std::uint64_t seed = 0);
  static CheckOptions pct(std::uint64_t schedules, std::uint32_t depth = 3,
                          std::uint64_t seed = 0);
  static CheckOptions dfs(std::optional<std::uint32_t> preemption_bound = {});
  static CheckOptions dpor(std::optional<std::uint32_t> preemption_bound = {});
};

struct CheckResult {
  bool failed = false;
  std::uint64_t schedules = 0;  // executions run
  bool exhausted = false;       // every schedule covered (DFS/DPOR), nothing abandoned
  std::uint64_t abandoned = 0;  // executions given up without a verdict
  // What failed: "failed" (fail() or an exception), "deadlock" (a wait-for cycle), "stuck"
  // (blocked with no cycle, e.g. a receive nobody answers), "step-bound", "data-race".
  std::string property;
  std::string message;          // the failure, one or more lines
  std::string trace_path;       // absolute path of the trace written, or empty
  std::string replay_command;   // the exact instruction printed last
  std::string report;           // everything printed for the failure
  bool replayed = false;        // the run replayed LOCKSTEP_REPLAY instead of searching
  std::string divergence;       // replay only: where the program left the recorded schedule

  bool passed() const { return !failed && divergence.empty(); }
};

// Runs `f` under the search `options` describes; see the contract above.
CheckResult check(const std::function<void()>& f, const CheckOptions& options = {});

// Re-runs the schedule recorded in `trace_file` once. failed/property/message say what the
// execution did; divergence is non-empty when the program did not follow the schedule (the
// step and the operations that differ). Throws CheckError for an unreadable or invalid trace.
CheckResult replay(const std::function<void()>& f, const std::string& trace_file,
                   const CheckOptions& options = {});

}  // namespace lockstep
