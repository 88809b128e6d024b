// impl/run_workload.h: runs a Workload against a StateManager<R> on either runtime.
//
// Contract
// - run_workload<R>() is called from a task (under the simulator, the execution's first task;
//   on OS threads, any OS thread). It makes one stall gate per stalled op, one request-loop task
//   per client script (label: none; each request's records name the thread it works for, so
//   "request 3 of c1, for t2, never returned" can be read from the log), the timers of hang-for
//   gates, and the cleanup ticks. It joins the clients, lets the background run for
//   `settle`, stores the final StateSnapshot in the probe, releases every gate still closed
//   (so hung background work ends), stops the timers and shuts the manager down.
// - A request with "at-ms" waits on its loop until that long after the run began (virtual
//   time under the simulator), then runs; a loop already past that time runs it at once.
// - A client stalled forever (the bug of some designs) keeps the run from returning. Under the
//   simulator that is the end of the execution: the explorer sees only stalled tasks and calls
//   Probe::capture_snapshot(). On OS threads, a test releases the gates with StallRelease (or
//   sets release_stalls_after), so no OS thread is left hanging.
// - On OS threads the final snapshot is taken right after `settle`: background work still
//   running then (a start that has not attached yet) may change the state after it. Under the
//   simulator, time advances only when nothing can run, so a positive settle lets all
//   unstalled background work finish first.
// - Throws WorkloadError for an invalid workload (before anything runs).
// Threading: the Probe may be read after the call returns. Cost: one task per client, per
// hang-for gate, plus the manager's.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "impl/gate.h"
#include "impl/state_manager.h"
#include "impl/workload.h"

namespace lockstep::impl {

// Lets a test on OS threads release the stall gates of a run from outside it.
class StallRelease {
 public:
  // Releases every gate of the run now, or when the run has made them.
  void fire() {
    std::lock_guard lock(mu_);
    fired_ = true;
    if (release_) release_();
  }
  bool fired() const {
    std::lock_guard lock(mu_);
    return fired_;
  }
  // For run_workload only.
  void arm(std::function<void()> release) {
    std::lock_guard lock(mu_);
    release_ = std::move(release);
    if (fired_) release_();
  }
  void disarm() {
    std::lock_guard lock(mu_);
    release_ = nullptr;
  }

