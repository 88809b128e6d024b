#include "cli/output.h"

#include <fmt/format.h>
#include <unistd.h>

#include <boost/context/fiber.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/strategies/strategy.h"
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
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("cannot open workload {}", path));
  std::stringstream buf;
  buf << in.rdbuf();
  try {
    return impl::workload_from_json(nlohmann::json::parse(buf.str()));
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
}

void Progress::update(const std::string& label, const traces::ExploreProgress& p) {
  if (quiet_) return;
  const double elapsed = now_seconds() - started_;
  const std::string line =
      fmt::format("{}: {} executions, {:.0f}/s, {} failing", label, p.executions,
                  elapsed > 0 ? static_cast<double>(p.executions) / elapsed : 0.0, p.failures);
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s", line.c_str());
    drawn_ = true;
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
}

void Progress::done() {
  if (tty_ && drawn_) std::fprintf(stderr, "\r\033[K");
  drawn_ = false;
  started_ = now_seconds();
}

void print_failure(const traces::Trace& t, const std::string& path) {
  std::printf("FAILURE in design %s, %s (strategy %s, seed %llu)\n", t.design.c_str(),
              t.program.c_str(), t.strategy.c_str(), static_cast<unsigned long long>(t.seed));
  if (t.failure) {
    std::printf("property %s violated", t.failure->property.c_str());
    if (t.failure->step >= 0) std::printf(" at step %lld", static_cast<long long>(t.failure->step));
    std::printf(":\n  %s\n", t.failure->message.c_str());
    if (!t.failure->chain.empty()) {
      std::printf("wait-for chain:\n");
      for (const auto& link : t.failure->chain) std::printf("  %s\n", link.c_str());
    }
  }
  std::printf("interleaving (%zu steps):\n%s", t.steps.size(),
              traces::interleaving_table(t, 60).c_str());
  std::printf("trace written to %s\n", path.c_str());
}

std::string summary_table(const std::vector<Row>& rows, const ExploreArgs& a, double seconds) {
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
        r.report.distinct_schedules, first_property(r),
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
  if (a.stats) out += fmt::format("total time {:.2f}s\n", seconds);
  return out;
}

std::string summary_json(const std::vector<Row>& rows, const ExploreArgs& a, double seconds) {
  nlohmann::ordered_json j;
  j["strategy"] = a.strategy;
  j["seed"] = a.seed;
  j["schedules"] = a.schedules;
  j["shard"] = a.shard;
  if (a.preemption_bound) j["preemption-bound"] = *a.preemption_bound;
  if (a.records_commute) j["records-commute"] = true;
  j["rows"] = nlohmann::ordered_json::array();
  for (const Row& r : rows) {
    nlohmann::ordered_json row;
    row["design"] = std::string(impl::design_variant_name(r.job.design));
    row["scenario"] = r.job.scenario;
    row["executions"] = r.report.executions;
    row["distinct-schedules"] = r.report.distinct_schedules;
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
    row["verdict"] = r.verdict;
    row["ok"] = r.ok;
    if (a.stats) row["seconds"] = r.seconds;
    j["rows"].push_back(row);
  }
  if (a.stats) j["seconds"] = seconds;
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
    if (!r.report.strategy_error.empty()) {
      xml += fmt::format("<error message=\"{}\"/>", xml_escape(r.report.strategy_error));
    } else if (!r.ok) {
      std::string msg = r.verdict;
      if (r.report.first_failure && r.report.first_failure->failure) {
        msg += ": " + r.report.first_failure->failure->message;
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
  std::ofstream out(path);
  if (!out) throw UsageError(fmt::format("cannot write {}", path));
  out << xml;
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
  std::uint64_t executions = 0, steps = 0;
  for (const Row& r : rows) {
    executions += r.report.metrics.executions;
    steps += r.report.metrics.steps;
  }
  const double step_ns = steps > 0 ? seconds * 1e9 / static_cast<double>(steps) : 0;
  return fmt::format(
      "stats: {} executions, {} steps in {:.3f}s: {:.0f} executions/s, {:.0f} steps/s, "
      "{:.1f} ns per step (property checking included) = {:.1f} fiber round trips of {:.1f} ns\n",
      executions, steps, seconds, static_cast<double>(executions) / seconds,
      static_cast<double>(steps) / seconds, step_ns, trip_ns > 0 ? step_ns / trip_ns : 0.0,
      trip_ns);
}

}  // namespace lockstep::cli
