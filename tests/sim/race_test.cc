// The data-race detector (sim/race.h) on real races: unsynchronised accesses race in either
// order, read-write and write-write, and the report names both tasks and both lines; the
// failure is the property `data-race`, and its trace replays to the same failure.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <source_location>
#include <string>
#include <vector>

#include "sim/sim_runtime.h"
#include "tests/sim/race_support.h"
#include "traces/capture.h"
#include "traces/trace.h"

namespace lockstep::sim {
namespace {

using namespace std::chrono_literals;
using namespace race_testing;

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
