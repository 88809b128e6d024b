// impl/workload.cc: workload helpers and JSON.
#include "impl/workload.h"

#include <fmt/format.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string_view>

namespace lockstep::impl {
namespace {

using Json = nlohmann::json;
constexpr std::string_view kFormat = "lockstep-workload";
constexpr int kVersion = 1;
constexpr std::uint64_t kMaxId = kMaxWorkloadId;
constexpr std::uint64_t kMaxCount = kMaxWorkloadCount;
constexpr std::uint64_t kMaxMilliseconds = kMaxWorkloadMilliseconds;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw WorkloadError(fmt::format("workload {}: {}", path, what));
}

const Json& require_object(const Json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object");
  return j;
}

// Rejects any field of `j` not in `known`, naming its path.
void only_fields(const Json& j, const std::string& path,
                 std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      fail(path == "(top)" ? key : path + "." + key,
           fmt::format("unknown field (known: {})", fmt::join(known, ", ")));
    }
  }
}

std::uint64_t get_uint(const Json& j, const std::string& key, const std::string& path,
                       std::uint64_t fallback, std::uint64_t max = kMaxCount) {
  if (!j.contains(key)) return fallback;
  const Json& v = j.at(key);
  const std::string where = path == "(top)" ? key : path + "." + key;
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
    fail(where, "expected a non-negative integer");
  }
  const std::uint64_t n = v.get<std::uint64_t>();
  if (n > max) fail(where, fmt::format("{} is out of range (at most {})", n, max));
  return n;
}

std::string get_string(const Json& j, const std::string& key, const std::string& path) {
  if (!j.contains(key)) fail(path + "." + key, "missing");
  if (!j.at(key).is_string()) fail(path + "." + key, "expected a string");
  return j.at(key).get<std::string>();
}

std::chrono::milliseconds get_ms(const Json& j, const std::string& key, const std::string& path,
                                 std::chrono::milliseconds fallback) {
  return std::chrono::milliseconds(
      get_uint(j, key, path, static_cast<std::uint64_t>(fallback.count()), kMaxMilliseconds));
}

Stall stall_from_json(const Json& j, const std::string& path) {
  require_object(j, path);
  only_fields(j, path, {"kind", "delay-ms"});
  Stall s;
  const std::string kind = get_string(j, "kind", path);
  auto k = parse_stall_kind(kind);
  if (!k) {
    fail(path + ".kind",
         fmt::format("unknown stall '{}' (none, hang-forever, hang-for, agent-dies, test-crash)", kind));
  }
  s.kind = *k;
  s.delay = get_ms(j, "delay-ms", path, std::chrono::milliseconds(0));
  return s;
}

WorkloadOp op_from_json(const Json& j, const std::string& path) {
  require_object(j, path);
  only_fields(j, path, {"op", "thread", "event", "stall", "at-ms"});
  WorkloadOp op;
  const std::string name = get_string(j, "op", path);
  auto kind = parse_op_kind(name);
  if (!kind) fail(path + ".op", fmt::format("unknown operation '{}'", name));
  op.kind = *kind;
  if (j.contains("thread")) {
    op.thread = ThreadId(static_cast<std::uint32_t>(get_uint(j, "thread", path, 0, kMaxId)));
  }
  if (j.contains("event")) {
    const std::string ev = get_string(j, "event", path);
    auto e = parse_event_kind(ev);
    if (!e) fail(path + ".event", fmt::format("unknown event kind '{}'", ev));
    op.event = *e;
  }
  if (j.contains("stall")) op.stall = stall_from_json(j.at("stall"), path + ".stall");
  op.at = get_ms(j, "at-ms", path, std::chrono::milliseconds(0));
  return op;
}

Json op_to_json(const WorkloadOp& op) {
  Json j = {{"op", op_kind_name(op.kind)}};
  if (op.thread) j["thread"] = raw(*op.thread);
  if (op.kind == OpKind::kEmit) j["event"] = event_kind_name(op.event);
  if (op.stall.kind != StallKind::kNone) {
    j["stall"] = {{"kind", stall_kind_name(op.stall.kind)}};
    if (op.stall.kind == StallKind::kHangFor) j["stall"]["delay-ms"] = op.stall.delay.count();
  }
  if (op.at.count() > 0) j["at-ms"] = op.at.count();
  return j;
}

}  // namespace

bool op_needs_thread(OpKind k) {
  return k != OpKind::kConnect && k != OpKind::kDisconnect && k != OpKind::kCleanupIdle;
}

bool op_may_stall(OpKind k) { return k == OpKind::kStart || k == OpKind::kPrompt; }

std::optional<OpKind> parse_op_kind(std::string_view name) {
  for (int i = 0; i < kOpKindCount; ++i) {
    if (op_kind_name(static_cast<OpKind>(i)) == name) return static_cast<OpKind>(i);
  }
  return std::nullopt;
}

std::optional<EventKind> parse_event_kind(std::string_view name) {
  for (auto k : {EventKind::kItem, EventKind::kTurnStarted, EventKind::kTurnCompleted,
                 EventKind::kServerRequest}) {
    if (event_kind_name(k) == name) return k;
  }
  return std::nullopt;
}

