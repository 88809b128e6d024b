// impl/workload.h: a workload: what each client connection asks, in order, and what runs in
// the background. A value; it serializes to JSON (it goes into traces).
//
// Contract
// - Each ClientScript is one connection's request loop: its ops run in order on one task. Ops
//   act for the script's connection (connect, disconnect, start, subscribe, unsubscribe,
//   resume) or on a thread only (emit, resolve, unload, get-or-create, prompt). cleanup-idle
//   may also appear in a script; the background cleanup ticks are `cleanup`.
// - A stall belongs to a start (its startup) or a prompt. The thread whose work stalls is the
//   op's thread: stalled_threads() names them for the no-cross-thread-blocking property.
// - JSON (names kebab-case as in SPEC.md):
//   {"format":"lockstep-workload","version":1,
//    "unload-delay-ms":1800000,"settle-ms":1800001,
//    "cleanup":{"ticks":0,"period-ms":60000,"idle-timeout-ms":600000},
//    "clients":[{"connection":0,"ops":[{"op":"connect"},
//       {"op":"start","thread":1,"stall":{"kind":"hang-forever"}},
//       {"op":"emit","thread":1,"event":"turn-started"}]}]}
//   An op may carry "at-ms": the request is issued no earlier than that virtual time (ms
//   after the run began); its connection's loop waits until then, so a request can be timed
//   against the unload deadline or a cleanup tick (0, the default: at once).
//   Omitted fields take the defaults below. workload_from_json() throws WorkloadError whose
//   message names the offending path, e.g. "clients[0].ops[2].op: unknown operation 'x'".
//   A field it does not know is an error (a typo must not drop a stall), and so is a number
//   out of range: connections and threads at most kMaxWorkloadId, cleanup ticks at most
//   kMaxWorkloadCount, every "-ms" field at most kMaxWorkloadMilliseconds (so that sums of
//   virtual times cannot overflow), never a silent cut.
// - validate() returns the first problem (a thread op without a thread, a stall on an op that
//   cannot stall, duplicate connections), or an empty string.
// Threading: plain values. Cost: linear in the number of ops.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "impl/stall.h"
#include "impl/types.h"

namespace lockstep::impl {

inline constexpr std::uint64_t kMaxWorkloadId = 1'000'000;
inline constexpr std::uint64_t kMaxWorkloadCount = 1'000'000;
inline constexpr std::uint64_t kMaxWorkloadMilliseconds = 1'000'000'000;  // about 11.6 days

struct WorkloadOp {
  OpKind kind = OpKind::kConnect;
  std::optional<ThreadId> thread;      // every op but connect, disconnect, cleanup-idle
  EventKind event = EventKind::kItem;  // emit
  Stall stall;                         // start, prompt
  std::chrono::milliseconds at{0};     // issued no earlier than this (after the run began)
  friend bool operator==(const WorkloadOp&, const WorkloadOp&) = default;
};

inline WorkloadOp make_op(OpKind kind, std::optional<ThreadId> thread = std::nullopt,
                          Stall stall = {}, EventKind event = EventKind::kItem) {
  return WorkloadOp{kind, thread, event, stall, std::chrono::milliseconds(0)};
}

struct ClientScript {
  ConnectionId connection{};
  std::vector<WorkloadOp> ops;
  friend bool operator==(const ClientScript&, const ClientScript&) = default;
};

struct CleanupSchedule {
  std::uint32_t ticks = 0;  // background cleanup_idle calls, one per period
  std::chrono::milliseconds period = std::chrono::minutes(1);
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(10);
  friend bool operator==(const CleanupSchedule&, const CleanupSchedule&) = default;
};

struct Workload {
  std::vector<ClientScript> clients;
  std::chrono::milliseconds unload_delay = std::chrono::minutes(30);
  // After every client finished, the run waits this long (virtual time under the simulator)
  // before it takes the final snapshot and shuts down, so idle unloads and timers can fire.
  std::chrono::milliseconds settle = std::chrono::minutes(30) + std::chrono::seconds(1);
  CleanupSchedule cleanup;
  friend bool operator==(const Workload&, const Workload&) = default;
};

class WorkloadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Threads whose work stalls (hang-forever or hang-for on a start or prompt).
std::set<ThreadId> stalled_threads(const Workload& w);
// Every thread any op names, and every connection with a script.
std::set<ThreadId> workload_threads(const Workload& w);
std::set<ConnectionId> workload_connections(const Workload& w);
// Empty if `w` is well formed; otherwise the first problem.
std::string validate(const Workload& w);

// Whether an op of this kind names a thread / may carry a stall.
bool op_needs_thread(OpKind k);
bool op_may_stall(OpKind k);
std::optional<OpKind> parse_op_kind(std::string_view name);
std::optional<EventKind> parse_event_kind(std::string_view name);

nlohmann::json workload_to_json(const Workload& w);
Workload workload_from_json(const nlohmann::json& j);  // throws WorkloadError
// nlohmann's ADL hooks (same behaviour).
void to_json(nlohmann::json& j, const Workload& w);
void from_json(const nlohmann::json& j, Workload& w);

}  // namespace lockstep::impl
