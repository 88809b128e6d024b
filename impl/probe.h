// impl/probe.h: the observation log of one execution, read by properties/ and reports.
//
// Contract
// - A Probe is a plain, append-only log of Records plus a table of the tasks that wrote them
//   and, at the end of the run, a StateSnapshot of the manager. It knows nothing of the runtime:
//   the writer (impl/observe.h) fills `stamp` (R::stamp(): the scheduling step under the
//   simulator, a global counter on OS threads) and `task` (R::current_task()); the probe fills
//   `index` (position in the log: a total order consistent with happens-before, since records
//   are appended under the probe's own mutex) and `task_label` from its task table.
// - Use `index` to order records; `stamp` is for reports and replay.
// - Records of kinds kEmitted, kSubscriberAdded/Removed, kCommandQueued, kPoolEntry* and
//   kWorkerCreated/TornDown are written while the writer holds the lock that orders them, so
//   their order in the log is the order of the state changes; so is a forced unload's kMarked
//   (under "pending_unloads" and the manager lock). Sessions: kPoolEntryAdded under the pool
//   write lock; kPoolEntryRemoved under the pool write lock and, in `current`, the session's
//   own mutex; kPromptBegin/End and a returned existing session's kSessionReturned under the
//   session's mutex (a session created concurrently is returned under the pool write lock).
//   Session ids count from 1 per pool, in creation order. A session's activity time is the
//   time of its kPoolEntryAdded or latest kPromptEnd: each is written just before the pool
//   reads the clock for it, so the log never shows a session more recently active than it was.
//   kStallBegin/End of a prompt are written under its connection's mutex, those of a session start
//   on the worker with no lock; kPoolWait under the pool lock in the designs that wait while
//   holding it, after its release in `current`. kOpBegin/kOpEnd, kAttachPoint, kCommandRun,
//   kDelivered, kResumeSnapshot, kResolveDelivered, kListenerStarted/Stopped, the other unload
//   stages and the task records are written with no lock of the pool or the manager held.
// - Task records (kTaskStart/End) are written by the probe itself (task_started, task_ended),
//   not through impl/observe.h, so the simulator's DPOR does not order them: a property must not
//   compare them with another task's records (the final queries use kFinalState instead).
// - kFinalState is written by the driver's root task after joining every client and letting
//   the background settle, just before the final snapshot; the final subscriber queries of the
//   linearizability check start there. It is about no thread or connection, so the simulator's
//   DPOR orders it against every other observation.
// - An observer (tests only) is called on the writing task after each append, outside the
//   probe's mutex. It may block the writer only on records written with no lock held (an
//   attach point may be written under "pending_unloads": nothing a test waits for needs it).
// - The snapshot source lets the driver of an execution that ended with stalled tasks (the
//   simulator's explorer) capture the final state: call capture_snapshot() only when no task
//   can run, before the execution's tasks are destroyed.
// Threading: record() and task_started() are safe from any OS thread; the rest is for after
// the run. Cost: one allocation-amortized push per record.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "impl/types.h"