 private:
  mutable std::mutex mu_;
  std::function<void()> release_;
  bool fired_ = false;
};

struct RunOptions {
  StallRelease* release = nullptr;
  // Release every gate after this long (virtual under the simulator): a bounded "forever".
  std::optional<std::chrono::milliseconds> release_stalls_after;
};

namespace detail {

template <class R>
using GateMap = std::map<RequestRef, std::unique_ptr<Gate<R>>>;

template <class R>
void run_request(StateManager<R>& m, ConnectionId c, const WorkloadOp& op, RequestRef ref,
                 Gate<R>* gate) {
  const ThreadId t = op.thread.value_or(ThreadId{});
  switch (op.kind) {
    case OpKind::kConnect:
      m.connect(c, ref);
      return;
    case OpKind::kDisconnect:
      m.disconnect(c, ref);
      return;
    case OpKind::kStart:
      m.start(t, c, gate, ref);
      return;
    case OpKind::kSubscribe:
      m.subscribe(c, t, ref);
      return;
    case OpKind::kUnsubscribe:
      m.unsubscribe(c, t, ref);
      return;
    case OpKind::kEmit:
      m.emit(t, op.event, ref);
      return;
    case OpKind::kResume:
      m.resume(c, t, ref);
      return;
    case OpKind::kResolve:
      m.resolve(t, ref);
      return;
    case OpKind::kUnload:
      m.unload(t, ref);
      return;
    case OpKind::kGetOrCreate:
      m.get_or_create(t, ref);
      return;
    case OpKind::kPrompt:
      m.prompt(t, gate, ref);
      return;
    case OpKind::kCleanupIdle:
      m.cleanup_idle(ref);
      return;
  }
}

// One connection's request loop: its requests arrive together and run in order.
template <class R>
void run_client(StateManager<R>& m, const ClientScript& script, GateMap<R>& gates,
                const Observer<R>& observe, typename R::TimePoint began) {
  const std::uint32_t client = raw(script.connection);
  for (std::uint32_t i = 0; i < script.ops.size(); ++i) {
    Record r = make_record(RecordKind::kRequestQueued, script.ops[i].thread, script.connection);
    r.op = script.ops[i].kind;
    r.request = RequestRef{client, i};
    observe(std::move(r));
  }
  for (std::uint32_t i = 0; i < script.ops.size(); ++i) {
    const RequestRef ref{client, i};
    // A timed request ("at-ms") arrives no earlier than its time.
    if (const auto at = began + script.ops[i].at; script.ops[i].at.count() > 0 && R::now() < at) {
      R::sleep_until(at);
    }
    auto it = gates.find(ref);
    run_request(m, script.connection, script.ops[i], ref,
                it == gates.end() ? nullptr : it->second.get());
  }
}

}  // namespace detail

template <class R>
void run_workload(const Workload& w, DesignVariant variant, Probe& probe,
                  const RunOptions& opts = {}) {
  if (auto why = validate(w); !why.empty()) throw WorkloadError("workload " + why);
  const Observer<R> observe(probe);

  detail::GateMap<R> gates;
  std::vector<std::pair<Gate<R>*, std::chrono::milliseconds>> timed;
  for (const auto& script : w.clients) {
    for (std::uint32_t i = 0; i < script.ops.size(); ++i) {
      const Stall& s = script.ops[i].stall;
      if (s.kind == StallKind::kNone) continue;
      auto& g = gates[RequestRef{raw(script.connection), i}];
      g = std::make_unique<Gate<R>>(s);
      if (s.kind == StallKind::kHangFor) timed.emplace_back(g.get(), s.delay);
    }
  }
  auto release_all = [&gates] {
    for (auto& [ref, g] : gates) g->release();
  };
  typename R::template Channel<int> stop("run_stop");
  // Waits for `d` unless the run stops first; true if the time came.
  auto wait_for = [&stop](std::chrono::milliseconds d) {
    return stop.recv_until(R::now() + d).timed_out;
  };

  StateManager<R> m(variant, ManagerConfig{w.unload_delay, w.cleanup.idle_timeout}, probe);
  probe.set_snapshot_source([&m] { return m.peek_snapshot(); });
  // If the simulator unwinds this task (an execution that ended stuck), the source must not
  // outlive the manager.
  struct ClearSource {
    Probe& p;
    ~ClearSource() { p.clear_snapshot_source(); }
  } clear_source{probe};
  std::vector<typename R::Task> background;
  for (auto& [gate, delay] : timed) {
    background.push_back(spawn_observed<R>(probe, "stall-timer", kNoThreadLabel, "",
                                           [&wait_for, gate = gate, delay = delay] {
                                             if (wait_for(delay)) gate->open();
                                           }));
  }
  if (opts.release_stalls_after) {
    background.push_back(
        spawn_observed<R>(probe, "stall-release", kNoThreadLabel, "",
                          [&wait_for, &release_all, d = *opts.release_stalls_after] {
                            if (wait_for(d)) release_all();
                          }));
  }
  if (w.cleanup.ticks > 0) {
    background.push_back(spawn_observed<R>(probe, "cleanup", kNoThreadLabel, "", [&] {
      for (std::uint32_t i = 0; i < w.cleanup.ticks && wait_for(w.cleanup.period); ++i) {
        m.cleanup_idle();
      }
    }));
  }
  if (opts.release != nullptr) opts.release->arm(release_all);

  std::vector<typename R::Task> clients;
  const auto began = R::now();
  for (const auto& script : w.clients) {
    clients.push_back(spawn_observed<R>(
        probe, "client", kNoThreadLabel, "c" + std::to_string(raw(script.connection)),
        [&m, &script, &gates, &observe, began] {
          detail::run_client(m, script, gates, observe, began);
        }));
  }
  for (auto& c : clients) c.join();
  if (w.settle.count() > 0) R::sleep_until(R::now() + w.settle);

  observe(make_record(RecordKind::kFinalState));
  probe.set_final_state(m.snapshot());
  if (opts.release != nullptr) opts.release->disarm();
  release_all();  // background work stalled forever (a hung start) now fails and ends
  stop.close();
  for (auto& b : background) b.join();
  m.shutdown();
}

}  // namespace lockstep::impl
