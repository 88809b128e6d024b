// properties/liveness.cc: property 6, liveness of idle unload and of attaches to a closing
// thread.
//
// What is checked, and why each check is sound for the current design:
// - Unloaded within the delay. For each life of a thread's listener (kListenerStarted to
//   kListenerStopped), the thread is idle while it has no subscribers and no turn is active;
//   it has been idle since the latest of: the listener's start, the record that emptied its
//   subscriber set, the latest event emitted to it. Once the log shows time past that plus
//   the workload's unload delay (plus CheckOptions::unload_slack) with the thread still idle
//   and not marked for unload, the unload is late. Sound because virtual time only moves when
//   no task can run, and the listener never waits on anything but its own queue and brief
//   locks: it sees each event and subscriber change at the virtual time it happened, and its
//   timer fires exactly at the deadline it computes from them.
// - Never while subscribed or active. When the listener marks its thread for an idle unload,
//   no connection is subscribed (the mark re-checks under the pending-unload lock, which an
//   attach keeps across its insert), no turn it delivered is still open, and its deadline
//   has come: the mark is no earlier than the delay after the listener's start or after the
//   emission of any event it delivered.
// - Attaches to a closing thread get "closing; retry". A subscribe, resume or late
//   auto-attach that began after the thread was marked and returned before it was unmarked
//   must not succeed; one that began while the thread was closing must return at all.
// - So does a start: start(t) asks for an attach of its connection (the late auto-attach), and
//   its request part checks pending_unloads before it hands off, so a start request that began
//   after the thread was marked and returned before it was unmarked must not return ok (in
//   every design: the check precedes the background hand-off and the inline start alike). Only
//   its result counts: blocking-start runs a stalled startup inline.
// The ways the property can be violated, each caught here (a test per way in
// tests/properties/liveness_test.cc): (a) an idle thread not marked for unload within the
// delay; an idle unload marked (b) while a connection is subscribed, (c) while a turn it
// delivered is still active, (d) before the delay has passed; (e) an attach that began and
// returned ok entirely while its thread was closing; (f) an attach that began while its thread
// was closing and never returned; (g) a start request that began and returned ok entirely while
// its thread was closing.
// Cost: O(n) per listener life and per unload.
#include <fmt/format.h>

#include <map>

#include "properties/checkers.h"

