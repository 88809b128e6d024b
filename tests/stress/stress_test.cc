// tests/stress/stress_test.cc: the state manager on OS threads under a random mix of every
// operation from many OS threads at once, bounded by operation count (never by time), then the
// bookkeeping invariants. Run it in the ThreadSanitizer build (-DLOCKSTEP_SANITIZE=thread).
#include <gtest/gtest.h>

#include <random>
#include <thread>
#include <vector>

#include "impl/run_workload.h"
#include "impl/state_manager.h"
#include "impl/threads_runtime.h"

namespace lockstep::impl {
namespace {

using R = ThreadsRuntime;
using K = OpKind;

constexpr int kOsThreads = 8;
constexpr int kOpsPerOsThread = 1500;
constexpr std::uint32_t kConnections = 6;
constexpr std::uint32_t kThreads = 4;

// What must hold in any snapshot of the current design.
std::string check_snapshot(const StateSnapshot& s) {
  std::size_t pairs = 0;
  for (const auto& [t, conns] : s.subscribers) {
    for (ConnectionId c : conns) {
      ++pairs;
      if (!s.live_connections.contains(c)) {
        return "disconnected c" + std::to_string(raw(c)) + " subscribed to t" +
               std::to_string(raw(t));
      }
      auto it = s.threads_by_connection.find(c);
      if (it == s.threads_by_connection.end() || !it->second.contains(t)) {
        return "index misses t" + std::to_string(raw(t)) + " for c" + std::to_string(raw(c));
      }
    }
    if (!conns.empty() && !s.loaded_threads.contains(t)) {
      return "subscribers on unloaded t" + std::to_string(raw(t));
    }
  }
  std::size_t indexed = 0;
  for (const auto& [c, ts] : s.threads_by_connection) indexed += ts.size();
  if (indexed != pairs) return "index and subscriber sets disagree";
  if (s.subscriptions.size() != pairs) return "subscriptions and subscriber sets disagree";
  // A failed start keeps its worker until the thread is unloaded: bounded by the thread count.
  if (s.worker_map_entries.size() > kThreads) return "more workers than threads";
  return {};
}

TEST(Stress, RandomOperationsFromManyOsThreadsKeepTheBookkeepingConsistent) {
  Probe probe;
  StateManager<R> m(DesignVariant::kCurrent,
                    ManagerConfig{std::chrono::milliseconds(1), std::chrono::milliseconds(1)},
                    probe);
  Gate<R> dies(Stall{StallKind::kAgentDies, {}});  // closed: every waiter sees a dead agent
  std::vector<std::string> problems(kOsThreads);
  std::vector<std::thread> os_threads;
  for (int i = 0; i < kOsThreads; ++i) {
    os_threads.emplace_back([&, i] {
      std::mt19937_64 rng(1000 + i);
      auto pick = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
      for (int n = 0; n < kOpsPerOsThread; ++n) {
        const ConnectionId c{pick(kConnections)};
        const ThreadId t{pick(kThreads)};
        const RequestRef ref{raw(c), static_cast<std::uint32_t>(n)};
        switch (pick(13)) {
          case 0:
            m.connect(c, ref);
            break;
          case 1:
            m.disconnect(c, ref);
            break;
          case 2:
            m.start(t, c, pick(4) == 0 ? &dies : nullptr, ref);
            break;
          case 3:
            m.subscribe(c, t, ref);
            break;
          case 4:
            m.unsubscribe(c, t, ref);
            break;
          case 5:
            m.emit(t, static_cast<EventKind>(pick(4)), ref);
            break;
          case 6:
            m.resume(c, t, ref);
            break;
          case 7:
            m.resolve(t, ref);
            break;
          case 8:
            m.unload(t, ref);
            break;
          case 9:
            m.get_or_create(t, ref);
            break;
          case 10:
            m.prompt(t, pick(3) == 0 ? &dies : nullptr, ref);
            break;
          case 11:
            m.cleanup_idle(ref);
            break;
          default:
            if (auto why = m.check_invariants(); !why.empty() && problems[i].empty()) {
              problems[i] = why;
            }
            if (auto why = check_snapshot(m.snapshot()); !why.empty() && problems[i].empty()) {
              problems[i] = why;
            }
        }
      }
    });
  }
  for (auto& t : os_threads) t.join();
  for (const auto& p : problems) EXPECT_EQ(p, "");
  EXPECT_EQ(m.check_invariants(), "");
  EXPECT_EQ(check_snapshot(m.snapshot()), "");
  m.shutdown();
  EXPECT_EQ(check_snapshot(m.peek_snapshot()), "");
}

Workload random_workload(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
  Workload w;
  w.unload_delay = std::chrono::milliseconds(1);
  w.settle = std::chrono::milliseconds(0);
  w.cleanup = CleanupSchedule{20, std::chrono::milliseconds(1), std::chrono::milliseconds(1)};
  const OpKind kinds[] = {K::kConnect,     K::kDisconnect,  K::kStart,  K::kSubscribe,
                          K::kUnsubscribe, K::kEmit,        K::kResume, K::kResolve,
                          K::kUnload,      K::kGetOrCreate, K::kPrompt, K::kCleanupIdle};
  for (std::uint32_t c = 0; c < kConnections; ++c) {
    ClientScript script{ConnectionId{c}, {make_op(K::kConnect)}};
    for (int n = 0; n < 300; ++n) {
      const OpKind k = kinds[pick(std::size(kinds))];
      Stall stall;
      if (op_may_stall(k) && pick(4) == 0) {
        stall = pick(2) == 0 ? Stall{StallKind::kAgentDies, {}}
                             : Stall{StallKind::kHangFor, std::chrono::milliseconds(pick(2))};
      }
      script.ops.push_back(
          make_op(k, op_needs_thread(k) ? std::optional(ThreadId{pick(kThreads)}) : std::nullopt,
                  stall, static_cast<EventKind>(pick(4))));
    }
    w.clients.push_back(std::move(script));
  }
  return w;
}

TEST(Stress, RandomWorkloadsRunToTheEndWithConsistentFinalState) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    Probe probe;
    const Workload w = random_workload(seed);
    run_workload<R>(w, DesignVariant::kCurrent, probe);
    const auto s = probe.final_state();
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(check_snapshot(*s), "") << "seed " << seed;
    std::size_t ends = 0;
    for (const auto& r : probe.records()) {
      ends += r.kind == RecordKind::kOpEnd && r.phase == Phase::kRequest &&
              r.request.client != kNoClient;
    }
    EXPECT_EQ(ends, kConnections * 301) << "seed " << seed;
  }
}

}  // namespace
}  // namespace lockstep::impl
