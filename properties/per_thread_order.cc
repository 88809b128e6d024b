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
// - Resume, across every resume of every connection: from a resume's attach point (the add
//   of c to t's subscribers that the resume wrote, or its snapshot when c was already
//   subscribed), what c gets of t (live events before the history, the history, the live
//   events after it, until its next resume) is each event exactly once, in order, gap-free
//   while c stays subscribed. The history is the listener's, strictly increasing and
//   contiguous; the attach happens on the listener between two queue entries, right before
//   the snapshot, so no live event reaches c between the attach and the history, and the
//   first live delivery after it is the event right after its last one (unless c leaves t).
//   A resume that subscribes before it takes the history delivers every event in between
//   twice: live, and again in the history.
// - Commands: each task that runs commands (a worker, a listener) runs those of one thread in
//   the order they were queued (kCommandQueued is written under the lock that orders the
//   queue), each at most once, and never before it was queued.
// - A resolve notice names a server request that was emitted before it, comes after that
//   request's own delivery to the same connection, and never twice.
// The ways the property can be violated, each caught here (a test per way in
// tests/properties/per_thread_order_test.cc):
// (a) a live event delivered twice to one connection; (b) live events out of order; (c) a gap
//     in the live events while the connection stayed subscribed; (d) the first delivery after
//     a join skips an event emitted after the join; (e) a resume history with a hole or out of
//     order; (f) live events reaching a resuming connection between its attach and its history,
//     and again in the history; (g) the first live event after a history repeats one of it;
//     (h) ... or skips one; (i) any of (e)-(h) on a later resume of the same connection, with
//     or without leaving in between; (j) a command run before it was queued; (k) run twice;
//     (l) commands of one thread run out of submission order; (m) a resolve notice for a request
//     never emitted, emitted only later, or for an event that is not a server request;
//     (n) resolve notices twice or newest first; (o) a resolve notice before its request.
// Cost: O(n log n).
#include <fmt/format.h>

#include <map>
#include <set>

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

// The attach point of each resume snapshot (by the snapshot's index): the kSubscriberAdded
// ("resume") of (t, c) that the resume itself wrote, or the snapshot when it wrote none (c was
// already subscribed, so the attach changed nothing). The add must follow both the begin of
// the latest resume(c, t) before the snapshot and the previous snapshot of (t, c), so each
// resume has its own attach point and they increase.
std::map<std::uint64_t, const Record*> resume_attach_points(const LogIndex& log) {
  std::map<std::uint64_t, const Record*> out;
  std::map<Key, std::uint64_t> floor;  // max(latest resume begin, previous snapshot)
  std::map<Key, const Record*> add;    // the candidate add since then
  for (const Record& r : log.records()) {
    if (!r.thread || !r.connection) continue;
    const Key k{*r.thread, *r.connection};
    if (r.kind == RecordKind::kOpBegin && r.op == OpKind::kResume) {
      floor[k] = r.index;
      add[k] = nullptr;
    } else if (r.kind == RecordKind::kSubscriberAdded && r.note == "resume" && floor.contains(k)) {
      add[k] = &r;
    } else if (r.kind == RecordKind::kResumeSnapshot) {
      out[r.index] = add[k] != nullptr ? add[k] : &r;
      floor[k] = r.index;
      add[k] = nullptr;
    }
  }
  return out;
}

// What c holds of t since the last resume's attach point (its "view"): the resume's history
// and every event after it, in the order c got them, must be each event exactly once, in
// order, gap-free while c stays subscribed.
struct View {
  std::optional<EventSeq> last;     // the last event c got in this view
  const Record* last_at = nullptr;  // the record that gave it
  bool from_history = false;        // it was the end of a resume's history
  std::uint64_t attach = 0;         // that resume's attach point
};

