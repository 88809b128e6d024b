// impl/listener.h: the per-thread listener task (the seed's ensure_listener_task_running loop).
//
// Contract
// - One listener per loaded thread takes its queue in order: events (delivered to the
//   subscribers of that moment, tracked in the thread's history and turn state), resume and
//   resolve commands (always answered), forced unloads, and wake-ups after subscriber changes.
// - Idle unload: when the thread has had no subscribers and no active turn for the unload
//   delay, the listener marks it in pending_unloads (re-checking under that lock, as the seed
//   does), then runs the stages of unload_stages(). A thread marked by someone else (a forced
//   unload on its way) is left to that unload: the listener then waits without a deadline.
// - When its queue is closed (end of a run) the listener handles what is queued and stops.
// - On stop, the queue is closed and drained: every command still queued is answered
//   kClosing, so no caller waits forever.
// Threading: runs as its own task, labelled with its thread. Cost: one lock of "manager" per
// event to read the subscribers; the history grows with events.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "impl/manager_core.h"

namespace lockstep::impl {

template <class R>
class Listener {
 public:
  using StatePtr = typename Core<R>::StatePtr;

  Listener(Core<R>& core, ThreadId t, std::shared_ptr<Inbox<R>> inbox, StatePtr state,
           std::uint64_t generation)
      : core_(core),
        t_(t),
        inbox_(std::move(inbox)),
        state_(std::move(state)),
        generation_(generation) {}

  void run() {
    core_.observe(make_record(RecordKind::kListenerStarted, t_));
    const auto start = R::now();
    has_subscribers_ = {read_has_subscribers(), start};
    inactive_since_ = start;
    for (;;) {
      sync();
      std::optional<ListenerMsg<R>> msg;
      const auto target = unload_target();
      if (target && !unload_elsewhere_) {
        if (*target <= R::now()) {
          if (try_idle_unload()) return;
          continue;
        }
        auto r = inbox_->recv_until(*target);
        if (r.timed_out) continue;
        if (!r.value) break;  // closed: the run is shutting down
        msg = std::move(r.value);
      } else {
        msg = inbox_->recv();
        if (!msg) break;
      }
      if (handle(*msg)) return;
    }
    stop();
  }

 private:
  // Returns true when the thread was unloaded (the listener is done).
  bool handle(ListenerMsg<R>& msg) {
    if (msg.command != 0) command_run(msg.command);
    switch (msg.kind) {
      case ListenerMsgKind::kEvent:
        on_event(msg);
        return false;
      case ListenerMsgKind::kResume:
        on_resume(msg);
        return false;
      case ListenerMsgKind::kResolve:
        on_resolve(msg);
        return false;
      case ListenerMsgKind::kForceUnload:
        unload_stages();
        msg.reply->send(Reply{});
        return true;
      case ListenerMsgKind::kWake:
        return false;
    }
    return false;
  }

  void on_event(const ListenerMsg<R>& msg) {
    {
      Guard lock(state_->mu);
      state_->data.track(msg.seq, msg.event);
    }
    if (msg.event == EventKind::kTurnStarted) turn_active_ = true;
    if (msg.event == EventKind::kTurnCompleted) turn_active_ = false;
    if (!turn_active_) inactive_since_ = R::now();  // activity observed: restart the delay
    for (ConnectionId c : subscribers()) {
      Record r = make_record(RecordKind::kDelivered, t_, c);
      r.seq = msg.seq;
      r.event = msg.event;
      core_.observe(std::move(r));
    }
  }

  // History snapshot plus an atomic subscribe: no event is processed in between, because this
  // listener is the one that processes events.
  void on_resume(ListenerMsg<R>& msg) {
    Reply reply;
    {
      Guard lock(state_->mu);
      reply.seqs = state_->data.history;
    }
    reply.error = core_.guarded_attach(msg.connection, t_, "resume");
    if (reply.error == OpError::kNone) {
      Record r = make_record(RecordKind::kResumeSnapshot, t_, msg.connection);
      r.seqs = reply.seqs;
      core_.observe(std::move(r));
    } else {
      reply.seqs.clear();
    }
    msg.reply->send(std::move(reply));
  }

