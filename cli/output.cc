#include "cli/output.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/context/fiber.hpp>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "sim/strategies/strategy.h"
#include "traces/distinct.h"
#include "traces/files.h"
#include "traces/report.h"
#include "traces/scenarios.h"

namespace lockstep::cli {

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string first_property(const Row& r) {
  if (r.report.first_failure && r.report.first_failure->failure) {
    return r.report.first_failure->failure->property;
  }
  if (!r.report.lock_order_violations.empty()) {
    return std::string(properties::property_name(r.report.lock_order_violations[0].property));
  }
  return "-";
}

long max_rss_kb() {
  struct rusage u {};
  return ::getrusage(RUSAGE_SELF, &u) == 0 ? u.ru_maxrss : 0;
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string exhausted_note(const ExploreArgs& a) {
  const char* records = a.records_commute ? ", records commuting" : "";
  if (!a.preemption_bound) return fmt::format(" (space exhausted{})", records);
  return fmt::format(" (space exhausted within {} preemption{}{})", *a.preemption_bound,
                     *a.preemption_bound == 1 ? "" : "s", records);
}

}  // namespace

impl::Workload read_workload_file(const std::string& path) {
  std::string text;
  try {
    text = traces::read_regular_file(path);
  } catch (const traces::FileError& e) {
    throw UsageError(fmt::format("workload: {}", e.what()));
  }
  try {
    return impl::workload_from_json(nlohmann::json::parse(text));
  } catch (const nlohmann::json::parse_error& e) {
    throw UsageError(fmt::format("workload {}: malformed JSON at byte {}", path, e.byte));
  } catch (const std::exception& e) {
    std::string msg = e.what();
    for (char& c : msg) {
      if (c == '\n') c = ' ';
    }
    throw UsageError(fmt::format("workload {}: {}", path, msg));
  }
}

void check_writable_file(const std::string& path, const char* what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw UsageError(fmt::format("{} {}: is a directory", what, path));
    if (::access(path.c_str(), W_OK) != 0) {
      throw UsageError(fmt::format("{} {}: {}", what, path, std::strerror(errno)));
    }
    return;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  if (::access(dir.c_str(), W_OK) != 0) {
    throw UsageError(fmt::format("{} {}: cannot write in {}: {}", what, path, dir,
                                 std::strerror(errno)));
  }
}

void check_writable_dir(const std::string& dir, const char* what) {
  // The nearest existing ancestor decides: the directory itself is made only when a trace is
  // written into it.
  std::filesystem::path p = std::filesystem::path(dir).lexically_normal();
  if (p.empty()) p = ".";
  for (;;) {
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        throw UsageError(fmt::format("{} {}: {} is not a directory", what, dir, p.string()));
      }
      if (::access(p.c_str(), W_OK) != 0) {
        throw UsageError(fmt::format("{} {}: cannot write in {}: {}", what, dir, p.string(),
                                     std::strerror(errno)));
      }
      return;
    }
    if (errno != ENOENT || p == "." || p == "/") {
      throw UsageError(fmt::format("{} {}: {}", what, dir, std::strerror(errno)));
    }
    // Not there yet: its parent decides (the working directory for a relative name).
    p = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
  }
}

