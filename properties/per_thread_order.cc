// properties/per_thread_order.cc: property 2, per-thread order.
//
// What is checked, and why each check is sound for the current design:
// - Deliveries of t to c are strictly increasing. Events are numbered under the manager lock in
//   queue order, one listener takes its queue in order, and numbers are never reused (the last
//   number of a thread survives its unloads).
// - No gap while subscribed: between two deliveries s < s' to c, every event in between was
//   taken by the same listener after it read c among the subscribers for s and before it read
//   them for s'; unless c left t's subscribers after s was emitted (a Removed record), it got
//   them all. Likewise the first delivery after c joined (an Added record) follows every
//   event emitted after the join.
// - Resume: the snapshot is the listener's history, strictly increasing and contiguous; the
//   attach happens on the listener between two queue entries, so the first live delivery
//   after the snapshot is the event right after its last one, and nothing in it comes again.
// - Commands: each task that runs commands (a worker, a listener) runs those of one thread in
//   the order they were queued (kCommandQueued is written under the lock that orders the
//   queue), each at most once, and never before it was queued.
// - A resolve notice names a server request that was emitted before it, comes after that
//   request's own delivery to the same connection, and never twice.
// Cost: O(n log n).
#include <fmt/format.h>

#include <map>

#include "properties/checkers.h"

