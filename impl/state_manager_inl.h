// impl/state_manager_inl.h: bodies of StateManager<R> (see state_manager.h for the contract).
#pragma once

#include <string>
#include <utility>

#include "impl/listener.h"
#include "impl/state_manager.h"

namespace lockstep::impl {

template <class R>
StateManager<R>::StateManager(DesignVariant variant, ManagerConfig config, Probe& probe)
    : core_(variant, config, probe) {}

template <class R>
StateManager<R>::~StateManager() {
  shutdown();
}

template <class R>
void StateManager<R>::op_begin(OpKind op, std::optional<ThreadId> t, std::optional<ConnectionId> c,
                               RequestRef ref, Phase phase) {
  Record r = make_record(RecordKind::kOpBegin, t, c);
  r.op = op;
  r.request = ref;
  r.phase = phase;
  core_.observe(std::move(r));
}

template <class R>
void StateManager<R>::op_end(OpKind op, std::optional<ThreadId> t, std::optional<ConnectionId> c,
                             RequestRef ref, OpError e, EventSeq seq, Phase phase) {
  Record r = make_record(RecordKind::kOpEnd, t, c);
  r.op = op;
  r.request = ref;
  r.phase = phase;
  r.error = e;
  r.seq = seq;
  core_.observe(std::move(r));
}

template <class R>
OpError StateManager<R>::connect(ConnectionId c, RequestRef ref) {
  op_begin(OpKind::kConnect, std::nullopt, c, ref);
  {
    Guard lock(core_.manager_mu);
    core_.book.add_live(c);
  }
  op_end(OpKind::kConnect, std::nullopt, c, ref, OpError::kNone);
  return OpError::kNone;
}

template <class R>
OpError StateManager<R>::disconnect(ConnectionId c, RequestRef ref) {
  op_begin(OpKind::kDisconnect, std::nullopt, c, ref);
  OpError e = OpError::kNone;
  {
    Guard lock(core_.manager_mu);
    if (!core_.book.is_live(c)) {
      e = OpError::kNotConnected;
    } else {
      for (ThreadId t : core_.book.remove_connection(c)) {
        core_.subscriber_removed_locked(t, c, "disconnect");
        core_.wake_listener_locked(t);  // the listener is kept, as in the seed
      }
    }
  }
  op_end(OpKind::kDisconnect, std::nullopt, c, ref, e);
  return e;
}

template <class R>
OpError StateManager<R>::start(ThreadId t, ConnectionId c, Gate<R>* startup, RequestRef ref) {
  op_begin(OpKind::kStart, t, c, ref);
  OpError e = OpError::kNone;
  if (core_.is_pending(t)) {
    e = OpError::kClosing;
  } else if (core_.decisions.start_runs_in_background()) {
    core_.tasks.spawn("start", raw(t), "c" + std::to_string(raw(c)),
                      [this, t, c, startup, ref] { start_body(t, c, startup, ref); });
  } else {
    e = start_body(t, c, startup, ref);  // inline on the caller's request loop
  }
  op_end(OpKind::kStart, t, c, ref, e);
  return e;
}

template <class R>
OpError StateManager<R>::start_body(ThreadId t, ConnectionId c, Gate<R>* startup, RequestRef ref) {
  op_begin(OpKind::kStart, t, c, ref, Phase::kBackground);
  auto reply = make_reply<R>();
  const bool queued = core_.workers.submit(t, /*create=*/true, [this, t, startup, reply] {
    reply->send(Reply{start_session(t, startup), 0, {}});
  });
  OpError e = queued ? await_reply<R>(*reply, OpError::kClosing).error : OpError::kClosing;
  if (e == OpError::kNone) {
    register_thread(t);
    e = core_.guarded_attach(c, t, "late auto-attach");  // only if c is still live
  }
  op_end(OpKind::kStart, t, c, ref, e, 0, Phase::kBackground);
  return e;
}

// Runs on the thread's command worker: the session startup, which may stall.
template <class R>
OpError StateManager<R>::start_session(ThreadId t, Gate<R>* startup) {
  if (startup == nullptr || !startup->stalls()) return OpError::kNone;
  Record begin = make_record(RecordKind::kStallBegin, t);
  begin.op = OpKind::kStart;
  begin.detail = static_cast<std::uint8_t>(startup->stall().kind);
  core_.observe(std::move(begin));
  const bool opened = startup->wait();
  Record end = make_record(RecordKind::kStallEnd, t);
  end.op = OpKind::kStart;
  end.error = opened ? OpError::kNone : OpError::kAgentDead;
  core_.observe(std::move(end));
  return opened ? OpError::kNone : OpError::kAgentDead;
}

// Loads `t` (once): its registry entry, thread state, listener queue and listener task.
template <class R>
void StateManager<R>::register_thread(ThreadId t) {
  std::shared_ptr<Inbox<R>> inbox;
  typename Core<R>::StatePtr state;
  {
    Guard pending(core_.pending_mu);  // never re-register a thread that is being unloaded
    if (core_.pending_unloads.contains(t)) return;
    Guard lock(core_.manager_mu);
    if (core_.closing || core_.loaded.contains(t)) return;
    inbox = std::make_shared<Inbox<R>>("listener_queue");
    state = core_.book.entry(t, &Core<R>::make_state).state;
    core_.loaded[t] = LoadedThread<R>{inbox};
    core_.running_listeners.insert(t);
  }
  std::uint64_t generation = 0;
  {
    Guard lock(state->mu);
    generation = ++state->data.listener_generation;
    state->data.has_listener = true;
  }
  core_.workers.ensure(t);
  core_.tasks.spawn("listener", raw(t), "", [this, t, inbox, state, generation] {
    Listener<R>(core_, t, inbox, state, generation).run();
  });
}

template <class R>
OpError StateManager<R>::subscribe(ConnectionId c, ThreadId t, RequestRef ref) {
  op_begin(OpKind::kSubscribe, t, c, ref);
  OpError e = is_loaded(t) ? core_.guarded_attach(c, t, "subscribe") : OpError::kUnknownThread;
  op_end(OpKind::kSubscribe, t, c, ref, e);
  return e;
}

template <class R>
OpError StateManager<R>::unsubscribe(ConnectionId c, ThreadId t, RequestRef ref) {
  op_begin(OpKind::kUnsubscribe, t, c, ref);
  OpError e = OpError::kNone;
  {
    Guard lock(core_.manager_mu);
    if (!core_.book.is_live(c)) {
      e = OpError::kNotConnected;
    } else if (!core_.loaded.contains(t) && core_.book.find(t) == nullptr) {
      e = OpError::kUnknownThread;
    } else if (!core_.book.remove_subscriber(t, c)) {
      e = OpError::kNotSubscribed;
    } else {
      core_.subscriber_removed_locked(t, c, "unsubscribe");
      core_.wake_listener_locked(t);
    }
  }
  op_end(OpKind::kUnsubscribe, t, c, ref, e);
  return e;
}

template <class R>
OpResult StateManager<R>::emit(ThreadId t, EventKind kind, RequestRef ref) {
  op_begin(OpKind::kEmit, t, std::nullopt, ref);
  auto reply = make_reply<R>();
  const bool queued = core_.workers.submit(
      t, /*create=*/false, [this, t, kind, reply] { reply->send(emit_on_worker(t, kind)); });
  Reply r =
      queued ? await_reply<R>(*reply, OpError::kClosing) : Reply{OpError::kUnknownThread, 0, {}};
  op_end(OpKind::kEmit, t, std::nullopt, ref, r.error, r.seq);
  return OpResult{r.error, r.seq, {}};
}

// Runs on the thread's command worker: numbers the event and queues it to the listener, under
// the manager lock so that numbering order is queue order.
template <class R>
Reply StateManager<R>::emit_on_worker(ThreadId t, EventKind kind) {
  Guard lock(core_.manager_mu);
  auto it = core_.loaded.find(t);
  if (it == core_.loaded.end()) return Reply{OpError::kUnknownThread, 0, {}};
  const EventSeq seq = core_.last_seq[t] + 1;
  if (!it->second.inbox->send(ListenerMsg<R>{ListenerMsgKind::kEvent, seq, kind, {}, 0, nullptr})) {
    return Reply{OpError::kClosing, 0, {}};
  }
  core_.last_seq[t] = seq;
  Record r = make_record(RecordKind::kEmitted, t);
  r.seq = seq;
  r.event = kind;
  core_.observe(std::move(r));
  return Reply{OpError::kNone, seq, {}};
}

template <class R>
Reply StateManager<R>::listener_call(ThreadId t, ListenerMsg<R> msg,
                                     std::optional<ConnectionId> live_check) {
  auto reply = make_reply<R>();
  msg.reply = reply;
  {
    Guard lock(core_.manager_mu);
    if (live_check && !core_.book.is_live(*live_check)) return Reply{OpError::kNotConnected, 0, {}};
    auto it = core_.loaded.find(t);
    if (it == core_.loaded.end()) return Reply{OpError::kUnknownThread, 0, {}};
    msg.command = core_.next_listener_command++;
    Record r = make_record(RecordKind::kCommandQueued, t, live_check);
    r.seq = msg.command;
    r.note = "listener";
    core_.observe(std::move(r));
    if (!it->second.inbox->send(std::move(msg))) return Reply{OpError::kClosing, 0, {}};
  }
  return await_reply<R>(*reply, OpError::kClosing);
}

template <class R>
OpResult StateManager<R>::resume(ConnectionId c, ThreadId t, RequestRef ref) {
  op_begin(OpKind::kResume, t, c, ref);
  ListenerMsg<R> msg;
  msg.kind = ListenerMsgKind::kResume;
  msg.connection = c;
  Reply r = listener_call(t, std::move(msg), c);
  op_end(OpKind::kResume, t, c, ref, r.error);
  return OpResult{r.error, 0, std::move(r.seqs)};
}

template <class R>
OpResult StateManager<R>::resolve(ThreadId t, RequestRef ref) {
  op_begin(OpKind::kResolve, t, std::nullopt, ref);
  ListenerMsg<R> msg;
  msg.kind = ListenerMsgKind::kResolve;
  Reply r = listener_call(t, std::move(msg), std::nullopt);
  op_end(OpKind::kResolve, t, std::nullopt, ref, r.error, r.seq);
  return OpResult{r.error, r.seq, {}};
}

template <class R>
OpError StateManager<R>::unload(ThreadId t, RequestRef ref) {
  op_begin(OpKind::kUnload, t, std::nullopt, ref);
  auto reply = make_reply<R>();
  OpError e = OpError::kNone;
  {
    Guard pending(core_.pending_mu);
    Guard lock(core_.manager_mu);
    auto it = core_.loaded.find(t);
    if (core_.pending_unloads.contains(t)) {
      e = OpError::kClosing;
    } else if (it == core_.loaded.end()) {
      e = OpError::kUnknownThread;
    } else {
      core_.pending_unloads.insert(t);
      Record r = make_record(RecordKind::kUnloadStage, t);
      r.detail = static_cast<std::uint8_t>(UnloadStage::kMarked);
      r.note = "forced";
      core_.observe(std::move(r));
      ListenerMsg<R> msg;
      msg.kind = ListenerMsgKind::kForceUnload;
      msg.reply = reply;
      if (!it->second.inbox->send(std::move(msg))) {
        core_.pending_unloads.erase(t);
        e = OpError::kClosing;
      }
    }
  }
  if (e == OpError::kNone) e = await_reply<R>(*reply, OpError::kClosing).error;
  op_end(OpKind::kUnload, t, std::nullopt, ref, e);
  return e;
}

template <class R>
OpError StateManager<R>::get_or_create(ThreadId t, RequestRef ref) {
  op_begin(OpKind::kGetOrCreate, t, std::nullopt, ref);
  const OpError e = core_.pool.get_or_create(t);
  op_end(OpKind::kGetOrCreate, t, std::nullopt, ref, e);
  return e;
}

template <class R>
OpError StateManager<R>::prompt(ThreadId t, Gate<R>* gate, RequestRef ref) {
  op_begin(OpKind::kPrompt, t, std::nullopt, ref);
  const OpError e = core_.pool.prompt(t, gate);
  op_end(OpKind::kPrompt, t, std::nullopt, ref, e);
  return e;
}

template <class R>
void StateManager<R>::cleanup_idle(RequestRef ref) {
  op_begin(OpKind::kCleanupIdle, std::nullopt, std::nullopt, ref);
  core_.pool.cleanup_idle();
  op_end(OpKind::kCleanupIdle, std::nullopt, std::nullopt, ref, OpError::kNone);
}

template <class R>
bool StateManager<R>::is_loaded(ThreadId t) {
  Guard lock(core_.manager_mu);
  return core_.loaded.contains(t);
}

template <class R>
bool StateManager<R>::is_subscribed(ConnectionId c, ThreadId t) {
  Guard lock(core_.manager_mu);
  return core_.book.is_subscribed(t, c);
}

template <class R>
std::vector<ConnectionId> StateManager<R>::subscribers(ThreadId t) {
  Guard lock(core_.manager_mu);
  return core_.book.subscribers(t);
}

template <class R>
std::string StateManager<R>::check_invariants(bool no_phantoms) {
  Guard lock(core_.manager_mu);
  std::string why = core_.book.check_invariants();
  if (why.empty() && no_phantoms) {
    auto phantoms = core_.book.phantom_connections();
    if (!phantoms.empty()) {
      why = "phantom subscriber: c" + std::to_string(raw(phantoms.front().second)) +
            " (not live) subscribed to t" + std::to_string(raw(phantoms.front().first));
    }
  }
  return why;
}

template <class R>
void StateManager<R>::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  {
    Guard lock(core_.manager_mu);
    core_.closing = true;
    for (auto& [t, l] : core_.loaded) l.inbox->close();
  }
  core_.workers.shutdown();
  core_.tasks.join_all();
}

}  // namespace lockstep::impl
