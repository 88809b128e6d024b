// properties/pool_integrity.cc: property 7, pool integrity.
//
// The session pool's records (impl/probe.h) are replayed in log order: kPoolEntryAdded and
// kPoolEntryRemoved give the pool's entry for each thread at every point, kPromptBegin/End the
// prompts running on each session, its activity times and whether its agent died. The ways
// the property can be violated, each checked here:
// (a) cleanup removed a session while a prompt was running on it;
// (b) a session was replaced (a new entry for its thread) while a prompt was running on it;
// (c) cleanup removed a session that was not idle: alive, and active (created, or a prompt
//     ended on it) less than the idle timeout before the removal;
// (d) a session was created for a thread whose entry was an alive session (get_or_create must
//     create one only when none exists, or the one there is dead);
// (e) get_or_create returned a session that is not one of its thread's: never created, created
//     for another thread, or removed before the call began;
// (f) get_or_create returned a session whose agent had died before the call began;
// (g) a prompt ran on a session that is not its thread's, or on a dead one.
// Why each check is sound for the current design: a prompt holds its session's mutex from its
// kPromptBegin to its kPromptEnd, and cleanup removes a session only after try_lock on that
// mutex succeeded, writing the removal before it releases it (a, c); a session is marked dead
// under its mutex right after the kPromptEnd that says so, and get_or_create replaces an entry
// only after it saw it dead under that mutex, or finds another task's new entry (b, d, f: that
// entry may have died since it was created, during the call, which is no violation);
// activity records are written just before the pool reads the clock for them, and the removal
// after its idle check, so the log never makes a session look more recently active than the
// pool saw it (c). A prompt may still begin on a session that cleanup removed after the
// prompt looked it up and before it locked it: the removal came first, so it is no violation
// (the prompt ends normally; the next get_or_create creates a new session). Likewise (e) asks
// only that the session existed when the call began: it may be removed before it returns.
// Cost: O(n log n).
#include <fmt/format.h>

#include <map>

#include "properties/checkers.h"

