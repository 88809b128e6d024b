// impl/manager_core.h: the state the manager's operations and its listeners share.
//
// Contract
// - Lock classes, in the only order they nest: "pending_unloads" -> "manager". Every other lock
//   ("thread_state", "workers", "pool", "pool_conn", "task_set") is taken with neither of
//   those held, except that "workers" and "task_set" are never held across a wait. The seed
//   keeps "pending_unloads" across the attach on purpose (it serializes attaches against
//   unloads); properties/ lists that in its allow-list.
// - Under "manager": the bookkeeping, the registry of loaded threads (the seed's thread
//   manager: each loaded thread's listener queue), the running listeners and the last event
//   number of each thread. Under "pending_unloads": the threads being unloaded.
// - attach() is the one path by which a connection joins a thread's subscribers (explicit
//   subscribe, the late auto-attach of start, resume). In the current design it checks that
//   the connection is live and the thread loaded and inserts in one critical section; the
//   split-lock-domains design does the check and the insert in two.
// Threading: any task. Cost: see each member.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string_view>
#include <utility>

#include "impl/bookkeeping.h"
#include "impl/design_variant.h"
#include "impl/observe.h"
#include "impl/session_pool.h"
#include "impl/task_set.h"
#include "impl/thread_state.h"
#include "impl/workers.h"

namespace lockstep::impl {

struct ManagerConfig {
  // Idle unload: no subscribers and no active turn for this long (virtual under the simulator).
  std::chrono::milliseconds unload_delay = std::chrono::minutes(30);
  // A pool connection unused for this long is removed by cleanup_idle.
  std::chrono::milliseconds pool_idle_timeout = std::chrono::minutes(10);
};

template <class R>
struct LoadedThread {
  std::shared_ptr<Inbox<R>> inbox;
};

template <class R>
class Core {
 public:
  using StatePtr = std::shared_ptr<ThreadState<R>>;

  Core(DesignVariant variant, ManagerConfig cfg, Probe& probe)
      : decisions(variant),
        config(cfg),
        observe(probe),
        tasks(probe),
        workers(decisions, observe, tasks),
        pool(decisions, observe, cfg.pool_idle_timeout) {}

  const DesignDecisions decisions;
  const ManagerConfig config;
  const Observer<R> observe;
  TaskSet<R> tasks;

  typename R::Mutex manager_mu{"manager"};
  Bookkeeping<StatePtr> book;                  // guarded by manager_mu
  std::map<ThreadId, LoadedThread<R>> loaded;  // guarded by manager_mu
  std::set<ThreadId> running_listeners;        // guarded by manager_mu
  std::map<ThreadId, EventSeq> last_seq;       // guarded by manager_mu
  std::uint64_t next_listener_command = 1;     // guarded by manager_mu
  bool closing = false;  // guarded by manager_mu: set by shutdown, no new threads after it

  typename R::Mutex pending_mu{"pending_unloads"};
  std::set<ThreadId> pending_unloads;  // guarded by pending_mu

  Workers<R> workers;
  SessionPool<R> pool;

  static StatePtr make_state() { return std::make_shared<ThreadState<R>>(); }

  bool is_pending(ThreadId t) {
    Guard lock(pending_mu);
    return pending_unloads.contains(t);
  }

  // Joins `c` to `t`'s subscribers if `c` is live and `t` loaded. `how` names the path.
  OpError attach(ConnectionId c, ThreadId t, std::string_view how) {
    OpError e;
    if (decisions.attach_checks_and_inserts_atomically()) {
      {
        Guard lock(manager_mu);
        e = check_attach_locked(c, t);
        if (e == OpError::kNone) insert_locked(c, t, how);
      }
      attach_point(c, t, e, "after the atomic check and insert");
      return e;
    }
    {
      Guard lock(manager_mu);  // domain 1: is the connection live?
      e = check_attach_locked(c, t);
    }
    attach_point(c, t, e, "between the live check and the insert; no lock held");
    if (e != OpError::kNone) return e;
    Guard lock(manager_mu);  // domain 2: insert, without checking again
    insert_locked(c, t, how);
    return OpError::kNone;
  }

  // attach() behind the seed's pending-unload guard (when the design has it): refused with
  // kClosing while `t` is being unloaded, and "pending_unloads" is held across the insert.
  OpError guarded_attach(ConnectionId c, ThreadId t, std::string_view how) {
    if (!decisions.guards_attach_against_pending_unload()) return attach(c, t, how);
    Guard pending(pending_mu);
    if (pending_unloads.contains(t)) return OpError::kClosing;
    return attach(c, t, how);
  }

  // Wakes t's listener so it re-reads its subscribers (caller holds manager_mu).
  void wake_listener_locked(ThreadId t) {
    if (auto it = loaded.find(t); it != loaded.end()) {
      it->second.inbox->send(
          ListenerMsg<R>{ListenerMsgKind::kWake, 0, EventKind::kItem, {}, 0, nullptr});
    }
  }

  void subscriber_removed_locked(ThreadId t, ConnectionId c, std::string_view why) {
    Record r = make_record(RecordKind::kSubscriberRemoved, t, c);
    r.note = why;
    observe(std::move(r));
  }

  // A snapshot taken with the locks (quick: no lock is held across a wait here).
  StateSnapshot snapshot() {
    StateSnapshot s;
    std::map<ThreadId, StatePtr> states;
    {
      Guard lock(manager_mu);
      fill_manager(s);
      states = thread_states_locked();
    }
    for (auto& [t, state] : states) {
      Guard lock(state->mu);
      s.histories[t] = state->data.history;
    }
    {
      Guard lock(pending_mu);
      s.pending_unloads = pending_unloads;
    }
    workers.fill_locked(s);
    pool.fill_locked(s);
    return s;
  }

  // The same without locks: only when no task can run (or all were joined).
  StateSnapshot peek_snapshot() {
    StateSnapshot s;
    fill_manager(s);
    for (auto& [t, state] : thread_states_locked()) s.histories[t] = state->data.history;
    s.pending_unloads = pending_unloads;
    workers.fill(s);
    pool.fill(s);
    return s;
  }

 private:
  OpError check_attach_locked(ConnectionId c, ThreadId t) const {
    if (!book.is_live(c)) return OpError::kNotConnected;
    if (!loaded.contains(t)) return OpError::kUnknownThread;
    return OpError::kNone;
  }

  void insert_locked(ConnectionId c, ThreadId t, std::string_view how) {
    book.entry(t, make_state);
    if (book.add_subscriber(t, c)) {
      Record r = make_record(RecordKind::kSubscriberAdded, t, c);
      r.note = how;
      observe(std::move(r));
    }
    wake_listener_locked(t);
  }

  void attach_point(ConnectionId c, ThreadId t, OpError e, std::string_view note) {
    Record r = make_record(RecordKind::kAttachPoint, t, c);
    r.error = e;
    r.note = note;
    observe(std::move(r));
  }

  void fill_manager(StateSnapshot& s) {
    book.fill(s);
    for (const auto& [t, l] : loaded) s.loaded_threads.insert(t);
    s.listeners = running_listeners;
  }

  std::map<ThreadId, StatePtr> thread_states_locked() {
    std::map<ThreadId, StatePtr> out;
    for (const auto& [t, l] : loaded) {
      if (auto* entry = book.find(t); entry != nullptr && entry->state) out[t] = entry->state;
    }
    return out;
  }
};

}  // namespace lockstep::impl
