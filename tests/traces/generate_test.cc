// The workload generator (traces/generate.h): deterministic, covering, biased towards the
// races it is meant to set up (asserted on the workloads' structure), and its failures shrink
// to a trace that fails with the same property.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "traces/explore.h"
#include "traces/generate.h"
#include "traces/scenarios.h"
#include "traces/shrink.h"

namespace lockstep::traces {
namespace {

using impl::EventKind;
using impl::OpKind;
using impl::StallKind;
using impl::ThreadId;
using impl::Workload;

constexpr std::uint64_t kDraws = 400;

std::string dump(const Workload& w) { return impl::workload_to_json(w).dump(); }

TEST(Generate, SameSeedSameWorkloadsInAnyDrawOrder) {
  std::vector<std::string> forward;
  for (std::uint64_t i = 0; i < 50; ++i) forward.push_back(dump(generate_workload(7, i)));
  // Drawn backwards, alone: workload i depends on (seed, i) only.
  for (std::uint64_t i = 50; i-- > 0;) EXPECT_EQ(dump(generate_workload(7, i)), forward[i]) << i;
  std::set<std::string> distinct(forward.begin(), forward.end());
  EXPECT_GT(distinct.size(), 45u) << "the series should not repeat itself";
  std::size_t same_as_other_seed = 0;
  for (std::uint64_t i = 0; i < 50; ++i) same_as_other_seed += dump(generate_workload(8, i)) == forward[i];
  EXPECT_LT(same_as_other_seed, 5u) << "another seed gives another series";
  EXPECT_NE(exploration_seed(7, 0), exploration_seed(7, 1));
  EXPECT_EQ(exploration_seed(7, 3), exploration_seed(7, 3));
  EXPECT_EQ(generated_program(7, 3), "generated:seed7:w3");
}

TEST(Generate, WorkloadsAreValidSmallAndRoundTripThroughJson) {
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const Workload w = generate_workload(1, i);
    ASSERT_EQ(impl::validate(w), "") << i;
    std::size_t ops = 0;
    for (const auto& c : w.clients) ops += c.ops.size();
    EXPECT_GE(ops, 2u) << i;
    EXPECT_LE(ops, 40u) << i;
    EXPECT_EQ(impl::workload_from_json(impl::workload_to_json(w)), w) << i;
    EXPECT_GT(w.settle, w.unload_delay) << "idle unloads come due before the run ends";
  }
}

// What one workload sets up, read from its structure alone.
struct Shape {
  bool timed_at_deadline = false;   // an attach at the idle-unload deadline (+-1 ms) of a
                                    // thread another connection started
  bool resume_during_emits = false;  // a thread emitted twice or more on one loop, resumed on another
  bool reconnect = false;            // connect, ..., disconnect, ..., connect on one loop
  bool cleanup_during_prompt = false;  // ticks past the idle timeout while a prompt stalls past it
  bool threads_per_connection = false;  // a loop names two threads or more
  bool connections_per_thread = false;  // a thread named by two loops or more
  bool attach_vs_disconnect = false;    // a start, then its own loop's disconnect
};

Shape shape_of(const Workload& w) {
  Shape s;
  std::map<ThreadId, std::set<std::uint32_t>> starters, loops_of, emitters, resumers;
  std::map<ThreadId, std::map<std::uint32_t, int>> emits;
  for (const auto& c : w.clients) {
    const std::uint32_t cid = impl::raw(c.connection);
    std::set<ThreadId> named;
    bool connected_once = false, disconnected = false, started = false;
    for (const auto& op : c.ops) {
      if (op.thread) {
        named.insert(*op.thread);
        loops_of[*op.thread].insert(cid);
      }
      switch (op.kind) {
        case OpKind::kStart: starters[*op.thread].insert(cid); started = true; break;
        case OpKind::kEmit: ++emits[*op.thread][cid]; break;
        case OpKind::kResume: resumers[*op.thread].insert(cid); break;
        case OpKind::kConnect:
          if (disconnected) s.reconnect = true;
          connected_once = true;
          break;
        case OpKind::kDisconnect:
          disconnected = connected_once;
          if (started) s.attach_vs_disconnect = true;
          break;
        default: break;
      }
    }
    s.threads_per_connection = s.threads_per_connection || named.size() >= 2;
  }
  for (const auto& [t, loops] : loops_of) s.connections_per_thread |= loops.size() >= 2;
  for (const auto& [t, by] : emits) {
    for (const auto& [cid, n] : by) {
      if (n < 2) continue;
      for (std::uint32_t r : resumers[t]) s.resume_during_emits |= r != cid;
    }
  }
  for (const auto& c : w.clients) {
    for (const auto& op : c.ops) {
      const bool attach = op.kind == OpKind::kSubscribe || op.kind == OpKind::kResume;
      if (!attach || op.at.count() == 0) continue;
      const auto& by = starters[*op.thread];
      const bool other = by.size() > (by.contains(impl::raw(c.connection)) ? 1u : 0u);
      // The deadline of a thread loaded at 0 (or at its start's hang-for delay).
      std::set<std::int64_t> deadlines{w.unload_delay.count()};
      for (const auto& c2 : w.clients) {
        for (const auto& o : c2.ops) {
          if (o.kind == OpKind::kStart && o.thread == op.thread &&
              o.stall.kind == StallKind::kHangFor) {
            deadlines.insert(o.stall.delay.count() + w.unload_delay.count());
          }
        }
      }
      for (std::int64_t d : deadlines) {
        s.timed_at_deadline |= other && op.at.count() >= d - 1 && op.at.count() <= d + 1;
      }
    }
  }
  if (w.cleanup.ticks > 0 && w.cleanup.period * w.cleanup.ticks > w.cleanup.idle_timeout) {
    for (const auto& c : w.clients) {
      for (const auto& op : c.ops) {
        if (op.kind != OpKind::kPrompt) continue;
        s.cleanup_during_prompt |=
            op.stall.kind == StallKind::kHangForever ||
            (op.stall.kind == StallKind::kHangFor && op.stall.delay >= w.cleanup.idle_timeout);
      }
    }
  }
  return s;
}

TEST(Generate, CoversEveryOperationEventAndStall) {
  std::set<OpKind> ops;
  std::set<EventKind> events;
  std::set<StallKind> start_stalls, prompt_stalls;
  bool ticks = false;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const Workload w = generate_workload(1, i);
    ticks = ticks || w.cleanup.ticks > 0;
    for (const auto& c : w.clients) {
      for (const auto& op : c.ops) {
        ops.insert(op.kind);
        if (op.kind == OpKind::kEmit) events.insert(op.event);
        if (op.kind == OpKind::kStart) start_stalls.insert(op.stall.kind);
        if (op.kind == OpKind::kPrompt) prompt_stalls.insert(op.stall.kind);
        EXPECT_NE(op.stall.kind, StallKind::kTestCrash) << "test-only, never generated";
      }
    }
  }
  EXPECT_EQ(ops.size(), static_cast<std::size_t>(impl::kOpKindCount));
  EXPECT_EQ(events.size(), 4u);
  const std::set<StallKind> all{StallKind::kNone, StallKind::kHangForever, StallKind::kHangFor,
                                StallKind::kAgentDies};
  EXPECT_EQ(start_stalls, all);
  EXPECT_EQ(prompt_stalls, all);
  EXPECT_TRUE(ticks) << "background cleanup ticks";
}

