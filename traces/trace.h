// traces/trace.h: the trace of one execution, as versioned JSON.
//
// Format (version 1), fields in this order:
//   {"format": "lockstep-trace", "version": 1,
//    "design": "current" | "<variant>" | "" (a plain program),
//    "program": name of the program or workload generator,
//    "strategy": {"name", "options": {k: v}, "seed"},
//    "workload": <object, owned by the workload layer>,
//    "outcome": "completed" | "stuck" | "step-bound" | "failed" | "abandoned",
//    "tasks": [{"name", "thread"}], "objects": ["manager#0", ...],
//    "steps": [{"task", "op", "object", "time", "site"}], "values": [...],
//    "failure": {"property", "message", "chain": [...], "step"} | null}
// - Objects are named by class and creation ordinal, never by address; "object" in a step is
//   the index into "objects" (-1 for none; the joined task's id for a join). Sites are
//   "file.cc:line" without directories, so traces compare across checkouts.
// - to_json is deterministic: the same Trace gives the same bytes.
// - parse_trace never crashes on bad input: it throws TraceError whose what() is one line
//   ("trace: ..."), for malformed or truncated JSON, a wrong format or version, a missing or
//   mistyped field, an unknown operation name.
// - write_trace_file writes to a unique temporary file beside the target, then renames it
//   (traces/files.h); write_new_trace_file never replaces a different trace (it picks
//   "<name>-2.json", ...) and returns the path written. read_trace_file reads regular files
//   only; its errors name the path and the reason.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/task.h"

namespace lockstep::traces {

inline constexpr int kTraceVersion = 1;

struct TraceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TraceStep {
  std::uint32_t task = 0;
  sim::OpKind op = sim::OpKind::kYield;
  std::int64_t object = -1;
  std::int64_t time = 0;
  std::string site;
  friend bool operator==(const TraceStep&, const TraceStep&) = default;
};

struct TraceTask {
  std::string name;
  std::int64_t thread = -1;  // conversation thread the task works for, -1 for none
  friend bool operator==(const TraceTask&, const TraceTask&) = default;
};

struct TraceFailure {
  std::string property;  // kebab-case property name, or the outcome for plain programs
  std::string message;
  std::vector<std::string> chain;  // wait-for chain, one line per link
  std::int64_t step = -1;          // step at which it was detected, -1 at the end
  friend bool operator==(const TraceFailure&, const TraceFailure&) = default;
};

struct Trace {
  int version = kTraceVersion;
  std::string design;
  std::string program;
  std::string strategy;
  std::vector<std::pair<std::string, std::string>> strategy_options;
  std::uint64_t seed = 0;
  nlohmann::ordered_json workload = nlohmann::ordered_json::object();
  std::string outcome;
  std::vector<TraceTask> tasks;
  std::vector<std::string> objects;
  std::vector<TraceStep> steps;
  std::vector<std::uint64_t> values;
  std::optional<TraceFailure> failure;
  friend bool operator==(const Trace&, const Trace&) = default;
};

std::string to_json(const Trace& trace);
Trace parse_trace(std::string_view text);
Trace read_trace_file(const std::string& path);
// Throws TraceError when the directory is missing or not writable.
void write_trace_file(const std::string& path, const Trace& trace);
std::string write_new_trace_file(const std::string& path, const Trace& trace);

// Recording an execution into a Trace, and replaying one: traces/capture.h. This header and
// trace.cc (with files.cc) need only sim/task.h, so the parser builds alone (e.g. for the
// fuzzer).

}  // namespace lockstep::traces
