// sim::Shared<T> and the data-race detector (sim/shared.h, sim/race.h): loads and stores are
// scheduling points; data handed over through a lock, a reader/writer lock, a channel (a value
// or its close), a spawn, a join or a condition variable never races. Real races, reports and
// replay: race_test.cc.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <source_location>
#include <string>
#include <vector>

#include "sim/sim_runtime.h"
#include "tests/sim/race_support.h"

namespace lockstep::sim {
namespace {

using namespace std::chrono_literals;
using namespace race_testing;

// ------------------------------------------------------------------ the variable itself

TEST(Shared, LoadsAndStoresAreSchedulingPoints) {
  // One task: store, load, exit. The steps are exactly those, in that order, on one object.
  Shared<int> x("x", 5);
  int seen = 0;
  auto s = make_random_strategy({0, 2});
  Scheduler scheduler(*s);
  Execution ex(scheduler);
  scheduler.begin_execution();
  ex.run([&] {
    x.store(7);
    seen = x.load();
  });
  ASSERT_EQ(ex.outcome(), Outcome::kCompleted);
  EXPECT_EQ(seen, 7);
  const auto& steps = scheduler.steps();
  ASSERT_EQ(steps.size(), 3u);
  EXPECT_EQ(steps[0].op.kind, OpKind::kStore);
  EXPECT_EQ(steps[1].op.kind, OpKind::kLoad);
  EXPECT_EQ(steps[0].op.object, steps[1].op.object);
  EXPECT_EQ(steps[2].op.kind, OpKind::kExit);
  EXPECT_EQ(ex.object_name(steps[0].op.object), "x#0");
  EXPECT_EQ(op_kind_name(OpKind::kLoad), "load");
  EXPECT_EQ(op_kind_name(OpKind::kStore), "store");
  // A later execution starts from the value the variable was constructed with.
  scheduler.end_execution({ex.outcome(), ex.step(), false});
  scheduler.begin_execution();
  ex.run([&] { seen = x.load(); });
  EXPECT_EQ(seen, 5);
}

TEST(Shared, UpdateIsTwoOperationsAndLosesUpdatesUnlocked) {
  // update() is a load then a store, with a point before each: with race detection off, DFS
  // reaches both final values of two unlocked increments (1 when both loads come first).
  auto x = std::make_shared<Shared<int>>("x", 0);
  std::set<int> finals;
  auto inc = [x] { x->update([](int v) { return v + 1; }); };
  auto s = make_dfs_strategy({});
  ExploreOptions o;
  o.execution.detect_races = false;
  auto r = explore_tasks(*s, {inc, inc}, o, [&](const Execution&) -> std::optional<std::string> {
    finals.insert(x->peek());
    return std::nullopt;
  });
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(r.failures, 0u);
  // Tasks of three steps each (load, store, exit): C(6,3) = 20 interleavings.
  EXPECT_EQ(r.executions, 20u);
  EXPECT_EQ(finals, (std::set<int>{1, 2}));
}

// ------------------------------------------------------------------ no false races

TEST(DataRace, NoneThroughAMutex) {
  auto m = std::make_shared<Mutex>("m");
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto inc = [m, x] {
    m->lock();
    x->update([](int v) { return v + 1; });
    m->unlock();
  };
  const Seen s = explore_all({inc, inc, inc});
  EXPECT_TRUE(s.exhausted);
  EXPECT_GT(s.executions, 1u);
  EXPECT_EQ(s.racy, 0u) << *s.races.begin();
  EXPECT_EQ(s.other_failures, 0u);
}

TEST(DataRace, NoneThroughAReaderWriterLock) {
  // A writer's release orders later readers and writers; readers' releases order a later
  // writer. Readers read concurrently with each other.
  auto rw = std::make_shared<SharedMutex>("rw");
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto writer = [rw, x] {
    rw->lock();
    x->store(x->load() + 1);
    rw->unlock();
  };
  auto reader = [rw, x] {
    rw->lock_shared();
    (void)x->load();
    rw->unlock_shared();
  };
  // Every order of three tasks, twice: two writers and a reader (write -> write, write ->
  // read, read -> write), and two readers and a writer (reads that overlap, and both orders
  // against the write). Four tasks at once cover the same edges but took 17 s of CPU in an
  // optimised build (each contended acquisition is two scheduling points); these take 0.03 s.
  for (const Tasks& tasks : {Tasks{writer, reader, writer}, Tasks{reader, writer, reader}}) {
    const Seen s = explore_all(tasks);
    EXPECT_TRUE(s.exhausted);
    EXPECT_EQ(s.racy, 0u) << *s.races.begin();
    EXPECT_EQ(s.other_failures, 0u);
    EXPECT_GT(s.executions, 1u);
  }
}

TEST(DataRace, NoneThroughAChannelValueOrItsClose) {
  auto ch = std::make_shared<Channel<int>>("ch");
  auto done = std::make_shared<Channel<int>>("done");
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto y = std::make_shared<Shared<int>>("y", 0);
  auto producer = [ch, done, x, y] {
    x->store(1);
    ch->send(1);
    y->store(2);
    done->close();
  };
  auto consumer = [ch, done, x, y] {
    if (ch->recv()) (void)x->load();
    if (!done->recv()) (void)y->load();  // closed and drained
  };
  const Seen s = explore_all({producer, consumer});
  EXPECT_TRUE(s.exhausted);
  EXPECT_EQ(s.racy, 0u) << *s.races.begin();
  EXPECT_EQ(s.other_failures, 0u);
}

TEST(DataRace, NoneThroughSpawnAndJoin) {
  auto x = std::make_shared<Shared<int>>("x", 0);
  const Seen s = explore_all({[x] {
    x->store(1);  // before the spawn: the child sees it
    JoinHandle child = spawn("child", [x] { x->store(x->load() + 1); });
    JoinHandle other = spawn("other", [] { yield_now(); });
    child.join();
    (void)x->load();  // after the join
    x->store(3);
    other.join();
  }});
  EXPECT_TRUE(s.exhausted);
  EXPECT_GT(s.executions, 1u);
  EXPECT_EQ(s.racy, 0u) << *s.races.begin();
  EXPECT_EQ(s.other_failures, 0u);
}

TEST(DataRace, NoneThroughAConditionVariable) {
  // The producer writes without the mutex and notifies; the waiter is ordered after the
  // notify that wakes it (not by the mutex: the producer never takes it). When the notify
  // comes first the wake-up is lost and the waiter blocks forever: stuck, never a race.
  auto m = std::make_shared<Mutex>("m");
  auto cv = std::make_shared<CondVar>("cv");
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto producer = [cv, x] {
    x->store(1);
    cv->notify_one();
  };
  auto waiter = [m, cv, x] {
    m->lock();
    cv->wait(*m);
    m->unlock();
    (void)x->load();
  };
  const Seen s = explore_all({producer, waiter});
  EXPECT_TRUE(s.exhausted);
  EXPECT_EQ(s.racy, 0u) << *s.races.begin();
  EXPECT_GT(s.stuck, 0u);
  EXPECT_GT(s.executions, s.stuck);  // some executions complete, with the load after the wait
  EXPECT_EQ(s.other_failures, 0u);
}

TEST(DataRace, ChannelClocksFollowTheirValues) {
  // Each value is sent after the store of its own variable; the receiver loads the variable
  // of the value it got. Two values may wait in the channel while a third is sent (the clock
  // queue wraps): each receive is still ordered after the store of its value.
  auto ch = std::make_shared<Channel<int>>("ch");
  auto vars = std::make_shared<std::vector<std::unique_ptr<Shared<int>>>>();
  for (int i = 0; i < 3; ++i) vars->push_back(std::make_unique<Shared<int>>("v", 0));
  auto producer = [ch, vars] {
    for (int i = 0; i < 3; ++i) {
      (*vars)[static_cast<std::size_t>(i)]->store(i + 1);
      ch->send(i);
    }
  };
  auto consumer = [ch, vars] {
    for (int i = 0; i < 3; ++i) (void)(*vars)[static_cast<std::size_t>(*ch->recv())]->load();
  };
  const Seen s = explore_all({producer, consumer});
  EXPECT_TRUE(s.exhausted);
  EXPECT_EQ(s.racy, 0u) << *s.races.begin();
}

TEST(DataRace, AReceiveIsOrderedOnlyAfterTheSendOfItsValue) {
  // The store comes after the first send: the receiver of the first value is not ordered
  // after it, even when the second value is already queued when it receives.
  auto ch = std::make_shared<Channel<int>>("ch");
  auto x = std::make_shared<Shared<int>>("x", 0);
  const Seen s = explore_all({[ch, x] {
                                ch->send(0);
                                x->store(1);
                                ch->send(1);
                              },
                              [ch, x] {
                                ch->recv();
                                (void)x->load();
                                ch->recv();
                              }});
  EXPECT_EQ(s.racy, s.executions);
}

TEST(DataRace, AccessesAfterAnUnlockAreNotOrderedByIt) {
  // Each task's access follows its critical section: whichever section comes first, the
  // other task's lock is not ordered after the access.
  auto m = std::make_shared<Mutex>("m");
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto section = [m] {
    m->lock();
    m->unlock();
  };
  const Seen s = explore_all({[=] {
                                section();
                                x->store(1);
                              },
                              [=] {
                                section();
                                (void)x->load();
                              }});
  EXPECT_EQ(s.racy, s.executions);
}

TEST(DataRace, LoadsNeverRaceWithLoads) {
  auto x = std::make_shared<Shared<int>>("x", 1);
  auto load = [x] { (void)x->load(); };
  const Seen s = explore_all({load, load, load});
  EXPECT_EQ(s.racy, 0u);
}

}  // namespace
}  // namespace lockstep::sim
