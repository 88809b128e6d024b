// impl/state_manager.h: the state manager under test, written once against the Runtime seam.
//
// Contract
// - StateManager<R> owns the bookkeeping, the listeners, the command workers and the session
//   pool of one run. Its design (current or a historical variant) is fixed at construction and
//   consulted only through DesignDecisions.
// - Each public operation is called from a task (a client's request loop, or a test). Each
//   writes kOpBegin / kOpEnd records (with `ref`, the request it serves) and returns an OpError;
//   it never throws for a refused operation. Operations never wait for another thread's work in
//   the current design; some historical designs do (that is their bug).
// - start() hands the startup to a background task in the current design and returns kNone at
//   once; the background part writes its own kOpBegin/kOpEnd (Phase::kBackground): kNone, or
//   kAgentDead when the startup gate closed, or kNotConnected when the late auto-attach was
//   skipped because the connection had gone (the thread is loaded all the same).
// - shutdown() closes every queue and joins every task the manager spawned. Stall gates must
//   have been opened or released before it (a task stalled forever is never joined).
//   The destructor calls shutdown() if it was not called.
// Threading: operations from any task, concurrently. Cost: each operation takes a few locks;
// emit, resume, resolve and unload also wait for their command to run.
#pragma once

#include <memory>
#include <string>

#include "impl/design_variant.h"
#include "impl/gate.h"
#include "impl/manager_core.h"
#include "impl/probe.h"
#include "impl/runtime.h"

namespace lockstep::impl {

// The result of an operation that returns more than an error.
struct OpResult {
  OpError error = OpError::kNone;
  EventSeq seq = 0;            // emit: the event's number; resolve: the request resolved
  std::vector<EventSeq> seqs;  // resume: the history snapshot
};

template <class R>
class StateManager {
 public:
  StateManager(DesignVariant variant, ManagerConfig config, Probe& probe);
  ~StateManager();
  StateManager(const StateManager&) = delete;
  StateManager& operator=(const StateManager&) = delete;

  const DesignDecisions& decisions() const { return core_.decisions; }

  OpError connect(ConnectionId c, RequestRef ref = {});
  OpError disconnect(ConnectionId c, RequestRef ref = {});
  // Starts thread `t` for connection `c`; `startup` (may be null) is the startup's stall gate.
  OpError start(ThreadId t, ConnectionId c, Gate<R>* startup, RequestRef ref = {});
  OpError subscribe(ConnectionId c, ThreadId t, RequestRef ref = {});
  OpError unsubscribe(ConnectionId c, ThreadId t, RequestRef ref = {});
  OpResult emit(ThreadId t, EventKind kind, RequestRef ref = {});
  OpResult resume(ConnectionId c, ThreadId t, RequestRef ref = {});
  OpResult resolve(ThreadId t, RequestRef ref = {});
  OpError unload(ThreadId t, RequestRef ref = {});
  OpError get_or_create(ThreadId t, RequestRef ref = {});
  // A prompt on t's agent connection; `gate` (may be null) is how long it runs.
  OpError prompt(ThreadId t, Gate<R>* gate, RequestRef ref = {});
  void cleanup_idle(RequestRef ref = {});

  // Queries (no records): for tests and the model.
  bool is_loaded(ThreadId t);
  bool is_subscribed(ConnectionId c, ThreadId t);
  std::vector<ConnectionId> subscribers(ThreadId t);

  StateSnapshot snapshot() { return core_.snapshot(); }
  // Without locks: only when no task can run.
  StateSnapshot peek_snapshot() { return core_.peek_snapshot(); }
  // Empty if the bookkeeping indices agree (and, with `no_phantoms`, no subscriber is a
  // disconnected connection); otherwise what is wrong.
  std::string check_invariants(bool no_phantoms = true);

  void shutdown();

 private:
  void op_begin(OpKind op, std::optional<ThreadId> t, std::optional<ConnectionId> c, RequestRef ref,
                Phase phase = Phase::kRequest);
  void op_end(OpKind op, std::optional<ThreadId> t, std::optional<ConnectionId> c, RequestRef ref,
              OpError e, EventSeq seq = 0, Phase phase = Phase::kRequest);
  OpError start_body(ThreadId t, ConnectionId c, Gate<R>* startup, RequestRef ref);
  OpError start_session(ThreadId t, Gate<R>* startup);
  void register_thread(ThreadId t);
  Reply emit_on_worker(ThreadId t, EventKind kind);
  // Sends a command to t's listener under the manager lock (after `check`); waits for it.
  Reply listener_call(ThreadId t, ListenerMsg<R> msg, std::optional<ConnectionId> live_check);

  Core<R> core_;
  bool shut_down_ = false;
};

}  // namespace lockstep::impl

#include "impl/state_manager_inl.h"  // IWYU pragma: export
