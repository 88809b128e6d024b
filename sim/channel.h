// sim/channel.h: simulated unbounded FIFO channel, and a one-shot built on it.
//
// Contract
// - send(v): a scheduling point; false (and v dropped) once the channel is closed.
// - recv(): blocks until a value is queued or the channel is closed; nullopt once closed and
//   drained. Values come out in send order.
// - recv_until(deadline): as recv, but gives up at the virtual `deadline`: the result has
//   `value` set, or `timed_out` set, or neither (closed and drained). A value that is queued
//   when the deadline is due wins only if the strategy picks the receiver first; both are
//   legitimate orders.
// - Happens-before for the race detector (sim/race.h): a send is ordered before the receive
//   that takes its value, a close before a receive that finds the channel closed and drained.
// - close(): a scheduling point; later sends fail, receivers drain what is queued.
// - Any number of senders and receivers; a waiting receiver is woken by a send or a close.
// Errors: use outside an execution throws std::logic_error. Cost: one scheduling point per
// operation; std::deque storage.
#pragma once

#include <deque>
#include <optional>
#include <source_location>
#include <string_view>
#include <utility>

#include "sim/clock.h"
#include "sim/sync.h"

namespace lockstep::sim {

template <class T>
struct RecvUntilResult {
  std::optional<T> value;
  bool timed_out = false;
};

// The part of a channel the scheduler inspects; independent of T.
class ChannelCore : public SimObject {
 public:
  explicit ChannelCore(std::string_view name) : SimObject(ObjectKind::kChannel, name) {}
  bool closed() const { return closed_; }
  std::size_t size() const { return size_; }

 protected:
  // From the channel's state itself; the scan reads ready_, which debug builds check
  // against these.
  static bool recv_enabled(const void* self, const TaskRecord&, std::int64_t) {
    const auto* c = static_cast<const ChannelCore*>(self);
    return c->size_ > 0 || c->closed_;
  }
  static bool recv_until_enabled(const void* self, const TaskRecord& t, std::int64_t now) {
    const auto* c = static_cast<const ChannelCore*>(self);
    return c->size_ > 0 || c->closed_ || now >= t.deadline;
  }
  void update_ready() { ready_ = size_ > 0 || closed_ ? 1u : 0u; }
  static constexpr OpTraits kRecvTraits{&ChannelCore::recv_enabled, nullptr};
  static constexpr OpTraits kRecvUntilTraits{&ChannelCore::recv_until_enabled, nullptr};
  ~ChannelCore() = default;
  std::size_t size_ = 0;
  bool closed_ = false;
  std::uint32_t ready_ = 0;  // a receive can go on: a value is queued or the channel is closed
};

template <class T>
class Channel final : public ChannelCore {
 public:
  explicit Channel(std::string_view name = "channel") : ChannelCore(name) {}

  bool send(T value, std::source_location site = std::source_location::current()) {
    Execution& ex = Execution::require_current();
    if (!ex.point(OpKind::kSend, this, bind(ex), nullptr, site)) return false;
    LOCKSTEP_EFFECT(ex, bind(ex), OpKind::kSend);
    if (closed_) {
      ex.note_no_value();
      return false;
    }
    queue_.push_back(std::move(value));
    ++size_;
    ready_ = 1;
    ex.hb_send(bind(ex));
    return true;
  }

  std::optional<T> recv(std::source_location site = std::source_location::current()) {
    Execution& ex = Execution::require_current();
    if (!ex.point(OpKind::kRecv, this, bind(ex), &kRecvTraits, site, kNever, &ready_)) {
      return std::nullopt;
    }
    LOCKSTEP_EFFECT(ex, bind(ex), OpKind::kRecv);
    if (size_ == 0) ex.note_no_value();
    ex.hb_receive(bind(ex), size_ == 0);
    return take();
  }

  RecvUntilResult<T> recv_until(TimePoint deadline,
                                std::source_location site = std::source_location::current()) {
    Execution& ex = Execution::require_current();
    const std::int64_t d = deadline.time_since_epoch().count();
    RecvUntilResult<T> r;
    if (!ex.point(OpKind::kRecvUntil, this, bind(ex), &kRecvUntilTraits, site, d, &ready_)) {
      return r;
    }
    LOCKSTEP_EFFECT(ex, bind(ex), OpKind::kRecvUntil);
    if (size_ > 0 || closed_) {
      if (size_ == 0) ex.note_no_value();
      ex.hb_receive(bind(ex), size_ == 0);
      r.value = take();
    } else {
      r.timed_out = true;
      ex.note_timed_out();
    }
    return r;
  }

  void close(std::source_location site = std::source_location::current()) {
    Execution& ex = Execution::require_current();
    if (!ex.point(OpKind::kClose, this, bind(ex), nullptr, site)) return;
    LOCKSTEP_EFFECT(ex, bind(ex), OpKind::kClose);
    closed_ = true;
    ready_ = 1;
    ex.hb_close(bind(ex));
  }

 private:
  void reset_state() override {
    queue_.clear();
    size_ = 0;
    closed_ = false;
    ready_ = 0;
  }
  std::optional<T> take() {
    if (size_ == 0) return std::nullopt;
    std::optional<T> v(std::move(queue_.front()));
    queue_.pop_front();
    --size_;
    update_ready();
    return v;
  }
  std::deque<T> queue_;
};

}  // namespace lockstep::sim
