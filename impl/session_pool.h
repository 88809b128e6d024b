// impl/session_pool.h: the session pool (openab #59): each thread's agent connection, a
// reader/writer "pool" lock over the map and a "pool_conn" mutex per connection.
//
// Contract (current design)
// - The pool lock is held only for look-ups and inserts, never while waiting for a connection
//   mutex: get_or_create clones the entry, drops the read lock, then locks the connection;
//   prompt holds only its own connection's mutex for the whole (possibly endless) prompt;
//   cleanup_idle snapshots under the read lock and only try_locks connections (a busy
//   connection is not idle), re-checking with try_lock under the write lock before removing.
// - A prompt whose agent dies (its gate is closed) returns kAgentDead and marks the connection
//   dead; the next get_or_create replaces it.
// - Probe records (impl/probe.h) name each session by an id counted from 1 in creation order:
//   created, removed, returned by get_or_create (the operation only: a prompt's own
//   get_or_create is seen through the session its prompt runs on), and each prompt's begin and
//   end on it. Cleanup removes a session while it holds that session's mutex, so its removal
//   is ordered against the prompts on it.
// - The historical designs are chosen by three decisions (design_variant.h).
// Threading: any task. Cost: one map look-up per call; cleanup linear in entries.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "impl/design_variant.h"
#include "impl/gate.h"
#include "impl/observe.h"

namespace lockstep::impl {

template <class R>
class SessionPool {
 public:
  SessionPool(const DesignDecisions& decisions, Observer<R> observe,
              std::chrono::milliseconds idle_timeout)
      : decisions_(decisions), observe_(observe), idle_timeout_(idle_timeout) {}
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  // `report`: write the session returned (the get-or-create operation; a prompt's own call does
  // not, so that the prompt's steps observe nothing more than they did).
  OpError get_or_create(ThreadId t, bool report = true) {
    ConnPtr existing;
    if (decisions_.get_or_create_waits_under_read_lock()) {
      SharedGuard read(mu_);
      existing = find_locked(t);
      if (existing) {
        wait_point(t, "get-or-create waits for the connection under the pool read lock");
        Guard conn(existing->mu);
        if (existing->alive) return returned(t, *existing, report);
      }
    } else {
      {
        SharedGuard read(mu_);
        existing = find_locked(t);
      }
      if (existing) {
        wait_point(t, "get-or-create waits for the connection, pool lock released");
        Guard conn(existing->mu);
        if (existing->alive) return returned(t, *existing, report);
      }
    }
    Guard write(mu_);
    auto& slot = conns_[t];
    if (slot && slot != existing) return returned(t, *slot, report);  // someone else created it
    const bool replaces = slot != nullptr;
    slot = std::make_shared<Connection>();
    slot->id = next_id_++;
    Record added = make_record(RecordKind::kPoolEntryAdded, t);
    added.seq = slot->id;
    added.note = replaces ? "replaces the session in the map" : "new";
    observe_(std::move(added));
    slot->last_active = R::now();
    return OpError::kNone;
  }

  // Runs a prompt on t's connection (get_or_create first). `gate` is the prompt's stall.
  OpError prompt(ThreadId t, Gate<R>* gate) {
    if (OpError e = get_or_create(t, false); e != OpError::kNone) return e;
    if (decisions_.holds_pool_lock_for_prompt()) {
      Guard write(mu_);  // the old with_connection: pool write lock for the whole prompt
      ConnPtr conn = find_locked(t);
      if (!conn) return OpError::kUnknownThread;
      Guard lock(conn->mu);
      return run_prompt(t, *conn, gate);
    }
    ConnPtr conn;
    {
      SharedGuard read(mu_);
      conn = find_locked(t);
    }
    if (!conn) return OpError::kUnknownThread;  // removed by cleanup in between
    Guard lock(conn->mu);
    return run_prompt(t, *conn, gate);
  }