TEST(Generate, BiasedTowardsTheRacesScenariosDoNotSetUp) {
  std::map<std::string, std::uint64_t> seen;
  for (std::uint64_t i = 0; i < kDraws; ++i) {
    const Shape s = shape_of(generate_workload(1, i));
    seen["an attach timed at the idle-unload deadline"] += s.timed_at_deadline;
    seen["a resume while the thread emits"] += s.resume_during_emits;
    seen["a reconnect"] += s.reconnect;
    seen["cleanup ticks past the idle timeout during a prompt"] += s.cleanup_during_prompt;
    seen["several threads on one connection"] += s.threads_per_connection;
    seen["several connections on one thread"] += s.connections_per_thread;
    seen["a start, then its loop's disconnect"] += s.attach_vs_disconnect;
  }
  // Each in at least 5% of the workloads (measured with seed 1: every one is above 8%).
  for (const auto& [what, n] : seen) {
    EXPECT_GE(n, kDraws / 20) << what << ": " << n;
    std::printf("%s: %llu of %llu\n", what.c_str(), static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(kDraws));
  }
}

// A generated workload that fails on a variant shrinks to a smaller workload that still fails
// with the same property, and the shrunk trace replays to that failure.
TEST(Generate, AFailingGeneratedWorkloadShrinksToTheSameProperty) {
  const auto design = impl::DesignVariant::kNoUnloadGuard;
  std::optional<Trace> failing;
  for (std::uint64_t i = 0; i < 40 && !failing; ++i) {
    ExploreConfig c;
    c.workload = generate_workload(1, i);
    c.design = design;
    c.strategy = sim::StrategyConfig{"pct"};
    c.strategy.seed = exploration_seed(1, i);
    c.strategy.executions = 100;
    c.program = generated_program(1, i);
    c.stop_when = expected_properties(design);
    const ExploreReport r = explore_workload(c);
    if (r.first_failure) failing = r.first_failure;
  }
  ASSERT_TRUE(failing) << "no-unload-guard is caught within 40 generated workloads";
  ShrinkOptions o;
  o.max_attempts = 600;
  const ShrinkResult s = shrink_trace(*failing, o);
  std::printf("shrunk: %zu -> %zu ops, %zu -> %zu steps\n", s.ops_before, s.ops_after,
              s.steps_before, s.steps_after);
  ASSERT_TRUE(s.trace.failure);
  EXPECT_EQ(s.trace.failure->property, failing->failure->property);
  // Fewer operations (the generated workload carries ops the failure does not need); the
  // schedule may get longer, as a smaller workload's failure is searched for again.
  EXPECT_LT(s.ops_after, s.ops_before);
  const ReplayReport again = replay_trace(s.trace);
  EXPECT_EQ(again.divergence, "");
  ASSERT_TRUE(again.trace.failure);
  EXPECT_EQ(again.trace.failure->property, failing->failure->property);
}

}  // namespace
}  // namespace lockstep::traces
