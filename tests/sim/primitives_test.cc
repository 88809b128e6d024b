// Semantics of each simulated primitive, checked over every schedule DFS can produce.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <vector>

#include "sim/sim_runtime.h"
#include "tests/support/harness.h"

namespace lockstep::sim {
namespace {

using namespace std::chrono_literals;
using testing::run_dfs;

TEST(Mutex, ExcludesAcrossEverySchedule) {
  int inside = 0;
  int max_inside = 0;
  int counter = 0;
  Mutex m("m");
  auto body = [&] {
    m.lock();
    ++inside;
    max_inside = std::max(max_inside, inside);
    yield_now();  // a point inside the critical section
    int v = counter;
    yield_now();
    counter = v + 1;
    --inside;
    m.unlock();
  };
  auto r = run_dfs({body, body, body}, std::nullopt,
                   [&](const Execution& ex) -> std::optional<std::string> {
                     if (ex.outcome() != Outcome::kCompleted) return "not completed";
                     if (counter != 3) return "lost update";
                     counter = 0;
                     return std::nullopt;
                   });
  EXPECT_EQ(r.failures, 0u);
  EXPECT_TRUE(r.exhausted);
  EXPECT_GT(r.executions, 1u);
  EXPECT_EQ(max_inside, 1);
}

TEST(Mutex, TryLockFailsWhileHeldAndSucceedsAfter) {
  std::vector<bool> results;
  auto r = run_dfs({[&] {
    Mutex m("m");
    m.lock();
    JoinHandle h = spawn("other", [&] { results.push_back(m.try_lock()); });
    h.join();
    m.unlock();
    results.push_back(m.try_lock());
    m.unlock();
  }});
  EXPECT_EQ(r.failures, 0u);
  ASSERT_GE(results.size(), 2u);
  EXPECT_FALSE(results[0]);
  EXPECT_TRUE(results[1]);
}

TEST(Mutex, UnlockByNonOwnerFailsTheExecution) {
  auto r = run_dfs({[] {
    Mutex m("m");
    m.unlock();
  }});
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->outcome, Outcome::kFailed);
  EXPECT_NE(r.first_failure->message.find("does not hold"), std::string::npos);
}

TEST(SharedMutex, ReadersShareAndWritersExclude) {
  int readers = 0;
  int writers = 0;
  int max_readers = 0;
  bool violated = false;
  SharedMutex rw("rw");
  auto reader = [&] {
    rw.lock_shared();
    ++readers;
    max_readers = std::max(max_readers, readers);
    if (writers != 0) violated = true;
    yield_now();
    --readers;
    rw.unlock_shared();
  };
  auto writer = [&] {
    rw.lock();
    ++writers;
    if (readers != 0 || writers != 1) violated = true;
    yield_now();
    --writers;
    rw.unlock();
  };
  auto r = run_dfs({reader, reader, writer});
  EXPECT_EQ(r.failures, 0u);
  EXPECT_FALSE(violated);
  EXPECT_EQ(max_readers, 2);  // some schedule has both readers inside together
}

// A task that has only reached lock() has not arrived: the arrival is the lock's own step
// (the fidelity rule, sim/task.h), so another task may still overtake it there.
//
// The root spawns W, then takes the lock shared once; W takes it exclusively once. Steps:
// root r1 spawn, r2 lock-shared (arrival), r3 unlock-shared, r4 join, r5 exit; W w1 lock
// (arrival), w2 unlock, w3 exit, plus a wait step (lock-wait / lock-shared-wait) for an arrival
// that finds the lock taken. After r1 both r2 and w1 can run:
// - r2 first (the root enters): then r3 before w1 (W enters at once, 1 schedule), or w1 before
//   r3 (W queues, waits for r3, 1 schedule): 2 executions, the root first;
// - w1 first (W enters): w2 before r2 gives 3 schedules (w3 first; or r2 then w3/r3 in either
//   order), r2 before w2 (the root queues, w2 lets it in, then w3 or the root's turn first,
//   the latter with w3/r3 in either order) gives 3: 6 executions, W first.
// 8 in all, 2 with the root first. With the arrival taken in the step before the point (W's
// ticket taken in its spawn prefix) DFS saw 3, all with W first.
TEST(SharedMutex, ATaskAtTheLockCanBeOvertakenByALaterArrival) {
  std::vector<char> order;
  std::set<std::vector<char>> seen;
  int root_first = 0;
  auto r = run_dfs({[&] {
    SharedMutex rw("rw");
    JoinHandle w = spawn("writer", [&] {
      rw.lock();
      order.push_back('W');
      rw.unlock();
    });
    rw.lock_shared();
    order.push_back('R');
    rw.unlock_shared();
    w.join();
  }}, std::nullopt, [&](const Execution& ex) -> std::optional<std::string> {
    seen.insert(order);
    if (!order.empty() && order.front() == 'R') ++root_first;
    order.clear();
    if (ex.outcome() != Outcome::kCompleted) return "not completed";
    return std::nullopt;
  });
  EXPECT_EQ(r.failures, 0u);
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(r.executions, 8u);
  EXPECT_EQ(root_first, 2);
  EXPECT_EQ(seen, (std::set<std::vector<char>>{{'R', 'W'}, {'W', 'R'}}));
}

// A reader-writer deadlock that depends on who arrives first at the fair lock.
TEST(SharedMutex, ReaderReenteringBehindAWaitingWriterDeadlocksInSomeSchedule) {
  // Root: lock_shared, spawn W, lock_shared again (a second hold, as a nested read), unlock
  // both, join. W: lock. When W arrives between the two reads, the root's second read queues
  // behind W, which waits for the first read: stuck. When the second read comes first, all
  // complete, as real runs can. With W's arrival taken in its spawn prefix, every schedule
  // was stuck.
  int stuck = 0;
  int completed = 0;
  auto r = run_dfs({[&] {
    SharedMutex rw("rw");
    rw.lock_shared();
    JoinHandle w = spawn("writer", [&] {
      rw.lock();
      rw.unlock();
    });
    rw.lock_shared();
    rw.unlock_shared();
    rw.unlock_shared();
    w.join();
  }}, std::nullopt, [&](const Execution& ex) -> std::optional<std::string> {
    if (ex.outcome() == Outcome::kStuck) ++stuck;
    if (ex.outcome() == Outcome::kCompleted) ++completed;
    return std::nullopt;
  }, false);
  EXPECT_GT(stuck, 0);
  EXPECT_GT(completed, 0);
}

TEST(SharedMutex, ReaderArrivingAfterWaitingWriterWaitsBehindIt) {
  // The root holds the lock shared while a writer and a second reader arrive. Fair order: if
  // the writer arrived (its lock step) before the reader's lock-shared step, it found the lock
  // held and queued, so the second reader enters only after the writer.
  std::vector<char> order;
  int writer_first_cases = 0;
  auto r = run_dfs({[&] {
    SharedMutex rw("rw");
    rw.lock_shared();
    JoinHandle w = spawn("writer", [&] {
      rw.lock();
      order.push_back('W');
      rw.unlock();
    });
    JoinHandle r2 = spawn("reader2", [&] {
      rw.lock_shared();
      order.push_back('R');
      rw.unlock_shared();
    });
    yield_now();
    rw.unlock_shared();
    w.join();
    r2.join();
  }}, std::nullopt, [&](const Execution& ex) -> std::optional<std::string> {
    std::optional<std::string> bad;
    if (ex.outcome() != Outcome::kCompleted) bad = "not completed";
    // Tasks: 0 root, 1 writer, 2 reader2. The arrival steps, and whether the root still held
    // the lock (its unlock-shared not yet run) when the writer arrived.
    std::size_t writer_arrival = 0, reader_arrival = 0, root_release = 0;
    const auto& steps = ex.scheduler().steps();
    for (std::size_t i = 0; i < steps.size(); ++i) {
      const auto task = raw(steps[i].task);
      if (task == 1 && steps[i].op.kind == OpKind::kLock) writer_arrival = i;
      if (task == 2 && steps[i].op.kind == OpKind::kLockShared) reader_arrival = i;
      if (task == 0 && steps[i].op.kind == OpKind::kUnlockShared) root_release = i;
    }
    if (!bad && writer_arrival < reader_arrival && writer_arrival < root_release) {
      ++writer_first_cases;
      if (order != std::vector<char>{'W', 'R'}) bad = "a reader overtook a waiting writer";
    }
    order.clear();
    return bad;
  });
  EXPECT_EQ(r.failures, 0u) << (r.first_failure ? r.first_failure->message : "");
  EXPECT_GT(writer_first_cases, 0);
}

TEST(Channel, IsFifoAndCloseDrainsThenEnds) {
  std::vector<int> got;
  bool send_after_close = true;
  auto r = run_dfs({[&] {
    Channel<int> ch("ch");
    JoinHandle p = spawn("producer", [&] {
      for (int i = 1; i <= 3; ++i) ch.send(i);
      ch.close();
      send_after_close = ch.send(4);
    });
    while (auto v = ch.recv()) got.push_back(*v);
    p.join();
  }}, std::nullopt, [&](const Execution& ex) -> std::optional<std::string> {
    // A receiver waiting on the empty channel is woken by the close.
    if (ex.outcome() != Outcome::kCompleted) return "not completed";
    if (got != std::vector<int>{1, 2, 3}) return "not fifo";
    if (send_after_close) return "send after close succeeded";
    got.clear();
    return std::nullopt;
  });
  EXPECT_EQ(r.failures, 0u);
  EXPECT_GT(r.executions, 3u);
}

TEST(Channel, RecvUntilTimesOutAtTheDeadline) {
  std::int64_t woke_at = -1;
  bool timed_out = false;
  auto r = run_dfs({[&] {
    Channel<int> ch("ch");
    auto res = ch.recv_until(now() + 30min);
    timed_out = res.timed_out && !res.value;
    woke_at = now().time_since_epoch().count();
  }});
  EXPECT_EQ(r.failures, 0u);
  EXPECT_TRUE(timed_out);
  EXPECT_EQ(woke_at, std::chrono::nanoseconds(30min).count());
}

TEST(Channel, RecvUntilGetsAValueSentBeforeTheDeadline) {
  bool got_value = false;
  std::int64_t woke_at = -1;
  auto r = run_dfs({[&] {
    Channel<int> ch("ch");
    JoinHandle s = spawn("sender", [&] {
      sleep_until(now() + 5s);
      ch.send(7);
    });
    auto res = ch.recv_until(now() + 10s);
    got_value = res.value == 7;
    woke_at = now().time_since_epoch().count();
    s.join();
  }});
  EXPECT_EQ(r.failures, 0u);
  EXPECT_TRUE(got_value);
  EXPECT_EQ(woke_at, std::chrono::nanoseconds(5s).count());
}

TEST(Clock, TimersFireInDeadlineOrderAndTiesAreAChoice) {
  std::vector<int> order;
  std::vector<std::vector<int>> seen;
  auto sleeper = [&](int id, std::chrono::seconds d) {
    return [&, id, d] {
      sleep_until(now() + d);
      order.push_back(id);
      EXPECT_EQ(now().time_since_epoch(), std::chrono::nanoseconds(d));
    };
  };
  auto r = run_dfs({sleeper(3, 30s), sleeper(1, 10s), sleeper(2, 20s), sleeper(4, 30s)},
                   std::nullopt, [&](const Execution&) -> std::optional<std::string> {
                     seen.push_back(order);
                     order.clear();
                     return std::nullopt;
                   });
  EXPECT_EQ(r.failures, 0u);
  for (const auto& o : seen) {
    ASSERT_EQ(o.size(), 4u);
    EXPECT_EQ(o[0], 1);
    EXPECT_EQ(o[1], 2);
  }
  // Tasks 3 and 4 fall due together: both orders are explored.
  bool three_first = false;
  bool four_first = false;
  for (const auto& o : seen) (o[2] == 3 ? three_first : four_first) = true;
  EXPECT_TRUE(three_first);
  EXPECT_TRUE(four_first);
}

TEST(CondVar, NotifyWakesTheWaiterAndNoWakeUpIsLost) {
  bool ok = true;
  auto r = run_dfs({[&] {
    Mutex m("m");
    CondVar cv("cv");
    bool ready = false;
    JoinHandle w = spawn("waiter", [&] {
      m.lock();
      cv.wait(m, [&] { return ready; });
      if (!ready) ok = false;
      m.unlock();
    });
    m.lock();
    ready = true;
    cv.notify_one();
    m.unlock();
    w.join();
  }});
  EXPECT_EQ(r.failures, 0u) << (r.first_failure ? r.first_failure->message : "");
  EXPECT_TRUE(ok);
}

TEST(CondVar, NotifyBeforeWaitWithoutPredicateIsALostWakeUp) {
  auto r = run_dfs({[&] {
    Mutex m("m");
    CondVar cv("cv");
    JoinHandle w = spawn("waiter", [&] {
      m.lock();
      cv.wait(m);  // no predicate: misses a notify that came first
      m.unlock();
    });
    m.lock();
    cv.notify_one();
    m.unlock();
    w.join();
  }});
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->outcome, Outcome::kStuck);
  ASSERT_TRUE(r.first_failure->wait_for);
  EXPECT_TRUE(r.first_failure->wait_for->cycle.empty() ||
              r.first_failure->wait_for->blocked.size() >= 2);
}