bool check_events(const LogIndex& log, std::vector<Violation>& out) {
  const auto attach_of = resume_attach_points(log);
  std::set<std::pair<std::uint64_t, Key>> resets;  // (attach point, key)
  for (const Record& r : log.records()) {
    if (r.kind != RecordKind::kResumeSnapshot || !r.thread || !r.connection) continue;
    resets.insert({attach_of.at(r.index)->index, Key{*r.thread, *r.connection}});
  }
  std::map<Key, const Record*> prev;  // the last live delivery
  std::map<Key, View> views;
  for (const Record& d : log.records()) {
    if (!d.thread || !d.connection) continue;
    const ThreadId t = *d.thread;
    const ConnectionId c = *d.connection;
    const Key key{t, c};
    if (resets.contains({d.index, key})) views[key] = View{};
    View& view = views[key];
    if (d.kind == RecordKind::kResumeSnapshot) {
      const Record& a = *attach_of.at(d.index);
      for (std::size_t i = 1; i < d.seqs.size(); ++i) {
        if (d.seqs[i] == d.seqs[i - 1] + 1) continue;
        out.push_back(violation_at(
            kProp, &d,
            fmt::format("The resume snapshot of {} given to {} at {} has {} right after {}: a "
                        "snapshot must hold each event of the listener's history once, in order.",
                        name_of(t), name_of(c), where(d), ev(t, d.seqs[i]), ev(t, d.seqs[i - 1]))));
        return false;
      }
      if (d.seqs.empty()) continue;
      if (view.last && d.seqs.front() != *view.last + 1) {
        // Live events reached c after the resume attached it, before its history: the history
        // must come first and hold what c already has nowhere.
        out.push_back(violation_at(
            kProp, &d,
            fmt::format("{} resumed {}: attached at {} ({}), it received {} live at {}, and then "
                        "the history at {} runs {}..{}: {}.",
                        name_of(c), name_of(t), where(a), impl::record_kind_name(a.kind),
                        ev(t, *view.last), where(*view.last_at), where(d), ev(t, d.seqs.front()),
                        ev(t, d.seqs.back()),
                        d.seqs.front() <= *view.last
                            ? "every event between the attach and the history was delivered twice "
                              "(the resume subscribed before it took the history)"
                            : "a gap between the live events and the history")));
        return false;
      }
      view = View{d.seqs.back(), &d, true, a.index};
      continue;
    }
    if (d.kind != RecordKind::kDelivered) continue;
    const Record*& p = prev[key];
    const Record* last = p;
    p = &d;
    if (last != nullptr && d.seq <= last->seq) {
      out.push_back(violation_at(
          kProp, &d,
          fmt::format("{} received {} at {} after {} at {}: deliveries of {} to {} must be "
                      "strictly increasing ({}).",
                      name_of(c), ev(t, d.seq), where(d), ev(t, last->seq), where(*last),
                      name_of(t), name_of(c),
                      d.seq == last->seq ? "a duplicate" : "out of order")));
      return false;
    }
    if (last != nullptr && d.seq != last->seq + 1) {
      const Record* e = log.emitted(t, last->seq);
      const Record* missed = log.emitted(t, last->seq + 1);
      if (e != nullptr && missed != nullptr &&
          log.first_change(t, c, e->index, d.index, false) == nullptr) {
        out.push_back(violation_at(
            kProp, &d,
            fmt::format("{} received {} at {} and then {} at {}, staying subscribed to {} in "
                        "between, but never {} (emitted at {}): a gap in {}'s events.",
                        name_of(c), ev(t, last->seq), where(*last), ev(t, d.seq), where(d),
                        name_of(t), ev(t, last->seq + 1), where(*missed), name_of(t))));
        return false;
      }
    }
    if (view.from_history) {
      const EventSeq h = *view.last;
      const Record* missed = log.emitted(t, h + 1);
      const bool gap = d.seq > h + 1 && missed != nullptr &&
                       log.first_change(t, c, view.attach, d.index, false) == nullptr;
      if (d.seq <= h || gap) {
        out.push_back(violation_at(
            kProp, &d,
            fmt::format(
                "{} resumed {} at {} with a history ending at {}, and then received {} "
                "live at {}: the history plus the live events after it must hold every "
                "event exactly once ({}).",
                name_of(c), name_of(t), where(*view.last_at), ev(t, h), ev(t, d.seq), where(d),
                d.seq <= h
                    ? "a duplicate"
                    : fmt::format("a gap: {} was emitted at {}", ev(t, h + 1), where(*missed)))));
        return false;
      }
    }
    view = View{d.seq, &d, false, view.attach};
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
  if (!check_events(log, out)) return;
  if (!check_commands(log, out)) return;
  check_resolves(log, out);
}

}  // namespace lockstep::properties::detail
