// impl/thread_state.h: per-thread state under its own "thread_state" lock, and the messages of
// a thread's listener queue.
//
// Contract
// - ThreadStateData is what the seed's ThreadState holds that the design needs: the listener
//   generation, whether a listener is attached, the history of events the listener processed
//   (what resume snapshots), whether a turn is active, and the open server requests in order.
// - clear_listener() forgets the listener and the history (the seed resets its turn history).
// - ListenerMsg is one entry of the listener's ordered queue: an event, a resume or resolve
//   command (each with a reply channel that is always answered), a forced unload, or a wake-up
//   after a subscriber change (the seed's has_subscribers watch).
// Threading: ThreadState::data only under ThreadState::mu. Cost: history grows with events.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "impl/probe.h"
#include "impl/types.h"

namespace lockstep::impl {

struct ThreadStateData {
  std::uint64_t listener_generation = 0;
  bool has_listener = false;
  std::vector<EventSeq> history;       // events the listener processed, in order
  bool turn_active = false;            // between kTurnStarted and kTurnCompleted
  std::deque<EventSeq> open_requests;  // server requests not yet resolved, oldest first

  void track(EventSeq seq, EventKind kind) {
    history.push_back(seq);
    if (kind == EventKind::kTurnStarted) turn_active = true;
    if (kind == EventKind::kTurnCompleted) turn_active = false;
    if (kind == EventKind::kServerRequest) open_requests.push_back(seq);
  }
  std::optional<EventSeq> take_oldest_request() {
    if (open_requests.empty()) return std::nullopt;
    EventSeq s = open_requests.front();
    open_requests.pop_front();
    return s;
  }
  void clear_listener() {
    has_listener = false;
    history.clear();
    turn_active = false;
    open_requests.clear();
  }
};

template <class R>
struct ThreadState {
  typename R::Mutex mu{"thread_state"};
  ThreadStateData data;
};

// The answer to a command: error, an event or request sequence number, a history snapshot.
struct Reply {
  OpError error = OpError::kNone;
  EventSeq seq = 0;
  std::vector<EventSeq> seqs;
};

enum class ListenerMsgKind : std::uint8_t { kEvent, kResume, kResolve, kForceUnload, kWake };

template <class R>
struct ListenerMsg {
  ListenerMsgKind kind = ListenerMsgKind::kWake;
  EventSeq seq = 0;  // kEvent
  EventKind event = EventKind::kItem;
  ConnectionId connection{};  // kResume
  std::uint64_t command = 0;  // kResume, kResolve, kForceUnload: command id in the probe
  std::shared_ptr<typename R::template Channel<Reply>> reply;
};

template <class R>
using Inbox = typename R::template Channel<ListenerMsg<R>>;
template <class R>
using ReplyChannel = typename R::template Channel<Reply>;

template <class R>
std::shared_ptr<ReplyChannel<R>> make_reply() {
  return std::make_shared<ReplyChannel<R>>("reply");
}

// Waits for the answer on `reply`; `if_closed` if it was closed unanswered.
template <class R>
Reply await_reply(ReplyChannel<R>& reply, OpError if_closed) {
  auto r = reply.recv();
  return r ? std::move(*r) : Reply{if_closed, 0, {}};
}

}  // namespace lockstep::impl
