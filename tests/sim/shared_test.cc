// sim::Shared<T> and the data-race detector (sim/shared.h, sim/race.h): loads and stores are
// scheduling points; data handed over through a lock, a reader/writer lock, a channel (a value
// or its close), a spawn, a join or a condition variable never races; unsynchronised accesses
// race in either order, read-write and write-write, and the report names both tasks and both
// lines; the failure is the property `data-race`, and its trace replays to the same failure.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <source_location>
#include <string>
#include <vector>

#include "sim/sim_runtime.h"
#include "tests/support/harness.h"
#include "traces/capture.h"
#include "traces/trace.h"

namespace lockstep::sim {
namespace {

using namespace std::chrono_literals;
using testing::Tasks;

// "shared_test.cc:<line>": how a report names a site.
std::string site_text(const std::source_location& s) {
  return "shared_test.cc:" + std::to_string(s.line());
}

// Every execution of exhaustive DFS (race detection on unless `races` is false): the
// distinct data-race reports, and the executions that ended otherwise than completed or
// with a data race (stuck ones are allowed by `allow_stuck`).
struct Seen {
  std::uint64_t executions = 0;
  std::uint64_t racy = 0;
  std::uint64_t stuck = 0;
  std::uint64_t other_failures = 0;
  std::set<std::string> races;
  bool exhausted = false;
};

Seen explore_all(const Tasks& tasks, std::function<void()> before_each = {}, bool races = true) {
  Seen out;
  auto s = make_dfs_strategy({});
  ExploreOptions o;
  o.stop_on_failure = false;
  o.execution.detect_races = races;
  o.before_each = std::move(before_each);
  auto check = [&out](const Execution& ex) -> std::optional<std::string> {
    if (ex.failure_property() == kDataRace) {
      ++out.racy;
      out.races.insert(ex.failure());
      return ex.failure();
    }
    if (ex.outcome() == Outcome::kStuck) {
      ++out.stuck;
      return std::nullopt;
    }
    if (ex.outcome() != Outcome::kCompleted) {
      ++out.other_failures;
      return ex.failure();
    }
    return std::nullopt;
  };
  const ExploreResult r = explore_tasks(*s, tasks, o, check);
  out.executions = r.executions;
  out.exhausted = r.exhausted;
  return out;
}

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
  const Seen s = explore_all({writer, reader, writer, reader});
  EXPECT_TRUE(s.exhausted);
  EXPECT_EQ(s.racy, 0u) << *s.races.begin();
  EXPECT_EQ(s.other_failures, 0u);
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

// ------------------------------------------------------------------ real races

// Two tasks, one access each, nothing between them: every execution races, and both orders
// are reported, each naming the earlier access first.
void expect_race_in_both_orders(bool first_writes, bool second_writes) {
  auto x = std::make_shared<Shared<int>>("x", 0);
  const auto site0 = std::source_location::current();
  const auto site1 = std::source_location::current();
  auto access = [x](bool write, std::source_location site) {
    if (write) {
      x->store(1, site);
    } else {
      (void)x->load(site);
    }
  };
  const Seen s =
      explore_all({[=] { access(first_writes, site0); }, [=] { access(second_writes, site1); }});
  EXPECT_TRUE(s.exhausted);
  EXPECT_EQ(s.racy, s.executions);
  const std::string a = std::string("task 0 (task) ") + (first_writes ? "stores" : "loads") +
                        " at " + site_text(site0);
  const std::string b = std::string("task 1 (task) ") + (second_writes ? "stores" : "loads") +
                        " at " + site_text(site1);
  const std::string tail = ", and neither happens before the other";
  EXPECT_EQ(s.races, (std::set<std::string>{"data race on x#0: " + a + ", then " + b + tail,
                                            "data race on x#0: " + b + ", then " + a + tail}));
}

TEST(DataRace, WriteReadIsFoundInBothOrders) { expect_race_in_both_orders(true, false); }
TEST(DataRace, ReadWriteIsFoundInBothOrders) { expect_race_in_both_orders(false, true); }
TEST(DataRace, WriteWriteIsFoundInBothOrders) { expect_race_in_both_orders(true, true); }

TEST(DataRace, DifferentMutexesDoNotOrder) {
  auto a = std::make_shared<Mutex>("a");
  auto b = std::make_shared<Mutex>("b");
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto under = [x](std::shared_ptr<Mutex> m) {
    return [m, x] {
      m->lock();
      x->store(1);
      m->unlock();
    };
  };
  const Seen s = explore_all({under(a), under(b)});
  EXPECT_EQ(s.racy, s.executions);
}

TEST(DataRace, VirtualTimeDoesNotOrder) {
  // A sleep is not synchronisation: the store and the load race even though the load always
  // comes a second later in virtual time.
  auto x = std::make_shared<Shared<int>>("x", 0);
  const Seen s = explore_all({[x] { x->store(1); },
                              [x] {
                                sleep_until(now() + 1s);
                                (void)x->load();
                              }});
  EXPECT_EQ(s.racy, s.executions);
}

TEST(DataRace, AWriteIsCheckedAgainstEveryConcurrentRead) {
  // Tasks 0 and 1 read concurrently (the reads become a per-task vector); task 1 then hands
  // over to task 2, which writes: ordered after task 1's read, not after task 0's.
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto ch = std::make_shared<Channel<int>>("ch");
  const auto read0 = std::source_location::current();
  const Seen s = explore_all({[=] { (void)x->load(read0); },
                              [x, ch] {
                                (void)x->load();
                                ch->send(1);
                              },
                              [x, ch] {
                                ch->recv();
                                x->store(2);
                              }});
  EXPECT_EQ(s.racy, s.executions);
  for (const std::string& r : s.races) {
    EXPECT_NE(r.find("task 0 (task) loads at " + site_text(read0)), std::string::npos) << r;
    EXPECT_EQ(r.find("task 1"), std::string::npos) << r;
  }
}

TEST(DataRace, HappensBeforeIsTransitive) {
  // Task 0 writes then unlocks; task 1 locks after it and sends; task 2 receives and reads:
  // ordered through two different edges. Without the lock edge, a race.
  auto m = std::make_shared<Mutex>("m");
  auto ch = std::make_shared<Channel<int>>("ch");
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto flag = std::make_shared<Shared<bool>>("written", false);
  const Seen s = explore_all({[=] {
                                m->lock();
                                x->store(1);
                                flag->store(true);
                                m->unlock();
                              },
                              [=] {
                                m->lock();
                                const bool written = flag->load();
                                m->unlock();
                                ch->send(written ? 1 : 0);
                              },
                              [=] {
                                if (ch->recv().value_or(0) == 1) (void)x->load();
                              }});
  EXPECT_TRUE(s.exhausted);
  EXPECT_EQ(s.racy, 0u) << *s.races.begin();
}

TEST(DataRace, ClocksGrowPastSixtyFourTasks) {
  // 100 children increment under a mutex (no race); then child 99 and the root write without
  // it: the race names task 100 (the last child), whatever the schedule.
  auto m = std::make_shared<Mutex>("m");
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto late = std::make_shared<Shared<int>>("late", 0);
  auto s = make_random_strategy({3, 5});
  ExploreOptions o;
  o.stop_on_failure = false;
  std::set<std::string> races;
  auto r = explore_tasks(*s, {[=] {
    std::vector<JoinHandle> children;
    for (int i = 0; i < 100; ++i) {
      children.push_back(spawn("child", [=] {
        m->lock();
        x->update([](int v) { return v + 1; });
        m->unlock();
        if (i == 99) late->store(1);
      }));
    }
    late->store(2);
    for (auto& c : children) c.join();
  }},
                         o, [&](const Execution& ex) -> std::optional<std::string> {
                           if (ex.failure_property() == kDataRace) races.insert(ex.failure());
                           return std::nullopt;
                         });
  EXPECT_EQ(r.executions, 5u);
  ASSERT_FALSE(races.empty());
  for (const std::string& msg : races) {
    EXPECT_NE(msg.find("data race on late#0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("task 100 (child) stores"), std::string::npos) << msg;
    EXPECT_NE(msg.find("task 0 (root) stores"), std::string::npos) << msg;
  }
}

TEST(DataRace, DetectionCanBeTurnedOff) {
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto store = [x] { x->store(1); };
  const Seen s = explore_all({store, store}, {}, /*races=*/false);
  EXPECT_EQ(s.racy, 0u);
  EXPECT_EQ(s.other_failures, 0u);
}

// ------------------------------------------------------------------ reporting and replay

TEST(DataRace, IsAFailureWithItsPropertyAndATraceThatReplaysToIt) {
  auto x = std::make_shared<Shared<int>>("x", 0);
  auto inc = [x] { x->update([](int v) { return v + 1; }); };
  const Tasks tasks{inc, inc};
  auto dfs = make_dfs_strategy({});
  const ExploreResult r = explore_tasks(*dfs, tasks);
  ASSERT_TRUE(r.first_failure);
  EXPECT_EQ(r.first_failure->index, 0u);  // the first execution already races
  EXPECT_EQ(r.first_failure->outcome, Outcome::kFailed);
  EXPECT_EQ(r.first_failure->property, kDataRace);
  const std::string message = r.first_failure->message;

  // Through a trace: JSON and back, then the replay strategy.
  auto s = make_dfs_strategy({});
  Scheduler scheduler(*s);
  Execution ex(scheduler);
  scheduler.begin_execution();
  ex.run_tasks(tasks);
  ASSERT_EQ(ex.failure_property(), kDataRace);
  traces::Trace t;
  traces::capture_execution(ex, t);
  t.failure = traces::TraceFailure{std::string(ex.failure_property()),
                                   ex.failure(),
                                   {},
                                   static_cast<std::int64_t>(ex.step()) - 1};
  const traces::Trace back = traces::parse_trace(traces::to_json(t));
  EXPECT_EQ(back, t);
  EXPECT_EQ(back.failure->property, "data-race");
  auto replay = make_replay_strategy(traces::replay_options(back));
  const ExploreResult again = explore_tasks(*replay, tasks);
  ASSERT_TRUE(again.first_failure);
  EXPECT_EQ(again.first_failure->property, kDataRace);
  EXPECT_EQ(again.first_failure->message, message);
  EXPECT_EQ(replay->divergence(), "");
  bool has_load = false, has_store = false;
  for (const traces::TraceStep& step : back.steps) {
    has_load |= step.op == OpKind::kLoad;
    has_store |= step.op == OpKind::kStore;
  }
  EXPECT_TRUE(has_load && has_store);
}

}  // namespace
}  // namespace lockstep::sim