namespace lockstep::properties::detail {
namespace {

constexpr Property kProp = Property::kPerThreadOrder;
using Key = std::pair<ThreadId, ConnectionId>;

std::string ev(ThreadId t, EventSeq s) { return fmt::format("{}#{}", name_of(t), s); }

// First kEmitted of t with index > after, or nullptr.
const Record* first_emitted_after(const LogIndex& log, ThreadId t, std::uint64_t after) {
  for (const Record& r : log.records()) {
    if (r.index > after && r.kind == RecordKind::kEmitted && r.thread == t) return &r;
  }
  return nullptr;
}

bool check_deliveries(const LogIndex& log, std::vector<Violation>& out) {
  std::map<Key, const Record*> prev;
  for (const Record& d : log.records()) {
    if (d.kind != RecordKind::kDelivered || !d.thread || !d.connection) continue;
    const ThreadId t = *d.thread;
    const ConnectionId c = *d.connection;
    const Record*& p = prev[{t, c}];
    const Record* last = p;
    p = &d;
    if (last == nullptr) continue;
    if (d.seq <= last->seq) {
      out.push_back(violation_at(
          kProp, &d,
          fmt::format("{} received {} at {} after {} at {}: deliveries of {} to {} must be "
                      "strictly increasing ({}).",
                      name_of(c), ev(t, d.seq), where(d), ev(t, last->seq), where(*last),
                      name_of(t), name_of(c),
                      d.seq == last->seq ? "a duplicate" : "out of order")));
      return false;
    }
    if (d.seq == last->seq + 1) continue;
    const Record* e = log.emitted(t, last->seq);
    const Record* missed = log.emitted(t, last->seq + 1);
    if (e == nullptr || missed == nullptr) continue;
    if (log.first_change(t, c, e->index, d.index, false) != nullptr) continue;
    out.push_back(violation_at(
        kProp, &d,
        fmt::format("{} received {} at {} and then {} at {}, staying subscribed to {} in between, "
                    "but never {} (emitted at {}): a gap in {}'s events.",
                    name_of(c), ev(t, last->seq), where(*last), ev(t, d.seq), where(d), name_of(t),
                    ev(t, last->seq + 1), where(*missed), name_of(t))));
    return false;
  }
  // The first delivery after each join.
  for (const Record& a : log.records()) {
    if (a.kind != RecordKind::kSubscriberAdded || !a.thread || !a.connection) continue;
    const ThreadId t = *a.thread;
    const ConnectionId c = *a.connection;
    const Record* d = nullptr;
    for (const Record& r : log.records()) {
      if (r.index > a.index && r.kind == RecordKind::kDelivered && r.thread == t &&
          r.connection == c) {
        d = &r;
        break;
      }
    }
    if (d == nullptr || log.first_change(t, c, a.index, d->index, false) != nullptr) continue;
    const Record* e = first_emitted_after(log, t, a.index);
    if (e == nullptr || e->seq >= d->seq) continue;
    out.push_back(violation_at(
        kProp, d,
        fmt::format("{} joined {}'s subscribers at {} ({}) and stayed, yet its first delivery is "
                    "{} at {}: it missed {}, emitted at {} after it joined.",
                    name_of(c), name_of(t), where(a), a.note, ev(t, d->seq), where(*d),
                    ev(t, e->seq), where(*e))));
    return false;
  }
  return true;
}

bool check_resumes(const LogIndex& log, std::vector<Violation>& out) {
  for (const Record& r : log.records()) {
    if (r.kind != RecordKind::kResumeSnapshot || !r.thread || !r.connection) continue;
    const ThreadId t = *r.thread;
    const ConnectionId c = *r.connection;
    for (std::size_t i = 1; i < r.seqs.size(); ++i) {
      if (r.seqs[i] == r.seqs[i - 1] + 1) continue;
      out.push_back(violation_at(
          kProp, &r,
          fmt::format("The resume snapshot of {} given to {} at {} has {} right after {}: a "
                      "snapshot must hold each event of the listener's history once, in order.",
                      name_of(t), name_of(c), where(r), ev(t, r.seqs[i]), ev(t, r.seqs[i - 1]))));
      return false;
    }
    const Record* d = nullptr;
    for (const Record& x : log.records()) {
      if (x.index > r.index && x.kind == RecordKind::kDelivered && x.thread == t &&
          x.connection == c) {
        d = &x;
        break;
      }
    }
    if (d == nullptr || r.seqs.empty()) continue;
    if (log.first_change(t, c, r.index, d->index, false) != nullptr) continue;
    if (d->seq == r.seqs.back() + 1) continue;
    out.push_back(violation_at(
        kProp, d,
        fmt::format("{} resumed {} at {} with a snapshot ending at {}, and its first live event "
                    "is {} at {}: snapshot plus live events must hold every event exactly once "
                    "({}).",
                    name_of(c), name_of(t), where(r), ev(t, r.seqs.back()), ev(t, d->seq),
                    where(*d), d->seq <= r.seqs.back() ? "a duplicate" : "a gap")));
    return false;
  }
  return true;
}

bool check_commands(const LogIndex& log, std::vector<Violation>& out) {
  std::map<std::pair<std::string_view, EventSeq>, const Record*> queued;
  std::map<std::pair<std::string_view, EventSeq>, const Record*> ran;
  // (running task, thread) -> the last command it ran for that thread.
  std::map<std::pair<std::uint32_t, std::optional<ThreadId>>, const Record*> last_run;
  for (const Record& r : log.records()) {
    if (r.kind == RecordKind::kCommandQueued) queued.emplace(std::make_pair(r.note, r.seq), &r);
    if (r.kind != RecordKind::kCommandRun) continue;
    const auto key = std::make_pair(r.note, r.seq);
    auto q = queued.find(key);
    const std::string what = fmt::format("{} command #{} of {}", r.note, r.seq,
                                         r.thread ? name_of(*r.thread) : "no thread");
    if (q == queued.end()) {
      out.push_back(violation_at(kProp, &r,
                                 fmt::format("{} ran the {} at {} before it was queued.",
                                             log.describe_task(r.task), what, where(r))));
      return false;
    }
    if (auto [it, fresh] = ran.emplace(key, &r); !fresh) {
      out.push_back(
          violation_at(kProp, &r,
                       fmt::format("{} ran the {} again at {} (it already ran at {}).",
                                   log.describe_task(r.task), what, where(r), where(*it->second))));
      return false;
    }
    const Record*& last = last_run[{r.task, r.thread}];
    if (last != nullptr) {
      const Record* lq = queued.at({last->note, last->seq});
      if (lq->index > q->second->index) {
        out.push_back(violation_at(
            kProp, &r,
            fmt::format("{} ran the {} (queued at {}) at {}, after command #{} which was queued "
                        "later, at {}: the commands of one thread must run in submission order.",
                        log.describe_task(r.task), what, where(*q->second), where(r), last->seq,
                        where(*lq))));
        return false;
      }
    }
    last = &r;
  }
  return true;
}

void check_resolves(const LogIndex& log, std::vector<Violation>& out) {
  std::map<Key, const Record*> prev;
  for (const Record& n : log.records()) {
    if (n.kind != RecordKind::kResolveDelivered || !n.thread || !n.connection) continue;
    const ThreadId t = *n.thread;
    const ConnectionId c = *n.connection;
    const Record* req = log.emitted(t, n.seq);
    if (req == nullptr || req->event != impl::EventKind::kServerRequest || req->index > n.index) {
      out.push_back(
          violation_at(kProp, &n,
                       fmt::format("{} got the notice that {} was resolved at {}, but {} was {}.",
                                   name_of(c), ev(t, n.seq), where(n), ev(t, n.seq),
                                   req == nullptr ? "never emitted"
                                   : req->index > n.index
                                       ? fmt::format("only emitted later, at {}", where(*req))
                                       : fmt::format("an event of kind {}, not a server request",
                                                     impl::event_kind_name(req->event)))));
      return;
    }
    const Record*& p = prev[{t, c}];
    if (p != nullptr && p->seq >= n.seq) {
      out.push_back(violation_at(
          kProp, &n,
          fmt::format("{} got the notice that {} was resolved at {}, after the notice for {} at "
                      "{}: each request is resolved once, oldest first.",
                      name_of(c), ev(t, n.seq), where(n), ev(t, p->seq), where(*p))));
      return;
    }
    p = &n;
    for (const Record& d : log.records()) {
      if (d.index <= n.index || d.kind != RecordKind::kDelivered || d.thread != t ||
          d.connection != c || d.seq != n.seq) {
        continue;
      }
      out.push_back(violation_at(
          kProp, &d,
          fmt::format("{} got the notice that {} was resolved at {} before the request itself, "
                      "delivered at {}: a resolve's notice must follow its request.",
                      name_of(c), ev(t, n.seq), where(n), where(d))));
      return;
    }
  }
}

}  // namespace

void check_per_thread_order(const LogIndex& log, std::vector<Violation>& out) {
  if (!check_deliveries(log, out)) return;
  if (!check_resumes(log, out)) return;
  if (!check_commands(log, out)) return;
  check_resolves(log, out);
}

}  // namespace lockstep::properties::detail
