// tests/impl/sequential_test.cc: each operation of the state manager, alone and in order, on
// both runtimes (OS threads and the simulator), including the error paths.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "impl/state_manager.h"
#include "tests/impl/runtimes.h"

namespace lockstep::impl {
namespace {

using testing::count_records;
using testing::eventually;
using testing::run_as_task;

constexpr ConnectionId kC0{0};
constexpr ConnectionId kC1{1};
constexpr ThreadId kT0{0};
constexpr ThreadId kT1{1};

template <class R>
class SequentialTest : public ::testing::Test {};
TYPED_TEST_SUITE(SequentialTest, testing::Runtimes, testing::RuntimeNames);

// Large: no idle unload happens during these tests unless they wait for it.
ManagerConfig quiet_config() {
  return ManagerConfig{std::chrono::hours(24), std::chrono::hours(1)};
}

std::vector<EventSeq> delivered_to(const Probe& p, ThreadId t, ConnectionId c) {
  std::vector<EventSeq> out;
  for (const auto& r : p.records()) {
    if (r.kind == RecordKind::kDelivered && r.thread == t && r.connection == c) {
      out.push_back(r.seq);
    }
  }
  return out;
}

// Starts `t` for `c` and waits for the background start (and its late auto-attach) to end.
template <class R>
void start_and_wait(StateManager<R>& m, Probe& p, ThreadId t, ConnectionId c) {
  const auto ends_before = count_records(p, [&](const Record& r) {
    return r.kind == RecordKind::kOpEnd && r.op == OpKind::kStart && r.thread == t &&
           r.phase == Phase::kBackground;
  });
  EXPECT_EQ(m.start(t, c, nullptr), OpError::kNone);
  EXPECT_TRUE(eventually<R>([&] {
    return count_records(p, [&](const Record& r) {
             return r.kind == RecordKind::kOpEnd && r.op == OpKind::kStart && r.thread == t &&
                    r.phase == Phase::kBackground;
           }) > ends_before;
  }));
}

TYPED_TEST(SequentialTest, StartAttachesAndEmitDeliversInOrder) {
  using R = TypeParam;
  run_as_task<R>([] {
    Probe p;
    StateManager<R> m(DesignVariant::kCurrent, quiet_config(), p);
    EXPECT_EQ(m.connect(kC0), OpError::kNone);
    start_and_wait(m, p, kT0, kC0);
    EXPECT_TRUE(m.is_loaded(kT0));
    EXPECT_TRUE(m.is_subscribed(kC0, kT0));
    for (EventSeq want = 1; want <= 3; ++want) EXPECT_EQ(m.emit(kT0, EventKind::kItem).seq, want);
    EXPECT_TRUE(eventually<R>([&] { return delivered_to(p, kT0, kC0).size() == 3; }));
    EXPECT_EQ(delivered_to(p, kT0, kC0), (std::vector<EventSeq>{1, 2, 3}));
    EXPECT_EQ(m.check_invariants(), "");
    m.shutdown();
  });
}

TYPED_TEST(SequentialTest, UnknownThreadErrors) {
  using R = TypeParam;
  run_as_task<R>([] {
    Probe p;
    StateManager<R> m(DesignVariant::kCurrent, quiet_config(), p);
    m.connect(kC0);
    EXPECT_EQ(m.subscribe(kC0, kT1), OpError::kUnknownThread);
    EXPECT_EQ(m.unsubscribe(kC0, kT1), OpError::kUnknownThread);
    EXPECT_EQ(m.emit(kT1, EventKind::kItem).error, OpError::kUnknownThread);
    EXPECT_EQ(m.resume(kC0, kT1).error, OpError::kUnknownThread);
    EXPECT_EQ(m.resolve(kT1).error, OpError::kUnknownThread);
    EXPECT_EQ(m.unload(kT1), OpError::kUnknownThread);
    m.shutdown();
  });
}

TYPED_TEST(SequentialTest, DisconnectedConnectionErrors) {
  using R = TypeParam;
  run_as_task<R>([] {
    Probe p;
    StateManager<R> m(DesignVariant::kCurrent, quiet_config(), p);
    m.connect(kC0);
    start_and_wait(m, p, kT0, kC0);
    EXPECT_EQ(m.unsubscribe(kC0, kT0), OpError::kNone);
    EXPECT_EQ(m.unsubscribe(kC0, kT0), OpError::kNotSubscribed);
    EXPECT_EQ(m.subscribe(kC0, kT0), OpError::kNone);
    EXPECT_EQ(m.disconnect(kC0), OpError::kNone);
    EXPECT_FALSE(m.is_subscribed(kC0, kT0));
    EXPECT_TRUE(m.is_loaded(kT0));  // the listener is kept, as in the seed
    EXPECT_EQ(m.disconnect(kC0), OpError::kNotConnected);
    EXPECT_EQ(m.subscribe(kC0, kT0), OpError::kNotConnected);
    EXPECT_EQ(m.unsubscribe(kC0, kT0), OpError::kNotConnected);
    EXPECT_EQ(m.resume(kC0, kT0).error, OpError::kNotConnected);
    // A start for a connection that is gone loads the thread and skips the auto-attach.
    start_and_wait(m, p, kT1, kC1);
    EXPECT_TRUE(m.is_loaded(kT1));
    EXPECT_TRUE(m.subscribers(kT1).empty());
    EXPECT_EQ(m.check_invariants(), "");
    m.shutdown();
  });
}

TYPED_TEST(SequentialTest, ResumeGivesHistoryThenLiveEventsExactlyOnce) {
  using R = TypeParam;
  run_as_task<R>([] {
    Probe p;
    StateManager<R> m(DesignVariant::kCurrent, quiet_config(), p);
    m.connect(kC0);
    m.connect(kC1);
    start_and_wait(m, p, kT0, kC0);
    m.emit(kT0, EventKind::kTurnStarted);
    m.emit(kT0, EventKind::kItem);
    OpResult r = m.resume(kC1, kT0);  // queued behind both events on the listener
    EXPECT_EQ(r.error, OpError::kNone);
    EXPECT_EQ(r.seqs, (std::vector<EventSeq>{1, 2}));
    EXPECT_TRUE(m.is_subscribed(kC1, kT0));
    m.emit(kT0, EventKind::kTurnCompleted);
    EXPECT_TRUE(eventually<R>([&] { return delivered_to(p, kT0, kC0).size() == 3; }));
    EXPECT_TRUE(eventually<R>([&] { return delivered_to(p, kT0, kC1).size() == 1; }));
    EXPECT_EQ(delivered_to(p, kT0, kC1), (std::vector<EventSeq>{3}));
    m.shutdown();
  });
}

TYPED_TEST(SequentialTest, ResolveFollowsItsRequest) {
  using R = TypeParam;
  run_as_task<R>([] {
    Probe p;
    StateManager<R> m(DesignVariant::kCurrent, quiet_config(), p);
    m.connect(kC0);
    start_and_wait(m, p, kT0, kC0);
    EXPECT_EQ(m.resolve(kT0).error, OpError::kUnknownRequest);
    const EventSeq req = m.emit(kT0, EventKind::kServerRequest).seq;
    OpResult r = m.resolve(kT0);
    EXPECT_EQ(r.error, OpError::kNone);
    EXPECT_EQ(r.seq, req);
    EXPECT_EQ(m.resolve(kT0).error, OpError::kUnknownRequest);
    std::vector<RecordKind> order;
    for (const auto& rec : p.records()) {
      if ((rec.kind == RecordKind::kDelivered || rec.kind == RecordKind::kResolveDelivered) &&
          rec.connection == kC0) {
        order.push_back(rec.kind);
      }
    }
    EXPECT_EQ(order,
              (std::vector<RecordKind>{RecordKind::kDelivered, RecordKind::kResolveDelivered}));
    m.shutdown();
  });
}

TYPED_TEST(SequentialTest, ForcedUnloadRemovesEverythingAndThreadCanRestart) {
  using R = TypeParam;
  run_as_task<R>([] {
    Probe p;
    StateManager<R> m(DesignVariant::kCurrent, quiet_config(), p);
    m.connect(kC0);
    start_and_wait(m, p, kT0, kC0);
    EXPECT_EQ(m.unload(kT0), OpError::kNone);
    EXPECT_FALSE(m.is_loaded(kT0));
    StateSnapshot s = m.snapshot();
    EXPECT_FALSE(s.subscribers.contains(kT0));
    EXPECT_FALSE(s.listeners.contains(kT0));
    EXPECT_FALSE(s.worker_map_entries.contains(kT0));
    EXPECT_TRUE(s.pending_unloads.empty());
    EXPECT_EQ(m.unload(kT0), OpError::kUnknownThread);
    EXPECT_EQ(m.subscribe(kC0, kT0), OpError::kUnknownThread);
    start_and_wait(m, p, kT0, kC0);
    EXPECT_TRUE(m.is_subscribed(kC0, kT0));
    std::vector<std::uint8_t> stages;
    for (const auto& r : p.records()) {
      if (r.kind == RecordKind::kUnloadStage) stages.push_back(r.detail);
    }
    EXPECT_EQ(stages.size(), 7u);
    EXPECT_TRUE(std::is_sorted(stages.begin(), stages.end()));
    m.shutdown();
  });
}

TYPED_TEST(SequentialTest, IdleThreadUnloadsAfterTheDelayButNotWhileATurnRuns) {
  using R = TypeParam;
  run_as_task<R>([] {
    Probe p;
    const auto delay = std::chrono::milliseconds(30);
    StateManager<R> m(DesignVariant::kCurrent, ManagerConfig{delay, std::chrono::hours(1)}, p);
    m.connect(kC0);
    start_and_wait(m, p, kT0, kC0);
    m.emit(kT0, EventKind::kTurnStarted);
    EXPECT_EQ(m.disconnect(kC0), OpError::kNone);  // no subscribers, but a turn is active
    R::sleep_until(R::now() + 4 * delay);
    EXPECT_TRUE(m.is_loaded(kT0));
    m.emit(kT0, EventKind::kTurnCompleted);
    R::sleep_until(R::now() + 4 * delay);
    EXPECT_TRUE(eventually<R>([&] { return !m.is_loaded(kT0); }));
    EXPECT_FALSE(m.snapshot().worker_map_entries.contains(kT0));
    m.shutdown();
  });
}

TYPED_TEST(SequentialTest, SessionPoolPromptAgentDeathAndCleanup) {
  using R = TypeParam;
  run_as_task<R>([] {
    Probe p;
    StateManager<R> m(DesignVariant::kCurrent, ManagerConfig{std::chrono::hours(24), {}}, p);
    EXPECT_EQ(m.get_or_create(kT0), OpError::kNone);
    EXPECT_EQ(m.get_or_create(kT0), OpError::kNone);  // found, alive
    EXPECT_EQ(m.prompt(kT0, nullptr), OpError::kNone);
    Gate<R> dies(Stall{StallKind::kAgentDies, {}});
    EXPECT_EQ(m.prompt(kT0, &dies), OpError::kAgentDead);
    EXPECT_EQ(m.get_or_create(kT0), OpError::kNone);  // replaces the dead connection
    EXPECT_EQ(
        count_records(p, [](const Record& r) { return r.kind == RecordKind::kPoolEntryAdded; }),
        2u);
    EXPECT_EQ(m.prompt(kT1, nullptr), OpError::kNone);  // creates t1's connection
    m.cleanup_idle();                                   // idle timeout 0: both idle
    EXPECT_TRUE(m.snapshot().pool_entries.empty());
    m.shutdown();
  });
}

}  // namespace
}  // namespace lockstep::impl