std::set<ThreadId> stalled_threads(const Workload& w) {
  std::set<ThreadId> out;
  for (const auto& c : w.clients) {
    for (const auto& op : c.ops) {
      const bool hangs =
          op.stall.kind == StallKind::kHangForever || op.stall.kind == StallKind::kHangFor;
      if (hangs && op.thread) out.insert(*op.thread);
    }
  }
  return out;
}

std::set<ThreadId> workload_threads(const Workload& w) {
  std::set<ThreadId> out;
  for (const auto& c : w.clients) {
    for (const auto& op : c.ops) {
      if (op.thread) out.insert(*op.thread);
    }
  }
  return out;
}

std::set<ConnectionId> workload_connections(const Workload& w) {
  std::set<ConnectionId> out;
  for (const auto& c : w.clients) out.insert(c.connection);
  return out;
}

std::string validate(const Workload& w) {
  std::set<ConnectionId> seen;
  for (std::size_t ci = 0; ci < w.clients.size(); ++ci) {
    const auto& c = w.clients[ci];
    if (!seen.insert(c.connection).second) {
      return fmt::format("clients[{}]: connection c{} has two scripts", ci, raw(c.connection));
    }
    for (std::size_t oi = 0; oi < c.ops.size(); ++oi) {
      const auto& op = c.ops[oi];
      const std::string path = fmt::format("clients[{}].ops[{}]", ci, oi);
      if (op_needs_thread(op.kind) && !op.thread) {
        return fmt::format("{}: {} needs a thread", path, op_kind_name(op.kind));
      }
      if (op.stall.kind != StallKind::kNone && !op_may_stall(op.kind)) {
        return fmt::format("{}: {} cannot stall (only start and prompt)", path,
                           op_kind_name(op.kind));
      }
    }
  }
  if (w.cleanup.ticks > 0 && w.cleanup.period.count() == 0) {
    return "cleanup: period-ms must be positive when ticks > 0";
  }
  return {};
}

nlohmann::json workload_to_json(const Workload& w) {
  Json clients = Json::array();
  for (const auto& c : w.clients) {
    Json ops = Json::array();
    for (const auto& op : c.ops) ops.push_back(op_to_json(op));
    clients.push_back({{"connection", raw(c.connection)}, {"ops", ops}});
  }
  return {{"format", kFormat},
          {"version", kVersion},
          {"unload-delay-ms", w.unload_delay.count()},
          {"settle-ms", w.settle.count()},
          {"cleanup",
           {{"ticks", w.cleanup.ticks},
            {"period-ms", w.cleanup.period.count()},
            {"idle-timeout-ms", w.cleanup.idle_timeout.count()}}},
          {"clients", clients}};
}

Workload workload_from_json(const nlohmann::json& j) {
  require_object(j, "(top)");
  only_fields(j, "(top)",
              {"format", "version", "unload-delay-ms", "settle-ms", "cleanup", "clients"});
  if (j.contains("format") && j.at("format") != kFormat) {
    fail("format", fmt::format("expected '{}'", kFormat));
  }
  if (j.contains("version") && get_uint(j, "version", "(top)", 0) != kVersion) {
    fail("version", fmt::format("unsupported version (this build reads {})", kVersion));
  }
  Workload w;
  w.unload_delay = get_ms(j, "unload-delay-ms", "(top)", w.unload_delay);
  w.settle = get_ms(j, "settle-ms", "(top)", w.settle);
  if (j.contains("cleanup")) {
    const Json& c = require_object(j.at("cleanup"), "cleanup");
    only_fields(c, "cleanup", {"ticks", "period-ms", "idle-timeout-ms"});
    w.cleanup.ticks = static_cast<std::uint32_t>(get_uint(c, "ticks", "cleanup", 0));
    w.cleanup.period = get_ms(c, "period-ms", "cleanup", w.cleanup.period);
    w.cleanup.idle_timeout = get_ms(c, "idle-timeout-ms", "cleanup", w.cleanup.idle_timeout);
  }
  if (!j.contains("clients") || !j.at("clients").is_array()) fail("clients", "expected an array");
  const Json& clients = j.at("clients");
  for (std::size_t ci = 0; ci < clients.size(); ++ci) {
    const std::string path = fmt::format("clients[{}]", ci);
    const Json& cj = require_object(clients[ci], path);
    only_fields(cj, path, {"connection", "ops"});
    ClientScript script;
    if (!cj.contains("connection")) fail(path + ".connection", "missing");
    script.connection =
        ConnectionId(static_cast<std::uint32_t>(get_uint(cj, "connection", path, 0, kMaxId)));
    if (cj.contains("ops")) {
      if (!cj.at("ops").is_array()) fail(path + ".ops", "expected an array");
      for (std::size_t oi = 0; oi < cj.at("ops").size(); ++oi) {
        script.ops.push_back(op_from_json(cj.at("ops")[oi], fmt::format("{}.ops[{}]", path, oi)));
      }
    }
    w.clients.push_back(std::move(script));
  }
  if (auto why = validate(w); !why.empty()) throw WorkloadError("workload " + why);
  return w;
}

void to_json(nlohmann::json& j, const Workload& w) { j = workload_to_json(w); }
void from_json(const nlohmann::json& j, Workload& w) { w = workload_from_json(j); }

}  // namespace lockstep::impl
