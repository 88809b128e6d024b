// traces/generate.cc: the workload generator (contract in generate.h). Motifs append requests
// to the scripts of the connections they draw; the run interleaves the scripts, and the
// exploration interleaves everything else.
#include "traces/generate.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <vector>

namespace lockstep::traces {

namespace {

using impl::ConnectionId;
using impl::EventKind;
using impl::OpKind;
using impl::Stall;
using impl::StallKind;
using impl::ThreadId;
using impl::WorkloadOp;
using ms = std::chrono::milliseconds;

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t mix(std::uint64_t seed, std::uint64_t index, std::uint64_t salt) {
  std::uint64_t s = seed ^ (salt * 0xd1b54a32d192ed03ull);
  splitmix(s);
  s ^= index * 0x9e3779b97f4a7c15ull;
  return splitmix(s);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() { return splitmix(state_); }
  // Uniform enough in [0, n) for n far below 2^64; deterministic everywhere.
  std::uint32_t below(std::uint32_t n) { return static_cast<std::uint32_t>(next() % n); }
  bool percent(std::uint32_t p) { return below(100) < p; }
  template <class T, std::size_t N>
  T pick(const std::array<T, N>& a) {
    return a[below(static_cast<std::uint32_t>(N))];
  }

 private:
  std::uint64_t state_;
};

class Builder {
 public:
  explicit Builder(std::uint64_t seed) : rng_(seed) {
    unload_delay_ = ms(rng_.pick(std::array<int, 3>{40, 60, 100}));
    threads_ = 1 + rng_.below(3);
    conns_ = 2 + rng_.below(3);
  }

  impl::Workload build() {
    // The motifs, weighted: the races the issue names get more weight.
    const int motifs = 1 + static_cast<int>(rng_.below(2));
    for (int m = 0; m < motifs; ++m) {
      switch (rng_.below(15)) {
        case 0:
        case 1: attach_race(); break;
        case 2: hung_start(); break;
        case 3: head_of_line(); break;
        case 4: teardown(); break;
        case 5:
        case 6: busy_pool(); break;
        case 7:
        case 8:
        case 9: unload_race(); break;
        case 10:
        case 11: resume_during_emit(); break;
        case 12: reconnect(); break;
        default: server_requests(); break;
      }
    }
    for (std::uint32_t i = rng_.below(3); i > 0; --i) noise();
    impl::Workload w;
    for (auto& [c, ops] : scripts_) {
      if (!ops.empty()) w.clients.push_back({c, std::move(ops)});
    }
    w.unload_delay = unload_delay_;
    w.cleanup = cleanup_;
    // Long enough after the last client for every idle unload and timer to come due.
    ms latest{0};
    for (const auto& c : w.clients) {
      for (const auto& op : c.ops) latest = std::max({latest, op.at, op.stall.delay});
    }
    const ms ticks_end = cleanup_.period * cleanup_.ticks;
    w.settle = std::max(latest, ticks_end) + unload_delay_ + ms(1);
    return w;
  }

 private:
  ThreadId thread() { return ThreadId{rng_.below(threads_)}; }
  // `n` distinct ids from a pool of `size` (which grows if it is smaller), consecutive from
  // a random first one.
  template <class Id>
  std::vector<Id> distinct(std::uint32_t n, std::uint32_t& size) {
    size = std::max(size, n);
    std::vector<Id> out;
    const std::uint32_t first = rng_.below(size);
    for (std::uint32_t i = 0; i < n; ++i) out.push_back(Id{(first + i) % size});
    return out;
  }
  std::vector<ThreadId> threads(std::uint32_t n) { return distinct<ThreadId>(n, threads_); }
  std::vector<ConnectionId> conns(std::uint32_t n) { return distinct<ConnectionId>(n, conns_); }

  WorkloadOp& add(ConnectionId c, OpKind k, std::optional<ThreadId> t = std::nullopt,
                  Stall s = {}) {
    auto& ops = scripts_[c];
    ops.push_back(impl::make_op(k, t, s));
    return ops.back();
  }
  void emit(ConnectionId c, ThreadId t, EventKind e) { add(c, OpKind::kEmit, t).event = e; }
  // Connects c unless its script is connected already (a motif may reuse a connection).
  void ensure_connected(ConnectionId c) {
    bool live = false;
    for (const auto& op : scripts_[c]) {
      if (op.kind == OpKind::kConnect) live = true;
      if (op.kind == OpKind::kDisconnect) live = false;
    }
    if (!live) add(c, OpKind::kConnect);
  }

  // When thread t, started now, would be unloaded if nothing touched it: its load time (a
  // startup that hangs for H loads it at H) plus the unload delay.
  ms deadline(ThreadId t) const {
    auto it = loaded_at_.find(t);
    return (it == loaded_at_.end() ? ms(0) : it->second) + unload_delay_;
  }
  // A time at, or a millisecond either side of, t's idle-unload deadline.
  ms near_deadline(ThreadId t) {
    return deadline(t) + ms(rng_.pick(std::array<int, 5>{-1, 0, 0, 0, 1}));
  }

