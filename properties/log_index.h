// properties/log_index.h: an index over one execution's observation log, shared by the seven
// checkers (internal to properties/).
//
// Contract
// - Built once per check_execution() from the view; holds pointers into view.records, so it
//   must not outlive the view.
// - Operations: every kOpBegin is paired with the kOpEnd that the same task writes next for
//   it (a task's operations nest: the inline start of blocking-start runs inside its request).
//   Client requests are keyed by RequestRef and carry their kRequestQueued record.
// - Subscriptions: kSubscriberAdded/Removed are written under the manager lock, so replaying
//   them in index order gives the subscriber sets at every point of the log.
// - Names: t<n>, c<n>, "#<index> @<stamp>" for a record, "task 5 (client c1)" for a task.
// Threading: read-only after construction. Cost: O(n log n) to build; look-ups logarithmic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "properties/property.h"

namespace lockstep::properties::detail {

using impl::ConnectionId;
using impl::EventSeq;
using impl::OpError;
using impl::OpKind;
using impl::Phase;
using impl::Record;
using impl::RecordKind;
using impl::ThreadId;
using impl::UnloadStage;

std::string name_of(ThreadId t);
std::string name_of(ConnectionId c);
// "#14 @37": a record by index and stamp.
std::string where(const Record& r);
// "subscribe(c1, t0)", "emit(t2)", "cleanup-idle": an operation record's call.
std::string call_text(const Record& r);
// Virtual time of a record as minutes and seconds: "30:00.000".
std::string time_text(std::int64_t ns);

bool is_stage(const Record& r, UnloadStage s);

// One operation part (a request, or the background part of a start): begin and, if it
// returned, end.
struct OpPart {
  const Record* begin = nullptr;
  const Record* end = nullptr;  // nullptr: never returned
};

// One request of a client script.
struct Request {
  impl::RequestRef ref;
  const Record* queued = nullptr;
  OpPart part;        // its request-phase part (begin nullptr: it never ran)
  OpPart background;  // start's background part, if any
};

// One life of a thread's listener: its kListenerStarted, and the index of the previous
// listener's kListenerStopped for the same thread (0 if none): every event emitted after that
// went to this listener's queue.
struct ListenerLife {
  const Record* started = nullptr;
  std::uint64_t prev_stop = 0;
};

class LogIndex {
 public:
  explicit LogIndex(const ExecutionView& view);
  LogIndex(const LogIndex&) = delete;
  LogIndex& operator=(const LogIndex&) = delete;

  const ExecutionView& view() const { return view_; }
  const std::vector<Record>& records() const { return view_.records; }
  std::uint64_t last_index() const;  // index of the last record (0 for an empty log)

  // Every operation part, in order of its begin record.
  const std::vector<OpPart>& ops() const { return ops_; }
  // Every client request, ordered by (client, index).
  const std::map<impl::RequestRef, Request>& requests() const { return requests_; }

  // Whether c is in t's subscriber set after every Added/Removed record with index < `index`.
  bool subscribed_before(ThreadId t, ConnectionId c, std::uint64_t index) const;
  std::set<ConnectionId> subscribers_before(ThreadId t, std::uint64_t index) const;
  // The first Added (added true) or Removed record of (t, c) with after < index < before.
  const Record* first_change(ThreadId t, ConnectionId c, std::uint64_t after, std::uint64_t before,
                             std::optional<bool> added = {}) const;
  // The last Added/Removed record of (t, c) with index < before.
  const Record* last_change(ThreadId t, ConnectionId c, std::uint64_t before) const;
  // Every (t, c) pair that ever had a subscription record.
  std::set<std::pair<ThreadId, ConnectionId>> subscription_pairs() const;

  // Every listener life, in order of start.
  std::vector<ListenerLife> listener_lives() const;

  // The kEmitted record of event `seq` of t.
  const Record* emitted(ThreadId t, EventSeq seq) const;
  // The last record of `task` with index < `index`.
  const Record* previous_of_task(std::uint32_t task, std::uint64_t index) const;
  // The records of `task`, in order.
  const std::vector<const Record*>& of_task(std::uint32_t task) const;
  // The tasks that wrote kRequestQueued for a client: its request loop.
  std::optional<std::uint32_t> loop_task(std::uint32_t client) const;

  // "task 5 (client c1)", "task 7 (listener of t0)".
  std::string describe_task(std::uint32_t task) const;
  // The operation part `task` is in at the end of the log (innermost), if any.
  const OpPart* open_part(std::uint32_t task) const;

 private:
  const ExecutionView& view_;
  std::vector<OpPart> ops_;
  std::map<impl::RequestRef, Request> requests_;
  // (t, c) -> (index, added) in index order.
  std::map<std::pair<ThreadId, ConnectionId>, std::vector<std::pair<std::uint64_t, const Record*>>>
      subs_;
  std::map<std::pair<ThreadId, EventSeq>, const Record*> emitted_;
  std::map<std::uint32_t, std::vector<const Record*>> by_task_;
  std::map<std::uint32_t, std::vector<std::size_t>> open_;  // task -> open parts, innermost last
  std::map<std::uint32_t, std::uint32_t> loops_;            // client -> task
};

}  // namespace lockstep::properties::detail