namespace lockstep::properties::detail {
namespace {

constexpr Property kProp = Property::kLiveness;

bool timed(const Record& r) {
  return r.kind != RecordKind::kTaskStart && r.kind != RecordKind::kTaskEnd;
}

std::chrono::nanoseconds delay_of(const LogIndex& log) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(log.view().workload.unload_delay);
}

// Follows one listener life from its start; false once it reported a violation.
bool check_life(const LogIndex& log, const CheckOptions& options, const Record& started,
                std::uint64_t prev_stop, std::vector<Violation>& out) {
  const ThreadId t = *started.thread;
  const std::int64_t delay = delay_of(log).count();
  const std::int64_t slack = options.unload_slack.count();
  std::size_t subscribers = log.subscribers_before(t, started.index).size();
  std::int64_t idle_since = started.time_ns;
  const Record* idle_cause = &started;
  bool active = false;
  std::int64_t now = started.time_ns;
  for (const Record& r : log.records()) {
    if (r.index <= prev_stop) continue;
    if (r.index > started.index && timed(r)) now = std::max(now, r.time_ns);
    const bool mine = r.thread == t;
    if (r.index > started.index && subscribers == 0 && !active &&
        now > idle_since + delay + slack) {
      out.push_back(violation_at(
          kProp, &r,
          fmt::format("{} has had no subscribers and no active turn since {} ({} at {}), but at "
                      "{} ({}) it is still not marked for unload: an idle thread must be unloaded "
                      "within the unload delay of {}.",
                      name_of(t), time_text(idle_since), impl::record_kind_name(idle_cause->kind),
                      where(*idle_cause), time_text(now), where(r), time_text(delay))));
      return false;
    }
    if (!mine) continue;
    if (r.index > started.index &&
        (is_stage(r, UnloadStage::kMarked) || r.kind == RecordKind::kListenerStopped)) {
      return true;
    }
    if (r.kind == RecordKind::kEmitted) {
      if (r.event == impl::EventKind::kTurnStarted) active = true;
      if (r.event == impl::EventKind::kTurnCompleted) active = false;
      idle_since = std::max(idle_since, r.time_ns);
      idle_cause = &r;
    } else if (r.index > started.index && r.connection &&
               (r.kind == RecordKind::kSubscriberAdded ||
                r.kind == RecordKind::kSubscriberRemoved)) {
      subscribers = log.subscribers_before(t, r.index + 1).size();
      if (subscribers == 0) {
        idle_since = std::max(idle_since, r.time_ns);
        idle_cause = &r;
      }
    }
  }
  return true;
}

bool check_idle_unloads(const LogIndex& log, const CheckOptions& options,
                        std::vector<Violation>& out) {
  for (const ListenerLife& life : log.listener_lives()) {
    if (!check_life(log, options, *life.started, life.prev_stop, out)) return false;
  }
  return true;
}

bool check_marks(const LogIndex& log, const CheckOptions& options, std::vector<Violation>& out) {
  const std::int64_t delay = delay_of(log).count();
  for (const Record& m : log.records()) {
    if (!is_stage(m, UnloadStage::kMarked) || !m.thread || m.note != "idle") continue;
    const ThreadId t = *m.thread;
    const std::string head = fmt::format("The listener marked {} for an idle unload at {} ({})",
                                         name_of(t), where(m), time_text(m.time_ns));
    for (ConnectionId c : log.subscribers_before(t, m.index)) {
      out.push_back(violation_at(
          kProp, &m, fmt::format("{}, while {} was subscribed to it.", head, name_of(c))));
      return false;
    }
    const Record* started = nullptr;
    const Record* open_turn = nullptr;
    std::int64_t earliest = 0;
    const Record* cause = nullptr;
    for (const Record* r : log.of_task(m.task)) {
      if (r->index >= m.index) break;
      if (r->kind == RecordKind::kListenerStarted && r->thread == t) {
        started = r;
        earliest = r->time_ns;
        cause = r;
      }
      if (r->kind != RecordKind::kDelivered || r->thread != t) continue;
      if (const Record* e = log.emitted(t, r->seq); e != nullptr && e->time_ns >= earliest) {
        earliest = e->time_ns;
        cause = e;
      }
      if (r->event == impl::EventKind::kTurnStarted) open_turn = r;
    }
    if (started == nullptr) continue;
    if (open_turn != nullptr) {
      bool completed = false;
      for (const Record& e : log.records()) {
        if (e.index >= m.index) break;
        completed =
            completed || (e.kind == RecordKind::kEmitted && e.thread == t &&
                          e.event == impl::EventKind::kTurnCompleted && e.seq > open_turn->seq);
      }
      if (!completed) {
        out.push_back(
            violation_at(kProp, &m,
                         fmt::format("{}, while the turn it delivered at {} was still active (no "
                                     "turn-completed had even been emitted).",
                                     head, where(*open_turn))));
        return false;
      }
    }
    if (m.time_ns + options.unload_slack.count() < earliest + delay) {
      out.push_back(violation_at(
          kProp, &m,
          fmt::format("{}, earlier than the unload delay of {} after {} ({} at {}): the thread "
                      "was unloaded before it had been idle long enough.",
                      head, time_text(delay), time_text(earliest),
                      impl::record_kind_name(cause->kind), where(*cause))));
      return false;
    }
  }
  return true;
}

struct Closing {
  const Record* marked = nullptr;
  const Record* unmarked = nullptr;  // nullptr: still closing at the end
};

std::map<ThreadId, std::vector<Closing>> closings(const LogIndex& log) {
  std::map<ThreadId, std::vector<Closing>> out;
  for (const Record& r : log.records()) {
    if (!r.thread) continue;
    auto& v = out[*r.thread];
    if (is_stage(r, UnloadStage::kMarked)) v.push_back({&r, nullptr});
    if (is_stage(r, UnloadStage::kUnmarked) && !v.empty() && v.back().unmarked == nullptr) {
      v.back().unmarked = &r;
    }
  }
  return out;
}

void check_attaches(const LogIndex& log, std::vector<Violation>& out) {
  const auto closing = closings(log);
  const EndKind kind = log.view().end.kind;
  const bool ended = kind == EndKind::kStuck || kind == EndKind::kCompleted;
  for (const OpPart& p : log.ops()) {
    const Record& b = *p.begin;
    // A late auto-attach may hang on its own stalled startup, so only its result counts.
    const bool request =
        (b.op == OpKind::kSubscribe || b.op == OpKind::kResume) && b.phase == Phase::kRequest;
    const bool auto_attach = b.op == OpKind::kStart && b.phase == Phase::kBackground;
    const bool start = b.op == OpKind::kStart && b.phase == Phase::kRequest;
    if ((!request && !auto_attach && !start) || !b.thread) continue;
    auto it = closing.find(*b.thread);
    if (it == closing.end()) continue;
    for (const Closing& c : it->second) {
      const std::string during = fmt::format(
          "while {} was closing (marked for unload at {}{})", name_of(*b.thread), where(*c.marked),
          c.unmarked ? fmt::format(", unmarked at {}", where(*c.unmarked)) : "");
      if (request && p.end == nullptr && ended &&
          (c.unmarked == nullptr || c.unmarked->index > b.index)) {
        out.push_back(violation_at(
            kProp, &b,
            fmt::format("{} began at {} {} and never returned: an attach to a closing thread "
                        "must get \"closing; retry\", never hang.",
                        call_text(b), where(b), during)));
        return;
      }
      if (p.end == nullptr || p.end->error != OpError::kNone) continue;
      if (b.index < c.marked->index || c.unmarked == nullptr || p.end->index > c.unmarked->index) {
        continue;
      }
      out.push_back(violation_at(
          kProp, p.end,
          fmt::format("{}{} began at {} and returned ok at {}, entirely {}: it {} a thread being "
                      "torn down instead of getting \"closing; retry\".",
                      call_text(b), start ? " (the request)" : "", where(b), where(*p.end), during,
                      start ? "accepted a start of" : "attached to")));
      return;
    }
  }
}

}  // namespace

void check_liveness(const LogIndex& log, const CheckOptions& options, std::vector<Violation>& out) {
  if (!check_idle_unloads(log, options, out)) return;
  if (!check_marks(log, options, out)) return;
  check_attaches(log, out);
}

}  // namespace lockstep::properties::detail
