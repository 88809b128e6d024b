// model/reference_model.h: the sequential reference model of the state manager's bookkeeping.
//
// Contract
// - What: a pure function `apply(state, op) -> {state, result}` over a small value type
//   `State` (live connections, loaded threads and which of them are closing, per-thread
//   subscriber sets; the connection -> threads index is derived from the subscriber sets).
//   It is the specification that property 5 (linearizability) checks each execution against.
// - Identity: ids are impl::ConnectionId / impl::ThreadId with raw values below
//   kMaxConnections / kMaxThreads (16 each); a State is a plain value, compared and hashed
//   by content (it is a memo key of the linearizability search).
// - Failure: apply() and the State accessors throw std::out_of_range for an id out of range;
//   a refused operation is not a failure, it is a Result with an OpError.
//   check_invariants() throws std::logic_error naming the broken invariant.
// - Threading: values only, no shared state; safe to use from any number of OS threads.
// - Cost: State is 38 bytes; apply() is O(1) except disconnect and the index look-ups, which
//   are O(kMaxThreads) bit operations.
//
// Semantics: the seed's ThreadStateManager (one lock domain), with the checks and their order
// as the current design makes them (impl/state_manager_inl.h), so that when several errors
// apply the model returns the one the implementation reports. c: connection, t: thread.
//   connect(c)            live += c. Always ok (connecting a live connection changes nothing).
//   disconnect(c)         kNotConnected if c is not live; else live -= c and c leaves every
//                         subscriber set (remove_connection).
//   subscribe(c, t)       explicit attach: kUnknownThread if t is not loaded, kClosing if t is
//                         pending unload, kNotConnected if c is not live; else subs(t) += c
//                         (ok also when already subscribed).
//   auto_attach(c, t)     the late attach at the end of start (try_ensure_connection_subscribed
//                         behind the pending-unload guard): kClosing, then kNotConnected, then
//                         kUnknownThread; else subs(t) += c. Result::attached() says whether it
//                         attached.
//   resume(c, t)          history snapshot plus atomic subscribe, as bookkeeping: kNotConnected,
//                         then kUnknownThread, then kClosing; else subs(t) += c.
//   unsubscribe(c, t)     kNotConnected, then kUnknownThread, then kNotSubscribed unless c is in
//                         subs(t); else subs(t) -= c.
//   subscribers(t)        query: ok with the sorted subscriber set (empty for an unknown thread,
//                         as the seed's unwrap_or_default).
//   thread_loaded(t)      start registers t: kClosing (and no change) while t is pending unload;
//                         else loaded += t (ok also when already loaded).
//   The unload, one op per stage that changes bookkeeping (impl's UnloadStage):
//   begin_unload(t)       marked pending: kClosing if already pending, kUnknownThread if not
//                         loaded; else closing += t. From here subscribe/resume get kClosing.
//   drop_thread_state(t)  state removed: subs(t) = {}. Always ok.
//   finish_unload(t)      thread removed: loaded -= t (and subs(t) = {}). Always ok.
//   end_unload(t)         unmarked: closing -= t. Always ok.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "impl/types.h"

namespace lockstep::model {

using impl::ConnectionId;
using impl::OpError;
using impl::ThreadId;

inline constexpr std::uint32_t kMaxConnections = 16;
inline constexpr std::uint32_t kMaxThreads = 16;

// A set of connections, one bit per raw id (bit i = connection ci).
using ConnectionMask = std::uint16_t;
// A set of threads, one bit per raw id.
using ThreadMask = std::uint16_t;

enum class OpKind : std::uint8_t {
  kConnect,
  kDisconnect,
  kSubscribe,
  kAutoAttach,
  kResume,
  kUnsubscribe,
  kSubscribers,
  kThreadLoaded,
  kBeginUnload,
  kDropThreadState,
  kFinishUnload,
  kEndUnload,
};
inline constexpr std::size_t kOpKindCount = 12;

// snake_case name of the kind, as printed in reports ("auto_attach").
std::string_view op_kind_name(OpKind kind);
bool takes_connection(OpKind kind);
bool takes_thread(OpKind kind);

// One bookkeeping operation. Fields a kind does not take are zero (the factories ensure it).
struct Op {
  OpKind kind = OpKind::kConnect;
  ConnectionId connection{};
  ThreadId thread{};

