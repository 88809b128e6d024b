// tests/properties/log_builder.h: hand-built observation logs for the property checkers.
//
// A LogBuilder appends impl::Records the way the manager writes them (index = stamp = position,
// time from at()), keeps a task table, and runs check_execution() over the result with the
// workload, end state and final snapshot the test sets.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "properties/property.h"

namespace lockstep::properties::testing {

using impl::ConnectionId;
using impl::EventKind;
using impl::OpError;
using impl::OpKind;
using impl::Phase;
using impl::Record;
using impl::RecordKind;
using impl::RequestRef;
using impl::ThreadId;
using impl::UnloadStage;

constexpr ThreadId t(std::uint32_t n) { return ThreadId{n}; }
constexpr ConnectionId c(std::uint32_t n) { return ConnectionId{n}; }

class LogBuilder {
 public:
  LogBuilder() { workload.settle = std::chrono::milliseconds(0); }

  // Virtual time of the records that follow.
  LogBuilder& at(std::chrono::milliseconds time) {
    time_ns_ = std::chrono::duration_cast<std::chrono::nanoseconds>(time).count();
    return *this;
  }

  std::uint32_t task(std::string name, std::optional<ThreadId> label = {},
                     std::string detail = "") {
    const auto id = static_cast<std::uint32_t>(tasks.size() + 1);
    tasks[id] = impl::TaskInfo{id, std::move(name), label ? impl::raw(*label) : impl::kNoLabel,
                               std::move(detail), false};
    Record r;
    r.kind = RecordKind::kTaskStart;
    r.task = id;
    push(r);
    return id;
  }
  std::uint32_t client_loop(std::uint32_t conn) {
    return task("client", std::nullopt, "c" + std::to_string(conn));
  }
  void task_end(std::uint32_t id) {
    Record r;
    r.kind = RecordKind::kTaskEnd;
    r.task = id;
    push(r);
    tasks[id].ended = true;
  }

  std::uint64_t add(std::uint32_t task, RecordKind kind, std::optional<ThreadId> thread = {},
                    std::optional<ConnectionId> conn = {}) {
    return append(task, kind, thread, conn).index;
  }

  // A client request queued on its loop (client = raw connection).
  std::uint64_t queued(std::uint32_t task, std::uint32_t client, std::uint32_t index, OpKind op,
                       std::optional<ThreadId> thread = {}) {
    Record& r = append(task, RecordKind::kRequestQueued, thread, c(client));
    r.op = op;
    r.request = RequestRef{client, index};
    return r.index;
  }
  std::uint64_t begin(std::uint32_t task, OpKind op, std::optional<ThreadId> thread = {},
                      std::optional<ConnectionId> conn = {}, RequestRef ref = {},
                      Phase phase = Phase::kRequest) {
    Record& r = append(task, RecordKind::kOpBegin, thread, conn);
    r.op = op;
    r.request = ref;
    r.phase = phase;
    return r.index;
  }
  std::uint64_t end(std::uint32_t task, OpKind op, std::optional<ThreadId> thread = {},
                    std::optional<ConnectionId> conn = {}, OpError error = OpError::kNone,
                    RequestRef ref = {}, Phase phase = Phase::kRequest) {
    Record& r = append(task, RecordKind::kOpEnd, thread, conn);
    r.op = op;
    r.request = ref;
    r.phase = phase;
    r.error = error;
    return r.index;
  }
  // begin + end.
  void op(std::uint32_t task, OpKind op, std::optional<ThreadId> thread = {},
          std::optional<ConnectionId> conn = {}, OpError error = OpError::kNone,
          RequestRef ref = {}) {
    begin(task, op, thread, conn, ref);
    end(task, op, thread, conn, error, ref);
  }

