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

  OpError get_or_create(ThreadId t) {
    ConnPtr existing;
    if (decisions_.get_or_create_waits_under_read_lock()) {
      SharedGuard read(mu_);
      existing = find_locked(t);
      if (existing) {
        wait_point(t, "get-or-create waits for the connection under the pool read lock");
        Guard conn(existing->mu);
        if (existing->alive) return OpError::kNone;
      }
    } else {
      {
        SharedGuard read(mu_);
        existing = find_locked(t);
      }
      if (existing) {
        wait_point(t, "get-or-create waits for the connection, pool lock released");
        Guard conn(existing->mu);
        if (existing->alive) return OpError::kNone;
      }
    }
    Guard write(mu_);
    auto& slot = conns_[t];
    if (slot && slot != existing) return OpError::kNone;  // someone else created it
    slot = std::make_shared<Connection>();
    slot->last_active = R::now();
    observe_(make_record(RecordKind::kPoolEntryAdded, t));
    return OpError::kNone;
  }

  // Runs a prompt on t's connection (get_or_create first). `gate` is the prompt's stall.
  OpError prompt(ThreadId t, Gate<R>* gate) {
    if (OpError e = get_or_create(t); e != OpError::kNone) return e;
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
      if (it != conns_.end() && it->second == conn && idle_now(*conn)) erase_locked(t);
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
    bool alive = true;                  // guarded by mu
    typename R::TimePoint last_active;  // guarded by mu
  };
  using ConnPtr = std::shared_ptr<Connection>;

  ConnPtr find_locked(ThreadId t) const {
    auto it = conns_.find(t);
    return it == conns_.end() ? nullptr : it->second;
  }

  OpError run_prompt(ThreadId t, Connection& conn, Gate<R>* gate) {
    if (!conn.alive) return OpError::kAgentDead;
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
    conns_.erase(t);
    Record r = make_record(RecordKind::kPoolEntryRemoved, t);
    r.note = "idle or dead";
    observe_(std::move(r));
  }

  const DesignDecisions& decisions_;
  Observer<R> observe_;
  std::chrono::milliseconds idle_timeout_;
  typename R::SharedMutex mu_{"pool"};
  std::map<ThreadId, ConnPtr> conns_;  // guarded by mu_
};

}  // namespace lockstep::impl
