// cli/output.h: what the explore command prints and writes: progress, the failure report, the
// summary table, JSON, JUnit XML, speed. Formatting only; no exploring here.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "impl/design_variant.h"
#include "impl/workload.h"
#include "properties/property.h"
#include "traces/explore.h"

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
  std::string trace_path;
  std::string shrunk_path;
  std::size_t shrunk_steps = 0, shrunk_ops = 0;
  double seconds = 0;
  bool ok = false;  // current: all held; a variant: caught by an expected property
  std::string verdict;
};

// Throws UsageError (one line) when the file cannot be read or is not a workload.
impl::Workload read_workload_file(const std::string& path);
std::string scenario_names();
std::string strategy_names();
std::string shrunk_path_for(const std::string& trace_path);

// A progress line on a terminal (rewritten in place), plain lines otherwise.
class Progress {
 public:
  explicit Progress(bool quiet);
  void update(const std::string& label, const traces::ExploreProgress& p);
  void done();

 private:
  bool quiet_;
  bool tty_;
  bool drawn_ = false;
  double started_ = 0;
};

void print_failure(const traces::Trace& trace, const std::string& path);
std::string summary_table(const std::vector<Row>& rows, const ExploreArgs& a, double seconds);
std::string summary_json(const std::vector<Row>& rows, const ExploreArgs& a, double seconds);
void write_junit(const std::string& path, const std::vector<Row>& rows);
std::string stats_text(const std::vector<Row>& rows, double seconds);

}  // namespace lockstep::cli
