// model/reference_model.cc: the transition function and printing of the reference model.
#include "model/reference_model.h"

#include <fmt/format.h>

#include <initializer_list>
#include <optional>
#include <stdexcept>

#include "model/mix.h"

namespace lockstep::model {
namespace {

std::uint32_t checked(ConnectionId c) {
  if (impl::raw(c) >= kMaxConnections) {
    throw std::out_of_range(fmt::format("connection c{} is out of the model's range (< {})",
                                        impl::raw(c), kMaxConnections));
  }
  return impl::raw(c);
}

std::uint32_t checked(ThreadId t) {
  if (impl::raw(t) >= kMaxThreads) {
    throw std::out_of_range(
        fmt::format("thread t{} is out of the model's range (< {})", impl::raw(t), kMaxThreads));
  }
  return impl::raw(t);
}

constexpr std::uint16_t bit(std::uint32_t i) { return static_cast<std::uint16_t>(1u << i); }

// "{c0, c2}" / "{t1}" for a mask, with the given prefix letter.
std::string mask_string(std::uint16_t mask, char letter) {
  std::string out = "{";
  for (std::uint32_t i = 0; i < 16; ++i) {
    if ((mask & bit(i)) == 0) continue;
    if (out.size() > 1) out += ", ";
    out += fmt::format("{}{}", letter, i);
  }
  return out + "}";
}

}  // namespace

std::string_view op_kind_name(OpKind kind) {
  static constexpr std::array<std::string_view, kOpKindCount> kNames = {
      "connect",      "disconnect",        "subscribe",     "auto_attach",
      "resume",       "unsubscribe",       "subscribers",   "thread_loaded",
      "begin_unload", "drop_thread_state", "finish_unload", "end_unload"};
  const auto i = static_cast<std::size_t>(kind);
  return i < kNames.size() ? kNames[i] : "?";
}

bool takes_connection(OpKind kind) {
  return kind == OpKind::kConnect || kind == OpKind::kDisconnect || kind == OpKind::kSubscribe ||
         kind == OpKind::kAutoAttach || kind == OpKind::kResume || kind == OpKind::kUnsubscribe;
}

bool takes_thread(OpKind kind) { return kind != OpKind::kConnect && kind != OpKind::kDisconnect; }

std::string to_string(const Op& op) {
  const bool c = takes_connection(op.kind);
  const bool t = takes_thread(op.kind);
  if (c && t) {
    return fmt::format("{}(c{}, t{})", op_kind_name(op.kind), impl::raw(op.connection),
                       impl::raw(op.thread));
  }
  if (c) return fmt::format("{}(c{})", op_kind_name(op.kind), impl::raw(op.connection));
  return fmt::format("{}(t{})", op_kind_name(op.kind), impl::raw(op.thread));
}

Result Result::subscriber_list(std::span<const ConnectionId> connections) {
  Result r;
  for (ConnectionId c : connections) r.subscribers |= bit(checked(c));
  return r;
}

std::vector<ConnectionId> Result::sorted_subscribers() const {
  std::vector<ConnectionId> out;
  for (std::uint32_t i = 0; i < kMaxConnections; ++i) {
    if (subscribers & bit(i)) out.push_back(ConnectionId{i});
  }
  return out;
}

std::string to_string(OpKind kind, const Result& result) {
  if (result.error != OpError::kNone) return std::string(impl::op_error_name(result.error));
  if (kind == OpKind::kSubscribers) {
    std::string list = mask_string(result.subscribers, 'c');
    return "[" + list.substr(1, list.size() - 2) + "]";
  }
  return kind == OpKind::kAutoAttach ? "attached" : "ok";
}

bool State::live(ConnectionId c) const { return (live_ & bit(checked(c))) != 0; }
bool State::loaded(ThreadId t) const { return (loaded_ & bit(checked(t))) != 0; }
bool State::closing(ThreadId t) const { return (closing_ & bit(checked(t))) != 0; }
ConnectionMask State::subscriber_mask(ThreadId t) const { return subscribers_[checked(t)]; }

std::vector<ConnectionId> State::subscribers(ThreadId t) const {
  return Result{OpError::kNone, subscriber_mask(t)}.sorted_subscribers();
}

ThreadMask State::thread_mask(ConnectionId c) const {
  const ConnectionMask mine = bit(checked(c));
  ThreadMask out = 0;
  for (std::uint32_t t = 0; t < kMaxThreads; ++t) {
    if (subscribers_[t] & mine) out |= bit(t);
  }
  return out;
}

std::vector<ThreadId> State::threads_of(ConnectionId c) const {
  const ThreadMask mask = thread_mask(c);
  std::vector<ThreadId> out;
  for (std::uint32_t t = 0; t < kMaxThreads; ++t) {
    if (mask & bit(t)) out.push_back(ThreadId{t});
  }
  return out;
}

std::array<std::uint64_t, State::kPackedWords> State::packed() const {
  std::array<std::uint64_t, kPackedWords> out{};
  out[0] = std::uint64_t{live_} | (std::uint64_t{loaded_} << 16) | (std::uint64_t{closing_} << 32);
  for (std::size_t t = 0; t < kMaxThreads; ++t) {
    out[1 + t / 4] |= std::uint64_t{subscribers_[t]} << (16 * (t % 4));
  }
  return out;
}

std::uint64_t State::hash() const {
  std::uint64_t h = 0;
  for (std::uint64_t word : packed()) h = mix64(h ^ word);
  return h;
}

void State::check_invariants() const {
  for (std::uint32_t t = 0; t < kMaxThreads; ++t) {
    if ((subscribers_[t] & ~live_) != 0) {
      throw std::logic_error(fmt::format("model state: t{} has subscribers {} that are not live", t,
                                         mask_string(subscribers_[t] & ~live_, 'c')));
    }
    if (subscribers_[t] != 0 && (loaded_ & bit(t)) == 0) {
      throw std::logic_error(fmt::format("model state: t{} is not loaded but has subscribers {}", t,
                                         mask_string(subscribers_[t], 'c')));
    }
  }
}

std::string State::to_string() const {
  std::string subs;
  for (std::uint32_t t = 0; t < kMaxThreads; ++t) {
    if ((loaded_ & bit(t)) == 0 && subscribers_[t] == 0) continue;
    if (!subs.empty()) subs += ", ";
    subs += fmt::format("t{}: {}", t, mask_string(subscribers_[t], 'c'));
  }
  return fmt::format("live {} loaded {} closing {} subs {{{}}}", mask_string(live_, 'c'),
                     mask_string(loaded_, 't'), mask_string(closing_, 't'), subs);
}

bool in_range(const Op& op) {
  return impl::raw(op.connection) < kMaxConnections && impl::raw(op.thread) < kMaxThreads;
}

// The only code that changes a State. Each check is one refusal, tried in the order the
// operation's semantics list (reference_model.h).
struct Transition {
  enum class Check { kLive, kLoaded, kNotClosing };

