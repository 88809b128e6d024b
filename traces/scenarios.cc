#include "traces/scenarios.h"

#include <array>
#include <chrono>

namespace lockstep::traces {

namespace {

using impl::ConnectionId;
using impl::make_op;
using impl::OpKind;
using impl::Stall;
using impl::StallKind;
using impl::ThreadId;
using impl::Workload;

constexpr ConnectionId c(std::uint32_t n) { return ConnectionId{n}; }
constexpr ThreadId t(std::uint32_t n) { return ThreadId{n}; }
const Stall kHang{StallKind::kHangForever, std::chrono::milliseconds(0)};

// codex #13033: the late auto-attach of a start races the connection's disconnect.
Workload phantom_attach() {
  Workload w;
  w.clients.push_back({c(0), {make_op(OpKind::kConnect), make_op(OpKind::kStart, t(0)),
                              make_op(OpKind::kDisconnect)}});
  w.clients.push_back({c(1), {make_op(OpKind::kConnect), make_op(OpKind::kSubscribe, t(0)),
                              make_op(OpKind::kEmit, t(0))}});
  return w;
}

// codex #13033: a hung start on t0; the same connection's next request is for t1.
Workload hung_start() {
  Workload w;
  w.clients.push_back({c(0), {make_op(OpKind::kConnect), make_op(OpKind::kStart, t(0), kHang),
                              make_op(OpKind::kStart, t(1)), make_op(OpKind::kEmit, t(1))}});
  return w;
}

// t3code #1945: a hung session start on t0; t1's turn on another connection.
Workload worker_head_of_line() {
  Workload w;
  w.clients.push_back({c(0), {make_op(OpKind::kConnect), make_op(OpKind::kStart, t(0), kHang)}});
  w.clients.push_back({c(1), {make_op(OpKind::kConnect), make_op(OpKind::kStart, t(1)),
                              make_op(OpKind::kEmit, t(1))}});
  return w;
}

// t3code #1945 review: a thread is started, then unloaded; its worker must go with it.
Workload worker_teardown() {
  Workload w;
  w.clients.push_back({c(0), {make_op(OpKind::kConnect), make_op(OpKind::kStart, t(0)),
                              make_op(OpKind::kEmit, t(0)), make_op(OpKind::kUnload, t(0))}});
  return w;
}

// openab #59: an endless prompt on t0 while another client needs a session for t1.
Workload long_prompt() {
  Workload w;
  w.clients.push_back({c(0), {make_op(OpKind::kGetOrCreate, t(0)),
                              make_op(OpKind::kPrompt, t(0), kHang)}});
  w.clients.push_back({c(1), {make_op(OpKind::kGetOrCreate, t(1))}});
  return w;
}

// openab #59 review P1: cleanup runs while a prompt holds its connection.
Workload cleanup_during_prompt() {
  Workload w;
  w.clients.push_back({c(0), {make_op(OpKind::kGetOrCreate, t(0)),
                              make_op(OpKind::kPrompt, t(0), kHang)}});
  w.clients.push_back({c(1), {make_op(OpKind::kCleanupIdle), make_op(OpKind::kGetOrCreate, t(1))}});
  return w;
}

// openab #59 review P2: a second request for the busy t0 session, then a new session for t1.
Workload busy_session_lookup() {
  Workload w;
  w.clients.push_back({c(0), {make_op(OpKind::kGetOrCreate, t(0)),
                              make_op(OpKind::kPrompt, t(0), kHang)}});
  w.clients.push_back({c(1), {make_op(OpKind::kGetOrCreate, t(0))}});
  w.clients.push_back({c(2), {make_op(OpKind::kGetOrCreate, t(1))}});
  return w;
}

// codex listener/unload: a subscribe races the thread's unload.
Workload attach_during_unload() {
  Workload w;
  w.clients.push_back({c(0), {make_op(OpKind::kConnect), make_op(OpKind::kStart, t(0)),
                              make_op(OpKind::kUnsubscribe, t(0)), make_op(OpKind::kUnload, t(0))}});
  w.clients.push_back({c(1), {make_op(OpKind::kConnect), make_op(OpKind::kSubscribe, t(0)),
                              make_op(OpKind::kResume, t(0))}});
  return w;
}

constexpr std::array kScenarios{
    Scenario{"phantom-attach", "late auto-attach of a start races a disconnect", &phantom_attach},
    Scenario{"hung-start", "a hung start, then a request for another thread on the same loop",
             &hung_start},
    Scenario{"worker-head-of-line", "a hung session start on t0, a turn on t1",
             &worker_head_of_line},
    Scenario{"worker-teardown", "start, emit, unload: the worker must go", &worker_teardown},
    Scenario{"long-prompt", "an endless prompt on t0, a new session for t1", &long_prompt},
    Scenario{"cleanup-during-prompt", "idle cleanup while a prompt holds its connection",
             &cleanup_during_prompt},
    Scenario{"busy-session-lookup", "lookup of a busy session, then a new one for t1",
             &busy_session_lookup},
    Scenario{"attach-during-unload", "subscribe and resume race an unload",
             &attach_during_unload},
};

}  // namespace

std::span<const Scenario> scenarios() { return kScenarios; }

std::optional<impl::Workload> scenario(std::string_view name) {
  for (const Scenario& s : kScenarios) {
    if (s.name == name) return s.make();
  }
  return std::nullopt;
}

std::string_view scenario_for(impl::DesignVariant v) {
  switch (v) {
    case impl::DesignVariant::kCurrent: return "phantom-attach";
    case impl::DesignVariant::kSplitLockDomains: return "phantom-attach";
    case impl::DesignVariant::kBlockingStart: return "hung-start";
    case impl::DesignVariant::kSingleWorker: return "worker-head-of-line";
    case impl::DesignVariant::kLeakyWorkers: return "worker-teardown";
    case impl::DesignVariant::kGlobalPoolLock: return "long-prompt";
    case impl::DesignVariant::kCleanupUnderWriteLock: return "cleanup-during-prompt";
    case impl::DesignVariant::kReadLockAcrossAwait: return "busy-session-lookup";
    case impl::DesignVariant::kNoUnloadGuard: return "attach-during-unload";
  }
  return "phantom-attach";
}

}  // namespace lockstep::traces

namespace lockstep::traces {

std::vector<properties::Property> expected_properties(impl::DesignVariant v) {
  using P = properties::Property;
  switch (v) {
    case impl::DesignVariant::kCurrent: return {};
    case impl::DesignVariant::kSplitLockDomains:
      return {P::kNoPhantomSubscribers, P::kLinearizable};
    case impl::DesignVariant::kBlockingStart: return {P::kNoCrossThreadBlocking};
    case impl::DesignVariant::kSingleWorker: return {P::kNoCrossThreadBlocking};
    case impl::DesignVariant::kLeakyWorkers: return {P::kNoPhantomSubscribers};
    case impl::DesignVariant::kGlobalPoolLock: return {P::kNoCrossThreadBlocking};
    case impl::DesignVariant::kCleanupUnderWriteLock:
      return {P::kNoCrossThreadBlocking, P::kNoDeadlock};
    case impl::DesignVariant::kReadLockAcrossAwait: return {P::kNoCrossThreadBlocking};
    case impl::DesignVariant::kNoUnloadGuard: return {P::kNoPhantomSubscribers, P::kLiveness};
  }
  return {};
}

}  // namespace lockstep::traces