namespace lockstep::properties::detail {
namespace {

constexpr Property kProp = Property::kPoolIntegrity;

struct Session {
  ThreadId thread{};
  const Record* created = nullptr;
  const Record* removed = nullptr;
  const Record* running = nullptr;  // the kPromptBegin of the prompt running on it
  const Record* died = nullptr;     // the kPromptEnd that reported its agent dead
  const Record* active = nullptr;   // its latest activity (creation or prompt end)
};

std::string session_text(std::uint64_t id) { return fmt::format("session #{}", id); }

// The get-or-create operation part of `task` open at record `r`, if any.
const OpPart* open_get_or_create(const LogIndex& log, const Record& r) {
  for (const OpPart& p : log.ops()) {
    if (p.begin->index > r.index) break;
    if (p.begin->task == r.task && p.begin->op == OpKind::kGetOrCreate &&
        (p.end == nullptr || p.end->index > r.index)) {
      return &p;
    }
  }
  return nullptr;
}

}  // namespace

void check_pool_integrity(const LogIndex& log, std::vector<Violation>& out) {
  const std::int64_t timeout =
      std::chrono::duration_cast<std::chrono::nanoseconds>(log.view().workload.cleanup.idle_timeout)
          .count();
  std::map<std::uint64_t, Session> sessions;
  std::map<ThreadId, std::uint64_t> entry;
  auto fail = [&](const Record& r, std::string message) {
    out.push_back(violation_at(kProp, &r, std::move(message)));
  };
  // "thread t's session #3 is not t's: it was created for t1 at #5", or "" if it is.
  auto not_of_thread = [&](ThreadId t, std::uint64_t id) -> std::string {
    auto it = sessions.find(id);
    if (it == sessions.end()) return fmt::format("{} was never created", session_text(id));
    if (it->second.thread != t) {
      return fmt::format("{} was created for {} at {}", session_text(id),
                         name_of(it->second.thread), where(*it->second.created));
    }
    return "";
  };
  // A session returned by get_or_create or used by a prompt must be its thread's, and alive;
  // false when it is not (the violation is reported).
  auto check_use = [&](const Record& r) {
    const ThreadId t = *r.thread;
    const bool returned = r.kind == RecordKind::kSessionReturned;
    const std::string head = returned ? fmt::format("get_or_create({}) returned {} at {}",
                                                    name_of(t), session_text(r.seq), where(r))
                                      : fmt::format("A prompt of {} began on {} at {}", name_of(t),
                                                    session_text(r.seq), where(r));
    if (std::string why = not_of_thread(t, r.seq); !why.empty()) {
      fail(r, fmt::format("{}, but {}: {}.", head, why,
                          returned ? "it must return its thread's session"
                                   : "a prompt runs on its thread's session"));
      return false;
    }
    // get_or_create may return a session that died after the call began (it found it alive,
    // or created by another task, before the prompt on it ended); the next call replaces it.
    const OpPart* call = returned ? open_get_or_create(log, r) : nullptr;
    const std::uint64_t since = call != nullptr ? call->begin->index : r.index;
    if (const Record* died = sessions[r.seq].died; died != nullptr && died->index < since) {
      fail(r, fmt::format("{}, whose agent had died (prompt end at {}): a dead session must be "
                          "replaced.",
                          head, where(*died)));
      return false;
    }
    return true;
  };
  for (const Record& r : log.records()) {
    if (!r.thread) continue;
    const ThreadId t = *r.thread;
    const std::uint64_t id = r.seq;
    switch (r.kind) {
      case RecordKind::kPoolEntryAdded: {
        if (auto old = entry.find(t); old != entry.end()) {
          const Session& s = sessions[old->second];
          if (s.running != nullptr) {
            return fail(r, fmt::format("{} was created for {} at {}, replacing {} while a prompt "
                                       "was running on it (begun at {}): a session whose prompt "
                                       "is running is never replaced.",
                                       session_text(id), name_of(t), where(r),
                                       session_text(old->second), where(*s.running)));
          }
          if (s.died == nullptr) {
            return fail(r, fmt::format("{} was created for {} at {} although {} (created at {}) "
                                       "was its session and alive: get_or_create creates a "
                                       "session only when none exists (or the one there died).",
                                       session_text(id), name_of(t), where(r),
                                       session_text(old->second), where(*s.created)));
          }
        }
        entry[t] = id;
        sessions[id] = Session{t, &r, nullptr, nullptr, nullptr, &r};
        break;
      }
      case RecordKind::kPoolEntryRemoved: {
        auto it = sessions.find(id);
        if (it == sessions.end()) break;  // unknown session: nothing to decide
        Session& s = it->second;
        if (s.running != nullptr) {
          return fail(r, fmt::format("Cleanup removed {} of {} at {} while a prompt was running "
                                     "on it (begun at {}): a session whose prompt is running is "
                                     "never removed.",
                                     session_text(id), name_of(t), where(r), where(*s.running)));
        }
        if (s.died == nullptr && s.active->time_ns + timeout > r.time_ns) {
          return fail(r, fmt::format("Cleanup removed {} of {} at {} ({}), but it was alive and "
                                     "last active at {} ({} at {}): with an idle timeout of "
                                     "{} it was not idle; cleanup removes only idle sessions.",
                                     session_text(id), name_of(t), where(r), time_text(r.time_ns),
                                     time_text(s.active->time_ns),
                                     s.created == s.active ? "its creation" : "a prompt's end",
                                     where(*s.active), time_text(timeout)));
        }
        s.removed = &r;
        if (auto e = entry.find(t); e != entry.end() && e->second == id) entry.erase(e);
        break;
      }
      case RecordKind::kSessionReturned: {
        if (!check_use(r)) return;
        const OpPart* call = open_get_or_create(log, r);  // the call that returns it
        const Record* removed = sessions[id].removed;
        if (removed != nullptr && call != nullptr && removed->index < call->begin->index) {
          return fail(r, fmt::format("get_or_create({}), called at {}, returned {} at {}, which "
                                     "cleanup had removed before the call, at {}: it must "
                                     "return the session that exists for its thread.",
                                     name_of(t), where(*call->begin), session_text(id), where(r),
                                     where(*removed)));
        }
        break;
      }
      case RecordKind::kPromptBegin:
        if (!check_use(r)) return;
        sessions[id].running = &r;
        break;
      case RecordKind::kPromptEnd: {
        auto it = sessions.find(id);
        if (it == sessions.end()) break;
        it->second.running = nullptr;
        it->second.active = &r;
        if (r.error == OpError::kAgentDead) it->second.died = &r;
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace lockstep::properties::detail