namespace lockstep::impl {

inline constexpr std::uint32_t kNoLabel = 0xffffffffu;  // same value as kNoThreadLabel
inline constexpr std::uint32_t kNoClient = 0xffffffffu;

enum class RecordKind : std::uint8_t {
  kTaskStart,          // a task began: task table entry (name, label, detail)
  kTaskEnd,            // a task's body returned
  kRequestQueued,      // a client request entered its connection's request loop
  kOpBegin,            // an operation (request or background part) began
  kOpEnd,              // ... and returned `error` (seq: emitted event for emit)
  kEmitted,            // thread produced event `seq` (kind in `event`), queued to its listener
  kDelivered,          // the listener delivered event `seq` of `thread` to `connection`
  kResumeSnapshot,     // resume gave `connection` the history `seqs` of `thread`
  kResolveDelivered,   // notice that request `seq` of `thread` was resolved, to `connection`
  kSubscriberAdded,    // `connection` joined `thread`'s subscribers (note: how)
  kSubscriberRemoved,  // `connection` left `thread`'s subscribers (note: why)
  kAttachPoint,        // an attach passed its live-connection check (note says what is held)
  kCommandQueued,      // command `seq` for `thread` queued (note: worker or listener)
  kCommandRun,         // command `seq` for `thread` began to run
  kStallBegin,         // `op` of `thread` waits on its stall gate (detail: StallKind)
  kStallEnd,           // ... the gate opened (error kNone) or closed (kAgentDead)
  kListenerStarted,    // the listener of `thread` runs
  kListenerStopped,    // ... and stopped
  kUnloadStage,        // unload of `thread` reached stage `detail` (UnloadStage)
  kWorkerCreated,      // command worker created (thread empty: the shared worker)
  kWorkerTornDown,     // ... torn down
  kPoolEntryAdded,     // session pool entry `seq` (a session id) for `thread` created
  kPoolEntryRemoved,   // ... removed by cleanup (note: why; seq: the session removed)
  kPoolWait,           // about to wait for (or try) `thread`'s pool connection (note: what
                       // pool lock is held meanwhile)
  kFinalState,         // the driver is about to take the final snapshot (after the clients
                       // and the settle); about no thread or connection
  kSessionReturned,    // get_or_create of `thread` returns session `seq`
  kPromptBegin,        // a prompt of `thread` runs on session `seq` (its mutex held)
  kPromptEnd,          // ... and ends (error kAgentDead: the agent died, the session is dead)
};
std::string_view record_kind_name(RecordKind k);

// Whether an operation record is the request's part on its loop or its background part.
enum class Phase : std::uint8_t { kRequest, kBackground };

enum class UnloadStage : std::uint8_t {
  kMarked,           // in pending_thread_unloads: subscribe/resume now get "closing; retry"
  kStateRemoved,     // subscribers, subscriptions and thread state removed
  kShutDown,         // the agent shut down
  kThreadRemoved,    // no longer a loaded thread
  kWorkerTornDown,   // its command worker and map entry removed (current design)
  kClosedAnnounced,  // "thread closed" sent to clients
  kUnmarked,         // removed from pending_thread_unloads: the unload is complete
};
std::string_view unload_stage_name(UnloadStage s);

// Which request of which client script an operation serves (client kNoClient: a direct call).
struct RequestRef {
  std::uint32_t client = kNoClient;
  std::uint32_t index = 0;
  friend auto operator<=>(const RequestRef&, const RequestRef&) = default;
};

struct Record {
  std::uint64_t index = 0;              // position in the log (set by Probe)
  std::uint64_t stamp = 0;              // R::stamp() when written
  std::uint32_t task = 0;               // R::current_task()
  std::uint32_t task_label = kNoLabel;  // thread the writing task works for (from the table)
  RecordKind kind = RecordKind::kOpBegin;
  OpKind op = OpKind::kConnect;  // op records, stalls
  Phase phase = Phase::kRequest;
  RequestRef request;
  std::optional<ThreadId> thread;
  std::optional<ConnectionId> connection;
  EventSeq seq = 0;  // event, command or request sequence number
  EventKind event = EventKind::kItem;
  OpError error = OpError::kNone;
  std::uint8_t detail = 0;     // UnloadStage, StallKind
  std::vector<EventSeq> seqs;  // kResumeSnapshot: the history given
  std::string_view note;       // static text: how, why, which queue
  // R::now() when written, in ns since its clock's epoch (virtual time under the simulator);
  // 0 on task start/end records.
  std::int64_t time_ns = 0;
};

struct TaskInfo {
  std::uint32_t task = 0;
  std::string name;
  std::uint32_t label = kNoLabel;
  std::string detail;  // e.g. "c1" for a client loop
  bool ended = false;
};

struct SubscriptionView {
  std::uint64_t id = 0;
  ThreadId thread{};
  ConnectionId connection{};
  friend auto operator<=>(const SubscriptionView&, const SubscriptionView&) = default;
};

// The manager's state at one instant (the end of the run).
struct StateSnapshot {
  std::set<ConnectionId> live_connections;
  std::map<ThreadId, std::set<ConnectionId>> subscribers;  // thread entries, even if empty
  std::vector<SubscriptionView> subscriptions;
  std::map<ConnectionId, std::set<ThreadId>> threads_by_connection;
  std::set<ThreadId> loaded_threads;
  std::set<ThreadId> listeners;  // threads whose listener task is running
  std::set<ThreadId> pending_unloads;
  std::set<ThreadId> worker_map_entries;  // per-thread workers in the map
  std::uint32_t live_workers = 0;         // worker tasks not torn down (shared one included)
  std::set<ThreadId> pool_entries;
  std::map<ThreadId, std::vector<EventSeq>> histories;
  friend bool operator==(const StateSnapshot&, const StateSnapshot&) = default;
};

class Probe {
 public:
  Probe() = default;
  Probe(const Probe&) = delete;
  Probe& operator=(const Probe&) = delete;

  // Appends `r` (index and task_label are filled here), then calls the observer.
  void record(Record r);
  void task_started(std::uint32_t task, std::string_view name, std::uint32_t label,
                    std::string detail, std::uint64_t stamp);
  void task_ended(std::uint32_t task, std::uint64_t stamp);

  // Tests only: called after each append, on the writing task.
  void set_observer(std::function<void(const Record&)> observer);

  void set_snapshot_source(std::function<StateSnapshot()> source);
  void clear_snapshot_source();
  // Takes the final snapshot from the source, if one is set and none was taken.
  void capture_snapshot();
  void set_final_state(StateSnapshot s);

  // After the run (or at quiescence): the log, the task table, the final state.
  std::vector<Record> records() const;
  std::map<std::uint32_t, TaskInfo> tasks() const;
  std::optional<StateSnapshot> final_state() const;
  std::size_t size() const;

  // One record as a line a person can read, e.g.
  // "#14 @37 task 5 listener[t1]: delivered t1#3 -> c0".
  std::string format(const Record& r) const;
  // The whole log, one line per record.
  std::string dump() const;

 private:
  mutable std::mutex mu_;
  std::vector<Record> log_;
  std::map<std::uint32_t, TaskInfo> tasks_;
  std::function<void(const Record&)> observer_;
  std::function<StateSnapshot()> snapshot_source_;
  std::optional<StateSnapshot> final_;
};

// Formats `r` without a task table (task shown by number only).
std::string format_record(const Record& r, const std::map<std::uint32_t, TaskInfo>* tasks);

}  // namespace lockstep::impl