  static std::optional<OpError> refused(const State& s, std::uint32_t c, std::uint32_t t,
                                        std::initializer_list<Check> checks) {
    for (Check check : checks) {
      switch (check) {
        case Check::kLive:
          if ((s.live_ & bit(c)) == 0) return OpError::kNotConnected;
          break;
        case Check::kLoaded:
          if ((s.loaded_ & bit(t)) == 0) return OpError::kUnknownThread;
          break;
        case Check::kNotClosing:
          if ((s.closing_ & bit(t)) != 0) return OpError::kClosing;
          break;
      }
    }
    return std::nullopt;
  }

  static Result attach(State& s, std::uint32_t c, std::uint32_t t,
                       std::initializer_list<Check> checks) {
    if (auto e = refused(s, c, t, checks)) return Result::refused(*e);
    s.subscribers_[t] |= bit(c);
    return Result::ok();
  }

  static Result run(State& s, const Op& op) {
    using enum Check;
    const std::uint32_t c = checked(op.connection);
    const std::uint32_t t = checked(op.thread);
    const auto clear = [](std::uint16_t& mask, std::uint32_t i) {
      mask &= static_cast<std::uint16_t>(~bit(i));
    };
    switch (op.kind) {
      case OpKind::kConnect:
        s.live_ |= bit(c);
        return Result::ok();
      case OpKind::kDisconnect:
        if (auto e = refused(s, c, t, {kLive})) return Result::refused(*e);
        clear(s.live_, c);
        for (ConnectionMask& subs : s.subscribers_) clear(subs, c);
        return Result::ok();
      case OpKind::kSubscribe:
        return attach(s, c, t, {kLoaded, kNotClosing, kLive});
      case OpKind::kAutoAttach:
        return attach(s, c, t, {kNotClosing, kLive, kLoaded});
      case OpKind::kResume:
        return attach(s, c, t, {kLive, kLoaded, kNotClosing});
      case OpKind::kUnsubscribe:
        if (auto e = refused(s, c, t, {kLive, kLoaded})) return Result::refused(*e);
        if ((s.subscribers_[t] & bit(c)) == 0) return Result::refused(OpError::kNotSubscribed);
        clear(s.subscribers_[t], c);
        return Result::ok();
      case OpKind::kSubscribers:
        return Result{OpError::kNone, s.subscribers_[t]};
      case OpKind::kThreadLoaded:
        if (auto e = refused(s, c, t, {kNotClosing})) return Result::refused(*e);
        s.loaded_ |= bit(t);
        return Result::ok();
      case OpKind::kBeginUnload:
        if (auto e = refused(s, c, t, {kNotClosing, kLoaded})) return Result::refused(*e);
        s.closing_ |= bit(t);
        return Result::ok();
      case OpKind::kDropThreadState:
        s.subscribers_[t] = 0;
        return Result::ok();
      case OpKind::kFinishUnload:
        clear(s.loaded_, t);
        s.subscribers_[t] = 0;
        return Result::ok();
      case OpKind::kEndUnload:
        clear(s.closing_, t);
        return Result::ok();
    }
    throw std::out_of_range("unknown operation kind");
  }
};

Step apply(const State& state, const Op& op) {
  Step step{state, {}};
  step.result = Transition::run(step.state, op);
  return step;
}

}  // namespace lockstep::model
