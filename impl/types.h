// impl/types.h: identities and results shared by impl/, model/ and properties/.
// Ids are strong enums over small integers chosen by the workload (c0, c1, ...; t0, t1, ...),
// never addresses, so they print and serialize deterministically. Header-only, no state.
#pragma once

#include <compare>
#include <cstdint>
#include <string_view>

namespace lockstep::impl {

enum class ConnectionId : std::uint32_t {};
enum class ThreadId : std::uint32_t {};

// Position of an event in its thread's emission order: 1, 2, 3, ... per thread.
using EventSeq = std::uint64_t;

struct Event {
  ThreadId thread;
  EventSeq seq;
  friend bool operator==(const Event&, const Event&) = default;
};

// Why an operation was refused. kNone means it succeeded.
enum class OpError : std::uint8_t {
  kNone,
  kClosing,         // the thread is being unloaded: "thread is closing; retry"
  kUnknownThread,   // no such loaded thread
  kNotConnected,    // the connection is not live (never connected or disconnected)
  kNotSubscribed,   // unsubscribe of a connection that was not subscribed
  kAgentDead,       // the session's agent closed its channel during a prompt
  kUnknownRequest,  // resolve with no pending server request on the thread
};

constexpr std::string_view op_error_name(OpError e) {
  switch (e) {
    case OpError::kNone:
      return "ok";
    case OpError::kClosing:
      return "closing; retry";
    case OpError::kUnknownThread:
      return "unknown thread";
    case OpError::kNotConnected:
      return "not connected";
    case OpError::kNotSubscribed:
      return "not subscribed";
    case OpError::kAgentDead:
      return "agent died";
    case OpError::kUnknownRequest:
      return "unknown request";
  }
  return "?";
}

// The operations of the state manager, as a workload names them and the probe reports them.
// Names are kebab-case, identical in JSON, traces and reports.
enum class OpKind : std::uint8_t {
  kConnect,
  kDisconnect,
  kStart,
  kSubscribe,
  kUnsubscribe,
  kEmit,
  kResume,
  kResolve,
  kUnload,
  kGetOrCreate,
  kPrompt,
  kCleanupIdle,
};
inline constexpr int kOpKindCount = 12;

constexpr std::string_view op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::kConnect:
      return "connect";
    case OpKind::kDisconnect:
      return "disconnect";
    case OpKind::kStart:
      return "start";
    case OpKind::kSubscribe:
      return "subscribe";
    case OpKind::kUnsubscribe:
      return "unsubscribe";
    case OpKind::kEmit:
      return "emit";
    case OpKind::kResume:
      return "resume";
    case OpKind::kResolve:
      return "resolve";
    case OpKind::kUnload:
      return "unload";
    case OpKind::kGetOrCreate:
      return "get-or-create";
    case OpKind::kPrompt:
      return "prompt";
    case OpKind::kCleanupIdle:
      return "cleanup-idle";
  }
  return "?";
}

// What a thread emits. A turn runs from kTurnStarted to kTurnCompleted; while a turn runs the
// thread is active and is not unloaded. kServerRequest asks the client something; resolve(t)
// later announces that the oldest open request of t was resolved.
enum class EventKind : std::uint8_t { kItem, kTurnStarted, kTurnCompleted, kServerRequest };

constexpr std::string_view event_kind_name(EventKind k) {
  switch (k) {
    case EventKind::kItem:
      return "item";
    case EventKind::kTurnStarted:
      return "turn-started";
    case EventKind::kTurnCompleted:
      return "turn-completed";
    case EventKind::kServerRequest:
      return "server-request";
  }
  return "?";
}

constexpr std::uint32_t raw(ConnectionId c) { return static_cast<std::uint32_t>(c); }
constexpr std::uint32_t raw(ThreadId t) { return static_cast<std::uint32_t>(t); }

}  // namespace lockstep::impl