  static Op connect(ConnectionId c) { return {OpKind::kConnect, c, {}}; }
  static Op disconnect(ConnectionId c) { return {OpKind::kDisconnect, c, {}}; }
  static Op subscribe(ConnectionId c, ThreadId t) { return {OpKind::kSubscribe, c, t}; }
  static Op auto_attach(ConnectionId c, ThreadId t) { return {OpKind::kAutoAttach, c, t}; }
  static Op resume(ConnectionId c, ThreadId t) { return {OpKind::kResume, c, t}; }
  static Op unsubscribe(ConnectionId c, ThreadId t) { return {OpKind::kUnsubscribe, c, t}; }
  static Op subscribers(ThreadId t) { return {OpKind::kSubscribers, {}, t}; }
  static Op thread_loaded(ThreadId t) { return {OpKind::kThreadLoaded, {}, t}; }
  static Op begin_unload(ThreadId t) { return {OpKind::kBeginUnload, {}, t}; }
  static Op drop_thread_state(ThreadId t) { return {OpKind::kDropThreadState, {}, t}; }
  static Op finish_unload(ThreadId t) { return {OpKind::kFinishUnload, {}, t}; }
  static Op end_unload(ThreadId t) { return {OpKind::kEndUnload, {}, t}; }

  friend bool operator==(const Op&, const Op&) = default;
};

// "subscribe(c0, t1)", "subscribers(t1)".
std::string to_string(const Op& op);

// What an operation returned. `subscribers` is meaningful for kSubscribers only and zero for
// every other kind (so results compare with ==).
struct Result {
  OpError error = OpError::kNone;
  ConnectionMask subscribers = 0;

  static Result ok() { return {}; }
  static Result refused(OpError e) { return {e, 0}; }
  // An observed subscriber list, in any order; throws std::out_of_range for an id >= 16.
  static Result subscriber_list(std::span<const ConnectionId> connections);

  bool attached() const { return error == OpError::kNone; }
  // The subscriber set as a sorted list.
  std::vector<ConnectionId> sorted_subscribers() const;

  friend bool operator==(const Result&, const Result&) = default;
};

// "ok", "not connected", "[c0, c2]" (queries print their list).
std::string to_string(OpKind kind, const Result& result);

class State {
 public:
  State() = default;  // nothing live, nothing loaded

  bool live(ConnectionId c) const;
  bool loaded(ThreadId t) const;
  bool closing(ThreadId t) const;
  ConnectionMask live_mask() const { return live_; }
  ThreadMask loaded_mask() const { return loaded_; }
  ThreadMask closing_mask() const { return closing_; }
  ConnectionMask subscriber_mask(ThreadId t) const;
  std::vector<ConnectionId> subscribers(ThreadId t) const;
  // The connection -> threads index: the threads whose subscriber set holds c.
  ThreadMask thread_mask(ConnectionId c) const;
  std::vector<ThreadId> threads_of(ConnectionId c) const;

  // The whole state in kPackedWords words: equal states pack equal, so the packed words are
  // an exact memo key. Word 0: live | loaded << 16 | closing << 32; words 1..4: subscriber
  // sets, four threads a word.
  static constexpr std::size_t kPackedWords = 5;
  std::array<std::uint64_t, kPackedWords> packed() const;
  std::uint64_t hash() const;
  // Throws std::logic_error naming the first broken invariant.
  void check_invariants() const;
  // "live {c0} loaded {t0, t1} closing {t1} subs {t0: {c0}}"; empty sets of unloaded threads
  // are left out.
  std::string to_string() const;

  friend bool operator==(const State&, const State&) = default;

 private:
  friend struct Transition;

  ConnectionMask live_ = 0;  // connected and not disconnected since
  ThreadMask loaded_ = 0;    // loaded by start and not unloaded since
  ThreadMask closing_ = 0;   // invariant: closing_ is a subset of loaded_
  std::array<ConnectionMask, kMaxThreads> subscribers_{};  // invariant: subscribers_[t] is a
                                                           // subset of live_, and empty unless
                                                           // t is loaded
};

struct StateHash {
  std::size_t operator()(const State& s) const { return static_cast<std::size_t>(s.hash()); }
};

struct Step {
  State state;
  Result result;
};

// The model's transition: pure and deterministic. Throws std::out_of_range for ids >= 16.
Step apply(const State& state, const Op& op);

// True if `op` names only ids the model can hold.
bool in_range(const Op& op);

}  // namespace lockstep::model