  std::uint64_t added(std::uint32_t task, ThreadId th, ConnectionId conn,
                      std::string_view note = "subscribe") {
    Record& r = append(task, RecordKind::kSubscriberAdded, th, conn);
    r.note = note;
    return r.index;
  }
  std::uint64_t removed(std::uint32_t task, ThreadId th, ConnectionId conn,
                        std::string_view note = "unsubscribe") {
    Record& r = append(task, RecordKind::kSubscriberRemoved, th, conn);
    r.note = note;
    return r.index;
  }
  std::uint64_t emitted(std::uint32_t task, ThreadId th, std::uint64_t seq,
                        EventKind kind = EventKind::kItem) {
    Record& r = append(task, RecordKind::kEmitted, th);
    r.seq = seq;
    r.event = kind;
    return r.index;
  }
  std::uint64_t delivered(std::uint32_t task, ThreadId th, ConnectionId conn, std::uint64_t seq,
                          EventKind kind = EventKind::kItem) {
    Record& r = append(task, RecordKind::kDelivered, th, conn);
    r.seq = seq;
    r.event = kind;
    return r.index;
  }
  std::uint64_t snapshot(std::uint32_t task, ThreadId th, ConnectionId conn,
                         std::vector<std::uint64_t> seqs) {
    Record& r = append(task, RecordKind::kResumeSnapshot, th, conn);
    r.seqs = std::move(seqs);
    return r.index;
  }
  std::uint64_t stage(std::uint32_t task, ThreadId th, UnloadStage s, std::string_view note = "") {
    Record& r = append(task, RecordKind::kUnloadStage, th);
    r.detail = static_cast<std::uint8_t>(s);
    r.note = note;
    return r.index;
  }
  // The stages of an unload after its mark, as the listener runs them.
  void unload_stages(std::uint32_t listener, ThreadId th, bool tear_down_worker = true) {
    stage(listener, th, UnloadStage::kStateRemoved);
    stage(listener, th, UnloadStage::kShutDown);
    stage(listener, th, UnloadStage::kThreadRemoved);
    if (tear_down_worker) {
      add(listener, RecordKind::kWorkerTornDown, th);
      stage(listener, th, UnloadStage::kWorkerTornDown);
    }
    stage(listener, th, UnloadStage::kClosedAnnounced);
    add(listener, RecordKind::kListenerStopped, th);
    stage(listener, th, UnloadStage::kUnmarked);
  }
  std::uint64_t command(std::uint32_t task, RecordKind kind, std::optional<ThreadId> th,
                        std::uint64_t id, std::string_view note = "worker") {
    Record& r = append(task, kind, th);
    r.seq = id;
    r.note = note;
    return r.index;
  }
  std::uint64_t stall_begin(std::uint32_t task, ThreadId th, OpKind op) {
    Record& r = append(task, RecordKind::kStallBegin, th);
    r.op = op;
    r.detail = static_cast<std::uint8_t>(impl::StallKind::kHangForever);
    return r.index;
  }

  // Session pool records: session `id` of thread `th`.
  std::uint64_t session(std::uint32_t task, RecordKind kind, ThreadId th, std::uint64_t id,
                        OpError error = OpError::kNone) {
    Record& r = append(task, kind, th);
    r.seq = id;
    r.error = error;
    return r.index;
  }

  std::vector<Violation> check(const CheckOptions& options = {}) const {
    const ExecutionView view{workload, design, records, tasks, final_state, end_state};
    return check_execution(view, options);
  }
  std::vector<Violation> check_only(Property p, CheckOptions options = {}) const {
    options.properties = {p};
    return check(options);
  }

  impl::Workload workload;
  impl::DesignVariant design = impl::DesignVariant::kCurrent;
  std::vector<Record> records;
  std::map<std::uint32_t, impl::TaskInfo> tasks;
  std::optional<impl::StateSnapshot> final_state;
  EndState end_state;

 private:
  Record& push(Record r) {
    r.index = records.size();
    r.stamp = records.size();
    r.task_label = tasks.contains(r.task) ? tasks[r.task].label : impl::kNoLabel;
    records.push_back(std::move(r));
    return records.back();
  }
  Record& append(std::uint32_t task, RecordKind kind, std::optional<ThreadId> thread = {},
                 std::optional<ConnectionId> conn = {}) {
    Record r;
    r.kind = kind;
    r.task = task;
    r.thread = thread;
    r.connection = conn;
    r.time_ns = time_ns_;
    return push(r);
  }

  std::int64_t time_ns_ = 0;
};

// The message of the only violation of `p` in `b`'s log, or "<n> violations" when there is
// not exactly one (so that a test matching the message fails).
inline std::string only_violation(const LogBuilder& b, Property p) {
  const auto v = b.check_only(p);
  if (v.size() != 1) return std::to_string(v.size()) + " violations";
  return v[0].message;
}

// A workload with one client per connection id, each with the given ops (for stalled threads).
inline impl::WorkloadOp stalled(OpKind op, ThreadId th) {
  return impl::make_op(op, th, impl::Stall{impl::StallKind::kHangForever, {}});
}

}  // namespace lockstep::properties::testing
