#include "traces/trace.h"

#include <fmt/format.h>
#include <unistd.h>

#include "traces/files.h"

namespace lockstep::traces {

using Json = nlohmann::ordered_json;

namespace {

constexpr std::string_view kFormat = "lockstep-trace";

[[noreturn]] void bad(const std::string& what) { throw TraceError("trace: " + what); }

const Json& field(const Json& j, const char* name, const char* where) {
  if (!j.is_object()) bad(fmt::format("{} is not an object", where));
  auto it = j.find(name);
  if (it == j.end()) bad(fmt::format("{} has no field \"{}\"", where, name));
  return *it;
}

std::string str(const Json& j, const char* name, const char* where) {
  const Json& v = field(j, name, where);
  if (!v.is_string()) bad(fmt::format("{}.{} is not a string", where, name));
  return v.get<std::string>();
}

std::int64_t integer(const Json& j, const char* name, const char* where) {
  const Json& v = field(j, name, where);
  if (!v.is_number_integer()) bad(fmt::format("{}.{} is not an integer", where, name));
  return v.get<std::int64_t>();
}

std::uint64_t unsigned_integer(const Json& j, const char* name, const char* where) {
  const Json& v = field(j, name, where);
  if (!v.is_number_unsigned()) bad(fmt::format("{}.{} is not a non-negative integer", where, name));
  return v.get<std::uint64_t>();
}

const Json& array(const Json& j, const char* name, const char* where) {
  const Json& v = field(j, name, where);
  if (!v.is_array()) bad(fmt::format("{}.{} is not an array", where, name));
  return v;
}

}  // namespace

std::string to_json(const Trace& t) {
  Json j;
  j["format"] = kFormat;
  j["version"] = t.version;
  j["design"] = t.design;
  j["program"] = t.program;
  Json opts = Json::object();
  for (const auto& [k, v] : t.strategy_options) opts[k] = v;
  j["strategy"] = {{"name", t.strategy}, {"options", opts}, {"seed", t.seed}};
  j["workload"] = t.workload;
  j["outcome"] = t.outcome;
  Json tasks = Json::array();
  for (const TraceTask& task : t.tasks) tasks.push_back({{"name", task.name}, {"thread", task.thread}});
  j["tasks"] = std::move(tasks);
  j["objects"] = t.objects;
  Json steps = Json::array();
  for (const TraceStep& s : t.steps) {
    steps.push_back({{"task", s.task},
                     {"op", std::string(sim::op_kind_name(s.op))},
                     {"object", s.object},
                     {"time", s.time},
                     {"site", s.site}});
  }
  j["steps"] = std::move(steps);
  j["values"] = t.values;
  if (t.failure) {
    j["failure"] = {{"property", t.failure->property},
                    {"message", t.failure->message},
                    {"chain", t.failure->chain},
                    {"step", t.failure->step}};
  } else {
    j["failure"] = nullptr;
  }
  return j.dump(1) + "\n";
}

Trace parse_trace(std::string_view text) {
  Json j;
  try {
    j = Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    bad(fmt::format("malformed or truncated JSON at byte {}", e.byte));
  } catch (const nlohmann::json::exception& e) {
    // e.g. a number too large for any integer type (found by tests/fuzz/trace_fuzz.cc)
    bad(fmt::format("malformed JSON: {}", e.what()));
  }
  try {
    if (!j.is_object()) bad("the top level is not an object");
    if (str(j, "format", "trace") != kFormat) bad("not a lockstep trace (format field)");
    const std::int64_t version = integer(j, "version", "trace");
    if (version != kTraceVersion) {
      bad(fmt::format("unknown trace version {} (this build reads version {})", version,
                      kTraceVersion));
    }
    Trace t;
    t.design = str(j, "design", "trace");
    t.program = str(j, "program", "trace");
    const Json& s = field(j, "strategy", "trace");
    t.strategy = str(s, "name", "strategy");
    t.seed = unsigned_integer(s, "seed", "strategy");
    const Json& opts = field(s, "options", "strategy");
    if (!opts.is_object()) bad("strategy.options is not an object");
    for (const auto& [k, v] : opts.items()) {
      if (!v.is_string()) bad(fmt::format("strategy.options.{} is not a string", k));
      t.strategy_options.emplace_back(k, v.get<std::string>());
    }
    t.workload = field(j, "workload", "trace");
    t.outcome = str(j, "outcome", "trace");
    for (const Json& task : array(j, "tasks", "trace")) {
      t.tasks.push_back({str(task, "name", "task"), integer(task, "thread", "task")});
    }
    for (const Json& o : array(j, "objects", "trace")) {
      if (!o.is_string()) bad("an entry of objects is not a string");
      t.objects.push_back(o.get<std::string>());
    }
    const Json& steps = array(j, "steps", "trace");
    t.steps.reserve(steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const Json& st = steps[i];
      const std::string where = fmt::format("steps[{}]", i);
      TraceStep step;
      const std::int64_t task = integer(st, "task", where.c_str());
      if (task < 0 || task > 0xfffffffe) bad(fmt::format("{}.task is out of range", where));
      step.task = static_cast<std::uint32_t>(task);
      const std::string op = str(st, "op", where.c_str());
      if (!sim::op_kind_from_name(op, step.op)) {
        bad(fmt::format("{}.op \"{}\" is not an operation", where, op));
      }
      step.object = integer(st, "object", where.c_str());
      step.time = integer(st, "time", where.c_str());
      step.site = str(st, "site", where.c_str());
      t.steps.push_back(std::move(step));
    }
    for (const Json& v : array(j, "values", "trace")) {
      if (!v.is_number_unsigned()) bad("an entry of values is not a non-negative integer");
      t.values.push_back(v.get<std::uint64_t>());
    }
    const Json& f = field(j, "failure", "trace");
    if (!f.is_null()) {
      TraceFailure failure;
      failure.property = str(f, "property", "failure");
      failure.message = str(f, "message", "failure");
      for (const Json& c : array(f, "chain", "failure")) {
        if (!c.is_string()) bad("an entry of failure.chain is not a string");
        failure.chain.push_back(c.get<std::string>());
      }
      failure.step = integer(f, "step", "failure");
      t.failure = std::move(failure);
    }
    return t;
  } catch (const nlohmann::json::exception& e) {
    bad(fmt::format("unreadable field ({})", e.what()));
  }
}

Trace read_trace_file(const std::string& path) {
  std::string text;
  try {
    text = read_regular_file(path);
  } catch (const FileError& e) {
    bad(e.what());
  }
  try {
    return parse_trace(text);
  } catch (const TraceError& e) {
    throw TraceError(fmt::format("{}: {}", path, e.what()));
  }
}

void write_trace_file(const std::string& path, const Trace& trace) {
  try {
    write_file(path, to_json(trace));
  } catch (const FileError& e) {
    bad(e.what());
  }
}

std::string write_new_trace_file(const std::string& path, const Trace& trace) {
  try {
    return write_new_file(path, to_json(trace));
  } catch (const FileError& e) {
    bad(e.what());
  }
}

}  // namespace lockstep::traces