  Stall start_stall(ThreadId t) {
    switch (rng_.below(6)) {
      case 0: return Stall{StallKind::kHangForever, ms(0)};
      case 1: {
        const ms h = rng_.percent(50) ? unload_delay_ : ms(1 + rng_.below(20));
        loaded_at_[t] = std::max(loaded_at_[t], h);
        return Stall{StallKind::kHangFor, h};
      }
      case 2: return Stall{StallKind::kAgentDies, ms(0)};
      default: return {};
    }
  }

  // A late auto-attach races its own connection's disconnect; someone else watches the thread;
  // the connection may come back and resume.
  void attach_race() {
    const auto cs = conns(2);
    const ThreadId t = thread();
    ensure_connected(cs[0]);
    add(cs[0], OpKind::kStart, t, rng_.percent(20) ? start_stall(t) : Stall{});
    ensure_connected(cs[1]);
    add(cs[1], rng_.percent(50) ? OpKind::kSubscribe : OpKind::kResume, t);
    add(cs[0], OpKind::kDisconnect);
    if (rng_.percent(50)) emit(cs[1], t, EventKind::kItem);
    if (rng_.percent(50)) {
      add(cs[0], OpKind::kConnect);
      add(cs[0], rng_.percent(50) ? OpKind::kResume : OpKind::kSubscribe, t);
    }
  }

  // A hung (or slow) start, then the same loop asks for another thread.
  void hung_start() {
    const auto ts = threads(2);
    const ConnectionId c = conns(1)[0];
    ensure_connected(c);
    Stall s{StallKind::kHangForever, ms(0)};
    if (rng_.percent(30)) s = Stall{StallKind::kHangFor, unload_delay_ * 2};
    add(c, OpKind::kStart, ts[0], s);
    add(c, OpKind::kStart, ts[1]);
    emit(c, ts[1], EventKind::kItem);
  }

  // A hung session start on one thread, a turn on another from another connection.
  void head_of_line() {
    const auto ts = threads(2);
    const auto cs = conns(2);
    ensure_connected(cs[0]);
    add(cs[0], OpKind::kStart, ts[0], Stall{StallKind::kHangForever, ms(0)});
    ensure_connected(cs[1]);
    add(cs[1], OpKind::kStart, ts[1]);
    emit(cs[1], ts[1], rng_.percent(50) ? EventKind::kTurnStarted : EventKind::kItem);
  }

  // A thread goes, forced or idle: its worker, listener and entries must go with it.
  void teardown() {
    const ConnectionId c = conns(1)[0];
    const ThreadId t = thread();
    ensure_connected(c);
    add(c, OpKind::kStart, t);
    emit(c, t, EventKind::kItem);
    if (rng_.percent(50)) {
      add(c, OpKind::kUnload, t);
    } else {
      add(c, OpKind::kUnsubscribe, t);  // idle from here: the listener unloads it
    }
  }

  // A long prompt holds its session; lookups and cleanup run around it.
  void busy_pool() {
    const auto ts = threads(2);
    const auto cs = conns(3);
    add(cs[0], OpKind::kGetOrCreate, ts[0]);
    Stall s{StallKind::kHangForever, ms(0)};
    const bool ticks = rng_.percent(60);
    if (ticks) {
      cleanup_.period = ms(rng_.pick(std::array<int, 2>{10, 25}));
      const std::uint32_t k = 1 + rng_.below(3);
      cleanup_.idle_timeout = cleanup_.period * k;
      cleanup_.ticks = k + 1 + rng_.below(2);
    }
    switch (rng_.below(5)) {
      case 0:
        // Ends exactly at a tick past the idle timeout: the tick races the prompt's end.
        s = Stall{StallKind::kHangFor, ticks ? cleanup_.idle_timeout + cleanup_.period
                                             : ms(1 + rng_.below(20))};
        break;
      case 1: s = Stall{StallKind::kAgentDies, ms(0)}; break;
      default: break;
    }
    add(cs[0], OpKind::kPrompt, ts[0], s);
    switch (rng_.below(3)) {
      case 0:
        add(cs[1], OpKind::kGetOrCreate, ts[1]);
        break;
      case 1:
        add(cs[1], OpKind::kCleanupIdle);
        add(cs[1], OpKind::kGetOrCreate, ts[1]);
        break;
      default:
        add(cs[1], OpKind::kGetOrCreate, ts[0]);
        add(cs[2], OpKind::kGetOrCreate, ts[1]);
        break;
    }
    if (rng_.percent(30)) add(cs[2], OpKind::kPrompt, ts[1]);
    // A session idle for exactly the timeout, then a prompt on it timed to that tick: the
    // tick's cleanup finds the session stale, and its removal races the prompt that takes it
    // (the re-check under the pool write lock is what keeps a running prompt's session). At a
    // later tick the session would already be gone.
    if (ticks && rng_.percent(40)) {
      add(cs[2], OpKind::kGetOrCreate, ts[1]);
      add(cs[2], OpKind::kPrompt, ts[1], Stall{StallKind::kHangFor, cleanup_.period}).at =
          cleanup_.idle_timeout;
    }
  }

