// cli/output.h: what the explore command prints and writes: progress, the failure report, the
// summary table, JSON, JUnit XML, speed. Formatting only; no exploring here.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "impl/design_variant.h"
#include "impl/workload.h"
#include "properties/property.h"
#include "traces/explore.h"
#include "traces/shrink.h"

namespace lockstep::cli {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Job {
  impl::DesignVariant design = impl::DesignVariant::kCurrent;
  std::string scenario;  // built-in scenario name, or the workload file's name
  impl::Workload workload;
};

struct Row {
  Job job;
  traces::ExploreReport report;
  std::vector<properties::Property> expected;
  std::string trace_path;   // absolute, as written
  std::string shrunk_path;  // absolute, as written
  std::size_t shrunk_steps = 0, shrunk_ops = 0;
  bool shrink_budget_spent = false;
  // Per lock-order violation (report.lock_order_violations): the traces of the executions
  // that took its edges, as written.
  std::vector<std::vector<std::string>> evidence_paths;
  std::string write_error;  // non-empty: a trace of this row could not be written
  double seconds = 0;
  bool ok = false;  // current: all held; a variant: caught by an expected property
  std::string verdict;
  // --generate: the row sums the explorations of the workloads it ran (report.first_failure
  // and the lock-order findings are those of the failing workload, its first failure index
  // is an execution of that workload).
  bool generated = false;
  std::uint64_t workloads = 0;                      // workloads explored
  std::optional<std::uint64_t> failing_workload;    // its index in the series
  bool time_stopped = false;                        // --time ran out before the series did
};

// Throws UsageError (one line) when the file cannot be read or is not a workload.
impl::Workload read_workload_file(const std::string& path);
// Throws UsageError unless `path` could be written (its directory exists and is writable, or
// it is an existing writable file), without creating anything.
void check_writable_file(const std::string& path, const char* what);
// Throws UsageError unless directory `dir` exists and is writable or could be created.
void check_writable_dir(const std::string& dir, const char* what);
std::string scenario_names();
std::string strategy_names();
std::string shrunk_path_for(const std::string& trace_path);

// A progress line on a terminal (rewritten in place, at most a few times a second), plain
// lines every few seconds otherwise; with the total to run and an ETA when it is known.
class Progress {
 public:
  explicit Progress(bool quiet);
  void update(const std::string& label, const traces::ExploreProgress& p, std::uint64_t total);
  void shrinking(const std::string& label, const traces::ShrinkProgress& p);
  void done();

 private:
  bool due();
  void show(const std::string& line);
  bool quiet_;
  bool tty_;
  bool drawn_ = false;
  bool shown_once_ = false;
  double started_ = 0;
  double last_ = 0;
};

// Which execution of which exploration a failure came from, for its header.
struct FailureOrigin {
  std::uint64_t seed = 0;        // the --seed the user gave
  std::uint64_t execution = 0;   // 1-based, as in the summary
  std::string shard;             // "K/N" or empty
};
void print_failure(const traces::Trace& trace, const std::string& path,
                   const FailureOrigin& origin);
// A failure found only across executions (the lock-order check): the cycle or hold, each edge
// with its sites, and the traces of executions that took them.
void print_lock_order_failure(const Row& row);
// A row's workload name: its scenario, or "generated-w<i>" for a generated row's failure.
std::string row_name(const Row& r);
std::string summary_table(const std::vector<Row>& rows, const ExploreArgs& a, double seconds);
std::string summary_json(const std::vector<Row>& rows, const ExploreArgs& a, double seconds);
// Throws UsageError when the file cannot be written (no partial file is left behind).
void write_junit(const std::string& path, const std::vector<Row>& rows);
std::string stats_text(const std::vector<Row>& rows, double seconds);

}  // namespace lockstep::cli