  void on_resolve(ListenerMsg<R>& msg) {
    std::optional<EventSeq> request;
    {
      Guard lock(state_->mu);
      request = state_->data.take_oldest_request();
    }
    if (!request) {
      msg.reply->send(Reply{OpError::kUnknownRequest, 0, {}});
      return;
    }
    for (ConnectionId c : subscribers()) {
      Record r = make_record(RecordKind::kResolveDelivered, t_, c);
      r.seq = *request;
      core_.observe(std::move(r));
    }
    msg.reply->send(Reply{OpError::kNone, *request, {}});
  }

  bool try_idle_unload() {
    {
      Guard pending(core_.pending_mu);
      if (core_.pending_unloads.contains(t_)) {
        unload_elsewhere_ = true;  // a forced unload marked it; its command is on the way
        return false;
      }
      sync();  // re-check under the lock: an attach holds it across its insert
      const auto target = unload_target();
      if (!target || *target > R::now()) return false;
      core_.pending_unloads.insert(t_);
    }
    Record r = make_record(RecordKind::kUnloadStage, t_);
    r.detail = static_cast<std::uint8_t>(UnloadStage::kMarked);
    r.note = "idle";
    core_.observe(std::move(r));
    unload_stages();
    return true;
  }

  // The seed's unload_thread_without_subscribers, after the thread was marked pending.
  void unload_stages() {
    std::optional<std::pair<StatePtr, std::vector<ConnectionId>>> removed;
    {
      Guard lock(core_.manager_mu);
      removed = core_.book.remove_thread(t_);
      if (removed) {
        for (ConnectionId c : removed->second) core_.subscriber_removed_locked(t_, c, "unload");
      }
    }
    if (removed && removed->first) {
      Guard lock(removed->first->mu);
      removed->first->data.clear_listener();
    }
    stage(UnloadStage::kStateRemoved);
    R::yield();  // the agent shuts down (the seed waits for it)
    stage(UnloadStage::kShutDown);
    {
      Guard lock(core_.manager_mu);
      core_.loaded.erase(t_);
    }
    stage(UnloadStage::kThreadRemoved);
    if (core_.decisions.tears_down_workers_on_unload()) {
      core_.workers.tear_down(t_);
      stage(UnloadStage::kWorkerTornDown);
    }
    stage(UnloadStage::kClosedAnnounced);
    stop();
    {
      Guard pending(core_.pending_mu);
      core_.pending_unloads.erase(t_);
    }
    stage(UnloadStage::kUnmarked);
  }

  // Closes and drains the queue (answering every command), then deregisters the listener.
  void stop() {
    inbox_->close();
    while (auto msg = inbox_->recv()) {
      if (msg->reply) msg->reply->send(Reply{OpError::kClosing, 0, {}});
    }
    {
      Guard lock(core_.manager_mu);
      core_.running_listeners.erase(t_);
    }
    {
      Guard lock(state_->mu);
      if (state_->data.listener_generation == generation_) state_->data.clear_listener();
    }
    core_.observe(make_record(RecordKind::kListenerStopped, t_));
  }

  void stage(UnloadStage s) {
    Record r = make_record(RecordKind::kUnloadStage, t_);
    r.detail = static_cast<std::uint8_t>(s);
    core_.observe(std::move(r));
  }

  void command_run(std::uint64_t id) {
    Record r = make_record(RecordKind::kCommandRun, t_);
    r.seq = id;
    r.note = "listener";
    core_.observe(std::move(r));
  }

  std::vector<ConnectionId> subscribers() {
    Guard lock(core_.manager_mu);
    return core_.book.subscribers(t_);
  }

  bool read_has_subscribers() {
    Guard lock(core_.manager_mu);
    return core_.book.has_subscribers(t_);
  }

  // The seed's sync_receiver_values: note when "has subscribers" last changed.
  void sync() {
    const bool has = read_has_subscribers();
    if (has != has_subscribers_.first) has_subscribers_ = {has, R::now()};
  }

  std::optional<typename R::TimePoint> unload_target() const {
    if (has_subscribers_.first || turn_active_) return std::nullopt;
    return std::max(has_subscribers_.second, inactive_since_) + core_.config.unload_delay;
  }

  Core<R>& core_;
  ThreadId t_;
  std::shared_ptr<Inbox<R>> inbox_;
  StatePtr state_;
  std::uint64_t generation_;
  std::pair<bool, typename R::TimePoint> has_subscribers_{};
  typename R::TimePoint inactive_since_{};
  bool turn_active_ = false;
  bool unload_elsewhere_ = false;
};

}  // namespace lockstep::impl