  // An attach or resume races the thread's unload: forced, or idle and timed to its deadline
  // while the other client is mid-request.
  void unload_race() {
    const auto cs = conns(2);
    const ThreadId t = thread();
    ensure_connected(cs[0]);
    add(cs[0], OpKind::kStart, t, rng_.percent(25) ? start_stall(t) : Stall{});
    add(cs[0], OpKind::kUnsubscribe, t);
    const bool forced = rng_.percent(40);
    if (forced) add(cs[0], OpKind::kUnload, t);
    ensure_connected(cs[1]);
    const OpKind attach = rng_.percent(50) ? OpKind::kSubscribe : OpKind::kResume;
    WorkloadOp& op = add(cs[1], attach, t);
    if (!forced || rng_.percent(30)) op.at = near_deadline(t);
    if (rng_.percent(50)) {
      add(cs[1], attach == OpKind::kSubscribe ? OpKind::kResume : OpKind::kSubscribe, t).at =
          rng_.percent(50) ? near_deadline(t) : ms(0);
    }
  }

  // A thread emits a turn while another connection resumes it (once or more).
  void resume_during_emit() {
    const auto cs = conns(2);
    const ThreadId t = thread();
    ensure_connected(cs[0]);
    add(cs[0], OpKind::kStart, t);
    ensure_connected(cs[1]);
    emit(cs[0], t, EventKind::kTurnStarted);
    add(cs[1], OpKind::kResume, t);
    emit(cs[0], t, EventKind::kItem);
    if (rng_.percent(50)) emit(cs[0], t, EventKind::kItem);
    if (rng_.percent(50)) add(cs[1], OpKind::kResume, t);
    emit(cs[0], t, EventKind::kTurnCompleted);
    if (rng_.percent(40)) {
      add(cs[1], OpKind::kUnsubscribe, t);
      add(cs[1], OpKind::kResume, t).at = rng_.percent(50) ? near_deadline(t) : ms(0);
    }
  }

  // A connection goes and comes back, and resumes what it had.
  void reconnect() {
    const ConnectionId c = conns(1)[0];
    const auto ts = threads(rng_.percent(50) ? 2 : 1);
    ensure_connected(c);
    for (ThreadId t : ts) add(c, OpKind::kStart, t);
    add(c, OpKind::kDisconnect);
    add(c, OpKind::kConnect);
    for (ThreadId t : ts) add(c, rng_.percent(50) ? OpKind::kResume : OpKind::kSubscribe, t);
    emit(c, ts[0], EventKind::kItem);
  }

  // Server requests and their resolution, with a subscriber from another connection.
  void server_requests() {
    const auto cs = conns(2);
    const ThreadId t = thread();
    ensure_connected(cs[0]);
    add(cs[0], OpKind::kStart, t);
    ensure_connected(cs[1]);
    add(cs[1], OpKind::kSubscribe, t);
    emit(cs[0], t, EventKind::kServerRequest);
    add(cs[1], OpKind::kResolve, t);
    if (rng_.percent(50)) add(cs[0], OpKind::kResolve, t);
  }

  // One random request: any operation, thread, connection, event and stall.
  void noise() {
    const ConnectionId c = ConnectionId{rng_.below(conns_)};
    const auto k = static_cast<OpKind>(rng_.below(impl::kOpKindCount));
    WorkloadOp& op = add(c, k, impl::op_needs_thread(k) ? std::optional(thread()) : std::nullopt);
    if (k == OpKind::kEmit) {
      op.event = rng_.pick(std::array{EventKind::kItem, EventKind::kTurnStarted,
                                      EventKind::kTurnCompleted, EventKind::kServerRequest});
    }
    if (impl::op_may_stall(k) && rng_.percent(30)) op.stall = start_stall(*op.thread);
    if (op.thread && rng_.percent(25)) op.at = near_deadline(*op.thread);
  }

  Rng rng_;
  ms unload_delay_;
  std::uint32_t threads_;
  std::uint32_t conns_;
  std::map<ConnectionId, std::vector<WorkloadOp>> scripts_;
  std::map<ThreadId, ms> loaded_at_;
  impl::CleanupSchedule cleanup_{0, ms(60000), ms(600000)};
};

}  // namespace

impl::Workload generate_workload(std::uint64_t seed, std::uint64_t index) {
  return Builder(mix(seed, index, 1)).build();
}

std::uint64_t exploration_seed(std::uint64_t seed, std::uint64_t index) {
  return mix(seed, index, 2);
}

std::string generated_program(std::uint64_t seed, std::uint64_t index) {
  return fmt::format("generated:seed{}:w{}", seed, index);
}

}  // namespace lockstep::traces