  void cleanup_idle() {
    if (decisions_.cleanup_waits_for_connections_under_write_lock()) {
      Guard write(mu_);
      std::vector<ThreadId> stale;
      for (auto& [t, conn] : conns_) {
        wait_point(t, "cleanup waits for the connection under the pool write lock");
        Guard lock(conn->mu);
        if (is_idle_locked(*conn)) stale.push_back(t);
      }
      for (ThreadId t : stale) erase_locked(t);
      return;
    }
    std::vector<std::pair<ThreadId, ConnPtr>> snapshot;
    {
      SharedGuard read(mu_);
      snapshot.assign(conns_.begin(), conns_.end());
    }
    std::vector<std::pair<ThreadId, ConnPtr>> stale;
    for (auto& [t, conn] : snapshot) {
      wait_point(t, "cleanup tries the connection, pool lock released");
      if (idle_now(*conn)) stale.emplace_back(t, conn);
    }
    if (stale.empty()) return;
    Guard write(mu_);
    for (auto& [t, conn] : stale) {
      auto it = conns_.find(t);
      if (it == conns_.end() || it->second != conn) continue;
      // As idle_now(), but the removal is made (and written) with the session's mutex held.
      if (!conn->mu.try_lock(std::source_location::current())) continue;
      if (is_idle_locked(*conn)) erase_locked(t);
      conn->mu.unlock();
    }
  }

  void fill(StateSnapshot& s) const {
    for (const auto& [t, conn] : conns_) s.pool_entries.insert(t);
  }
  void fill_locked(StateSnapshot& s) {
    SharedGuard read(mu_);
    fill(s);
  }

 private:
  struct Connection {
    typename R::Mutex mu{"pool_conn"};
    std::uint64_t id = 0;               // set at creation, under the pool write lock
    bool alive = true;                  // guarded by mu
    typename R::TimePoint last_active;  // guarded by mu
  };
  using ConnPtr = std::shared_ptr<Connection>;

  ConnPtr find_locked(ThreadId t) const {
    auto it = conns_.find(t);
    return it == conns_.end() ? nullptr : it->second;
  }

  OpError returned(ThreadId t, const Connection& conn, bool report) {
    if (report) {
      Record r = make_record(RecordKind::kSessionReturned, t);
      r.seq = conn.id;
      observe_(std::move(r));
    }
    return OpError::kNone;
  }

  OpError run_prompt(ThreadId t, Connection& conn, Gate<R>* gate) {
    if (!conn.alive) return OpError::kAgentDead;
    Record begin_prompt = make_record(RecordKind::kPromptBegin, t);
    begin_prompt.seq = conn.id;
    observe_(std::move(begin_prompt));
    bool opened = true;
    if (gate != nullptr && gate->stalls()) {
      Record begin = make_record(RecordKind::kStallBegin, t);
      begin.op = OpKind::kPrompt;
      begin.detail = static_cast<std::uint8_t>(gate->stall().kind);
      observe_(std::move(begin));
      opened = gate->wait();
      Record end = make_record(RecordKind::kStallEnd, t);
      end.op = OpKind::kPrompt;
      end.error = opened ? OpError::kNone : OpError::kAgentDead;
      observe_(std::move(end));
    }
    Record end_prompt = make_record(RecordKind::kPromptEnd, t);
    end_prompt.seq = conn.id;
    end_prompt.error = opened ? OpError::kNone : OpError::kAgentDead;
    observe_(std::move(end_prompt));
    conn.last_active = R::now();
    if (!opened) conn.alive = false;  // the agent closed its channel: noticed, not waited on
    return opened ? OpError::kNone : OpError::kAgentDead;
  }

  bool is_idle_locked(const Connection& conn) const {
    return !conn.alive || conn.last_active + idle_timeout_ <= R::now();
  }

  // Never waits: a connection whose mutex is held is busy, hence not idle.
  bool idle_now(Connection& conn) {
    if (!conn.mu.try_lock(std::source_location::current())) return false;
    const bool idle = is_idle_locked(conn);
    conn.mu.unlock();
    return idle;
  }

  void wait_point(ThreadId t, std::string_view what) {
    Record r = make_record(RecordKind::kPoolWait, t);
    r.note = what;
    observe_(std::move(r));
  }

  void erase_locked(ThreadId t) {
    auto it = conns_.find(t);
    if (it == conns_.end()) return;
    const std::uint64_t id = it->second->id;
    conns_.erase(it);
    Record r = make_record(RecordKind::kPoolEntryRemoved, t);
    r.seq = id;
    r.note = "idle or dead";
    observe_(std::move(r));
  }

  const DesignDecisions& decisions_;
  Observer<R> observe_;
  std::chrono::milliseconds idle_timeout_;
  typename R::SharedMutex mu_{"pool"};
  std::map<ThreadId, ConnPtr> conns_;  // guarded by mu_
  std::uint64_t next_id_ = 1;          // guarded by mu_
};

}  // namespace lockstep::impl
