// PCT finds ordering bugs of depth 2 and 3 within a stated budget where random search needs
// far more executions; both counts are printed. Each bug's fixed version passes.
#include <gtest/gtest.h>

#include <cstdio>

#include "sim/sim_runtime.h"
#include "tests/support/harness.h"

namespace lockstep::sim {
namespace {

constexpr int kRun = 10;  // steps in each phase of task A

// Task A publishes x = 1 after kRun steps, x = 2 after 2*kRun, x = 3 after 3*kRun.
// Depth 2: task B's single check must see x == 1: B must wait kRun steps of A, then run
//   before A goes on (two ordering constraints).
// Depth 3: B checks x == 1, then after a yield checks x == 3: A must run again in between.
// Fixed: B waits on a channel for A's signal instead of guessing; the bug cannot happen.
struct Program {
  int x = 0;
  bool bug = false;
};

testing::Tasks depth_program(std::shared_ptr<Program> p, int depth) {
  auto a = [p] {
    for (int phase = 1; phase <= 3; ++phase) {
      for (int i = 0; i < kRun; ++i) yield_now();
      p->x = phase;
    }
  };
  auto b = [p, depth] {
    yield_now();  // B's check is its own step (code before a task's first point runs at spawn)
    if (p->x != 1) return;
    if (depth == 2) {
      p->bug = true;
      return;
    }
    yield_now();
    if (p->x == 3) p->bug = true;
  };
  return {a, b};
}

CheckFn bug_check(std::shared_ptr<Program> p) {
  return [p](const Execution&) -> std::optional<std::string> {
    const bool bug = p->bug;
    p->x = 0;
    p->bug = false;
    if (bug) return std::string("ordering bug");
    return std::nullopt;
  };
}

std::uint64_t executions_to_find(const sim::ExploreResult& r) {
  return r.first_failure ? r.first_failure->index + 1 : 0;
}

void compare(int depth, std::uint64_t budget) {
  auto p = std::make_shared<Program>();
  auto pct = testing::run_pct(depth_program(p, depth), 1, budget, depth, bug_check(p));
  auto rnd = testing::run_random(depth_program(p, depth), 1, budget, bug_check(p));
  std::printf("depth %d, budget %llu: pct found after %llu executions, random %s%llu\n", depth,
              static_cast<unsigned long long>(budget),
              static_cast<unsigned long long>(executions_to_find(pct)),
              rnd.first_failure ? "after " : "not at all in ",
              static_cast<unsigned long long>(rnd.first_failure ? executions_to_find(rnd)
                                                                : rnd.executions));
  ASSERT_TRUE(pct.first_failure) << "PCT missed the depth-" << depth << " bug";
  if (rnd.first_failure) {
    EXPECT_LT(executions_to_find(pct), executions_to_find(rnd));
  }
}

TEST(Pct, FindsTheDepthTwoBugWhereRandomNeedsFarMore) { compare(2, 2000); }
TEST(Pct, FindsTheDepthThreeBugWhereRandomNeedsFarMore) { compare(3, 20000); }

TEST(Pct, FixedProgramPassesTheSameBudget) {
  bool bug = false;
  auto fixed = [&](int depth) {
    auto ch = std::make_shared<Channel<int>>("signal");
    auto x = std::make_shared<int>(0);
    auto a = [ch, x] {
      for (int phase = 1; phase <= 3; ++phase) {
        for (int i = 0; i < kRun; ++i) yield_now();
        *x = phase;
        ch->send(phase);
      }
    };
    auto b = [&bug, ch, x, depth] {
      yield_now();
      // Waits to be told instead of sampling x; the values it sees are the signalled ones.
      const auto v = ch->recv();
      if (v != *x && *x < 2) bug = true;
      if (depth == 3) ch->recv();
    };
    return testing::Tasks{a, b};
  };
  for (int depth : {2, 3}) {
    auto r = testing::run_pct(fixed(depth), 1, 2000, depth, testing::flag_check(bug, "bug"));
    EXPECT_EQ(r.failures, 0u) << (r.first_failure ? r.first_failure->message : "");
    EXPECT_EQ(r.executions, 2000u);
  }
}

TEST(Pct, SameSeedSamePicks) {
  auto p = std::make_shared<Program>();
  auto r1 = testing::run_pct(depth_program(p, 3), 42, 3000, 3, bug_check(p));
  auto r2 = testing::run_pct(depth_program(p, 3), 42, 3000, 3, bug_check(p));
  ASSERT_EQ(r1.first_failure.has_value(), r2.first_failure.has_value());
  if (r1.first_failure) {
    EXPECT_EQ(r1.first_failure->index, r2.first_failure->index);
    EXPECT_EQ(r1.first_failure->steps.size(), r2.first_failure->steps.size());
  }
}

}  // namespace
}  // namespace lockstep::sim