std::string scenario_names() {
  std::string out;
  for (const auto& s : traces::scenarios()) out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

std::string strategy_names() {
  std::string out;
  for (const auto& s : sim::strategy_table()) out += (out.empty() ? "" : ", ") + std::string(s.name);
  return out;
}

std::string shrunk_path_for(const std::string& p) {
  const std::string ext = ".json";
  if (p.size() > ext.size() && p.compare(p.size() - ext.size(), ext.size(), ext) == 0) {
    return p.substr(0, p.size() - ext.size()) + ".shrunk.json";
  }
  return p + ".shrunk.json";
}

Progress::Progress(bool quiet) : quiet_(quiet), tty_(isatty(STDERR_FILENO) != 0) {
  started_ = now_seconds();
  last_ = started_;
}

bool Progress::due() {
  if (quiet_) return false;
  const double now = now_seconds();
  // The first line at once; then a terminal line is rewritten a few times a second and a log
  // gets a line every 5 s.
  if (shown_once_ && now - last_ < (tty_ ? 0.25 : 5.0)) return false;
  shown_once_ = true;
  last_ = now;
  return true;
}

void Progress::show(const std::string& line) {
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    drawn_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

void Progress::update(const std::string& label, const traces::ExploreProgress& p,
                      std::uint64_t total) {
  if (!due()) return;
  const double elapsed = now_seconds() - started_;
  const double rate = elapsed > 0 ? static_cast<double>(p.executions) / elapsed : 0.0;
  std::string of;
  if (total > 0) {
    of = fmt::format(" of {}", total);
    if (rate > 0 && total > p.executions) {
      of += fmt::format(", ETA {:.0f}s", static_cast<double>(total - p.executions) / rate);
    }
  }
  show(fmt::format("{}: {} executions{}, {:.0f}/s, {} failing", label, p.executions, of, rate,
                   p.failures));
}

void Progress::shrinking(const std::string& label, const traces::ShrinkProgress& p) {
  if (!due()) return;
  show(fmt::format("{}: shrinking: {} candidate executions ({} steps), now {} ops, {} steps",
                   label, p.attempts, p.steps, p.ops, p.schedule_steps));
}

void Progress::done() {
  if (tty_ && drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
  shown_once_ = false;
  started_ = now_seconds();
  last_ = started_;
}

void print_failure(const traces::Trace& t, const std::string& path, const FailureOrigin& o) {
  std::printf("FAILURE in design %s, %s (strategy %s, --seed %llu%s, execution %llu; that "
              "execution's own seed %llu)\n",
              t.design.c_str(), t.program.c_str(), t.strategy.c_str(),
              static_cast<unsigned long long>(o.seed),
              o.shard.empty() ? "" : (", shard " + o.shard).c_str(),
              static_cast<unsigned long long>(o.execution),
              static_cast<unsigned long long>(t.seed));
  if (t.failure) {
    std::printf("property %s violated", t.failure->property.c_str());
    if (t.failure->step >= 0) std::printf(" at step %lld", static_cast<long long>(t.failure->step));
    std::printf(":\n  %s\n", t.failure->message.c_str());
    if (t.failure->message.find(" @") != std::string::npos) {
      std::printf("  %s\n", std::string(traces::kNotationNote).c_str());
    }
    if (!t.failure->chain.empty()) {
      std::printf("wait-for chain:\n");
      for (const auto& link : t.failure->chain) std::printf("  %s\n", link.c_str());
    }
  }
  std::printf("interleaving (%zu steps):\n%s", t.steps.size(),
              traces::interleaving_table(t, 60, traces::cited_steps(t)).c_str());
  if (!path.empty()) std::printf("trace written to %s\n", path.c_str());
}

void print_lock_order_failure(const Row& r) {
  for (std::size_t i = 0; i < r.report.lock_order_violations.size(); ++i) {
    const properties::Violation& v = r.report.lock_order_violations[i];
    std::printf("FAILURE in design %s, %s:%s, found by the lock-order check across "
                "executions\nproperty %s violated:\n  %s\n",
                std::string(impl::design_variant_name(r.job.design)).c_str(),
                r.generated ? "workload" : "scenario", row_name(r).c_str(), std::string(properties::property_name(v.property)).c_str(),
                v.message.c_str());
    for (const auto& link : v.chain) std::printf("  %s\n", link.c_str());
    const auto& ev = r.report.lock_order_evidence[i];
    for (std::size_t k = 0; k < ev.size(); ++k) {
      const std::string path = i < r.evidence_paths.size() && k < r.evidence_paths[i].size()
                                   ? r.evidence_paths[i][k]
                                   : "";
      std::printf("  execution %llu took \"%s\"%s%s\n",
                  static_cast<unsigned long long>(ev[k].execution + 1), ev[k].what.c_str(),
                  path.empty() ? "" : ": trace ", path.c_str());
    }
  }
}

namespace {

// The summary of a --generate run: one row per design.
std::string generated_table(const std::vector<Row>& rows, const ExploreArgs& a, double seconds) {
  std::string series = a.workloads ? fmt::format("workloads 0..{}", *a.workloads - 1)
                                   : std::string("workloads 0, 1, ...");
  if (!a.shard.empty()) series += fmt::format(" (shard {}: index mod N = K)", a.shard);
  std::string out = fmt::format(
      "\nlockstep explore --generate: strategy {}, seed {}, {} schedules per workload, {}{}\n",
      a.strategy, a.seed, a.schedules, series,
      a.time_seconds ? fmt::format(", at most {} s", *a.time_seconds) : "");
  out += fmt::format("{:<26} {:>9} {:>10} {:<26} {:>8} {:>8} {:>12} {}  {}\n", "design",
                     "workloads", "executions", "property that failed", "workload", "to first",
                     "shrunk", a.stats ? "   time" : "", "verdict");
  for (const Row& r : rows) {
    out += fmt::format(
        "{:<26} {:>9} {:>10} {:<26} {:>8} {:>8} {:>12} {}  {}\n",
        impl::design_variant_name(r.job.design), r.workloads, r.report.executions,
        first_property(r),
        r.failing_workload ? std::to_string(*r.failing_workload) : "-",
        r.report.first_failure ? std::to_string(r.report.first_failure_index + 1) : "-",
        r.shrunk_path.empty() ? "-" : fmt::format("{} steps", r.shrunk_steps),
        a.stats ? fmt::format("{:>6.2f}s", r.seconds) : "",
        r.verdict +
            (r.report.exhausted ? " (each workload's space exhausted)" : "") +
            (r.report.abandoned > 0 ? fmt::format(" [{} abandoned]", r.report.abandoned) : ""));
  }
  for (const Row& r : rows) {
    if (r.report.abandoned > 0) {
      out += fmt::format("{} / generated: {} execution{} abandoned, not checked (first: {})\n",
                         impl::design_variant_name(r.job.design), r.report.abandoned,
                         r.report.abandoned == 1 ? "" : "s", r.report.first_abandon_reason);
    }
    if (!r.report.strategy_error.empty()) {
      out += fmt::format("{} / generated: error: {}\n", impl::design_variant_name(r.job.design),
                         r.report.strategy_error);
    }
    if (r.time_stopped) {
      out += fmt::format("{}: --time ran out after {} workload{}; no more were drawn\n",
                         impl::design_variant_name(r.job.design), r.workloads,
                         r.workloads == 1 ? "" : "s");
    }
  }
  out += "workload: the failing workload's index in the series; to first: its failing execution\n";
  if (a.stats) out += fmt::format("total time {:.2f}s\n", seconds);
  return out;
}

}  // namespace

std::string row_name(const Row& r) {
  if (r.generated && r.failing_workload) return fmt::format("generated-w{}", *r.failing_workload);
  return r.job.scenario;
}

std::string summary_table(const std::vector<Row>& rows, const ExploreArgs& a, double seconds) {
  if (!rows.empty() && rows.front().generated) return generated_table(rows, a, seconds);
  std::string out = fmt::format("\nlockstep explore: strategy {}, seed {}, {} schedules per row\n",
                                a.strategy, a.seed, a.schedules);
  // Wall time only with --stats: without it the summary is a function of the inputs alone.
  out += fmt::format("{:<26} {:<22} {:>10} {:>9} {:<26} {:>9} {:>12} {}  {}\n", "design",
                     "scenario", "executions", "distinct", "property that failed",
                     "to first", "shrunk", a.stats ? "   time" : "", "verdict");
  for (const Row& r : rows) {
    const bool failed = r.report.first_failure.has_value();
    out += fmt::format(
        "{:<26} {:<22} {:>10} {:>9} {:<26} {:>9} {:>12} {}  {}\n",
        impl::design_variant_name(r.job.design), r.job.scenario, r.report.executions,
        (r.report.distinct_estimated ? "~" : "") + std::to_string(r.report.distinct_schedules),
        first_property(r),
        failed ? std::to_string(r.report.first_failure_index + 1) : "-",
        r.shrunk_path.empty() ? "-" : fmt::format("{} steps", r.shrunk_steps),
        a.stats ? fmt::format("{:>6.2f}s", r.seconds) : "",
        r.verdict + (r.report.exhausted ? exhausted_note(a) : "") +
            (r.report.metrics.pruned > 0
                 ? fmt::format(" [{} pruned by sleep sets]", r.report.metrics.pruned)
                 : "") +
            (r.report.abandoned > 0 ? fmt::format(" [{} abandoned]", r.report.abandoned) : ""));
  }
  // An abandoned execution was checked by nothing: say how many and why, below the table.
  for (const Row& r : rows) {
    if (r.report.abandoned > 0) {
      out +=
          fmt::format("{} / {}: {} execution{} abandoned, not checked (first: {})\n",
                      impl::design_variant_name(r.job.design), r.job.scenario, r.report.abandoned,
                      r.report.abandoned == 1 ? "" : "s", r.report.first_abandon_reason);
    }
    if (!r.report.strategy_error.empty()) {
      out += fmt::format("{} / {}: error: {}\n", impl::design_variant_name(r.job.design),
                         r.job.scenario, r.report.strategy_error);
    }
  }
  for (const Row& r : rows) {
    if (!r.report.distinct_estimated) continue;
    out += fmt::format("~: distinct schedules estimated (HyperLogLog, 4096 registers, standard "
                       "error {:.1f}%) beyond {} exact\n",
                       100 * traces::DistinctCounter::kStandardError,
                       traces::DistinctCounter::kExactLimit);
    break;
  }
  if (a.stats) out += fmt::format("total time {:.2f}s\n", seconds);
  return out;
}

std::string summary_json(const std::vector<Row>& rows, const ExploreArgs& a, double seconds) {
  nlohmann::ordered_json j;
  j["strategy"] = a.strategy;
  j["seed"] = a.seed;
  j["schedules"] = a.schedules;
  j["shard"] = a.shard;
  if (a.generate) {
    j["generate"] = true;
    j["workloads"] = a.workloads ? nlohmann::ordered_json(*a.workloads) : nlohmann::ordered_json(nullptr);
    j["time"] = a.time_seconds ? nlohmann::ordered_json(*a.time_seconds) : nlohmann::ordered_json(nullptr);
  }
  if (a.preemption_bound) j["preemption-bound"] = *a.preemption_bound;
  if (a.records_commute) j["records-commute"] = true;
  j["rows"] = nlohmann::ordered_json::array();
  for (const Row& r : rows) {
    nlohmann::ordered_json row;
    row["design"] = std::string(impl::design_variant_name(r.job.design));
    row["scenario"] = r.job.scenario;
    if (r.generated) {
      row["workloads"] = r.workloads;
      row["failing-workload"] = r.failing_workload ? nlohmann::ordered_json(*r.failing_workload)
                                                   : nlohmann::ordered_json(nullptr);
      row["time-stopped"] = r.time_stopped;
    }
    row["executions"] = r.report.executions;
    row["distinct-schedules"] = r.report.distinct_schedules;
    row["distinct-estimated"] = r.report.distinct_estimated;
    row["exhausted"] = r.report.exhausted;
    row["pruned"] = r.report.metrics.pruned;
    row["abandoned"] = r.report.abandoned;
    if (r.report.abandoned > 0) row["abandon-reason"] = r.report.first_abandon_reason;
    if (!r.report.strategy_error.empty()) row["strategy-error"] = r.report.strategy_error;
    nlohmann::ordered_json by = nlohmann::ordered_json::object();
    for (const auto& [p, n] : r.report.failures_by_property) {
      by[std::string(properties::property_name(p))] = n;
    }
    row["failures-by-property"] = by;
    row["first-failure"] = r.report.first_failure
                               ? nlohmann::ordered_json(r.report.first_failure_index + 1)
                               : nlohmann::ordered_json(nullptr);
    row["property"] = first_property(r);
    row["trace"] = r.trace_path;
    row["shrunk-trace"] = r.shrunk_path;
    nlohmann::ordered_json lock_order = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < r.report.lock_order_violations.size(); ++i) {
      const properties::Violation& v = r.report.lock_order_violations[i];
      nlohmann::ordered_json lo;
      lo["property"] = std::string(properties::property_name(v.property));
      lo["message"] = v.message;
      lo["chain"] = v.chain;
      nlohmann::ordered_json traces = nlohmann::ordered_json::array();
      const auto& ev = r.report.lock_order_evidence[i];
      for (std::size_t k = 0; k < ev.size(); ++k) {
        traces.push_back({{"execution", ev[k].execution + 1},
                          {"took", ev[k].what},
                          {"trace", i < r.evidence_paths.size() && k < r.evidence_paths[i].size()
                                        ? r.evidence_paths[i][k]
                                        : ""}});
      }
      lo["traces"] = traces;
      lock_order.push_back(lo);
    }
    row["lock-order"] = lock_order;
    row["verdict"] = r.verdict;
    row["ok"] = r.ok;
    if (a.stats) row["seconds"] = r.seconds;
    j["rows"].push_back(row);
  }
  if (a.stats) {
    j["seconds"] = seconds;
    j["max-rss-kb"] = max_rss_kb();
  }
  return j.dump(1) + "\n";
}

void write_junit(const std::string& path, const std::vector<Row>& rows) {
  std::size_t failures = 0;
  std::size_t errors = 0;
  for (const Row& r : rows) {
    const bool error = !r.report.strategy_error.empty();
    errors += error ? 1 : 0;
    failures += r.ok || error ? 0 : 1;
  }
  std::string xml = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"lockstep\" tests=\"{}\" "
      "failures=\"{}\" errors=\"{}\">\n",
      rows.size(), failures, errors);
  for (const Row& r : rows) {
    xml += fmt::format("  <testcase classname=\"lockstep.{}\" name=\"{}\" time=\"{:.3f}\">",
                       impl::design_variant_name(r.job.design), xml_escape(r.job.scenario),
                       r.seconds);
    if (r.generated) {
      xml += fmt::format("<system-out>{} generated workloads, {} executions{}</system-out>",
                         r.workloads, r.report.executions,
                         r.failing_workload
                             ? fmt::format(", failing workload {}", *r.failing_workload)
                             : "");
    }
    if (!r.report.strategy_error.empty()) {
      xml += fmt::format("<error message=\"{}\"/>", xml_escape(r.report.strategy_error));
    } else if (!r.ok) {
      std::string msg = r.verdict;
      if (r.report.first_failure && r.report.first_failure->failure) {
        msg += ": " + r.report.first_failure->failure->message;
      } else if (!r.report.lock_order_violations.empty()) {
        msg += ": " + r.report.lock_order_violations.front().message;
      }
      xml += fmt::format("<failure message=\"{}\">trace: {}</failure>", xml_escape(msg),
                         xml_escape(r.trace_path));
    }
    if (r.report.abandoned > 0) {
      xml +=
          fmt::format("<system-out>{} executions abandoned, not checked (first: {})</system-out>",
                      r.report.abandoned, xml_escape(r.report.first_abandon_reason));
    }
    xml += "</testcase>\n";
  }
  xml += "</testsuite>\n";
  try {
    traces::write_file(path, xml);
  } catch (const traces::FileError& e) {
    throw UsageError(fmt::format("JUnit report: {}", e.what()));
  }
}

std::string stats_text(const std::vector<Row>& rows, double seconds) {
  namespace ctx = boost::context;
  // A bare Boost.Context fiber round trip, measured now, in this process.
  std::uint64_t trips = 0;
  ctx::fiber f{[&trips](ctx::fiber&& main) {
    for (;;) {
      ++trips;
      main = std::move(main).resume();
    }
    return std::move(main);
  }};
  constexpr int kTrips = 2'000'000;
  const double t0 = now_seconds();
  for (int i = 0; i < kTrips; ++i) f = std::move(f).resume();
  const double trip_ns = (now_seconds() - t0) * 1e9 / kTrips;
  std::uint64_t executions = 0, steps = 0, workloads = 0;
  for (const Row& r : rows) {
    executions += r.report.metrics.executions;
    steps += r.report.metrics.steps;
    workloads += r.workloads;
  }
  const double step_ns = steps > 0 ? seconds * 1e9 / static_cast<double>(steps) : 0;
  return fmt::format(
      "stats: {} executions, {} steps in {:.3f}s: {:.0f} executions/s, {:.0f} steps/s, "
      "{:.1f} ns per step (property checking included) = {:.1f} fiber round trips of {:.1f} ns; "
      "max RSS {} kB\n",
      executions, steps, seconds, static_cast<double>(executions) / seconds,
      static_cast<double>(steps) / seconds, step_ns, trip_ns > 0 ? step_ns / trip_ns : 0.0,
      trip_ns, max_rss_kb()) +
         (workloads > 0 ? fmt::format("stats: {} generated workloads in {:.3f}s: {:.1f} workloads/s\n",
                                      workloads, seconds, static_cast<double>(workloads) / seconds)
                        : "");
}

}  // namespace lockstep::cli