TEST(Join, WaitsForTheTaskToFinish) {
  int done = 0;
  bool early = false;
  auto r = run_dfs({[&] {
    JoinHandle h = spawn("child", [&] {
      yield_now();
      done = 1;
    });
    h.join();
    if (done != 1) early = true;
  }});
  EXPECT_EQ(r.failures, 0u);
  EXPECT_FALSE(early);
}

TEST(Execution, AnExceptionInATaskFailsTheExecutionAndUnwindsTheOthers) {
  int destroyed = 0;
  struct Counted {
    int* n;
    ~Counted() { ++*n; }
  };
  auto r = run_dfs({[&] {
    Channel<int> never("never");
    spawn("blocked", [&] {
      Counted c{&destroyed};
      never.recv();
    });
    yield_now();
    throw std::runtime_error("boom");
  }});
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->outcome, Outcome::kFailed);
  EXPECT_NE(r.first_failure->message.find("boom"), std::string::npos);
  EXPECT_EQ(destroyed, 1);  // the blocked task was unwound (children before their spawner)
}

TEST(Execution, StepBoundEndsALivelock) {
  auto s = make_dfs_strategy({std::nullopt, 1});
  ExploreOptions o;
  o.execution.max_steps = 500;
  auto r = explore(*s, [] {
    for (;;) yield_now();
  }, o);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->outcome, Outcome::kStepBound);
  EXPECT_EQ(r.first_failure->steps.size(), 500u);
}

TEST(Execution, PrimitivesOutsideAnExecutionThrow) {
  Mutex m("m");
  EXPECT_THROW(m.lock(), std::logic_error);
  EXPECT_THROW(yield_now(), std::logic_error);
}

}  // namespace
}  // namespace lockstep::sim
