// tests/properties/pool_integrity_test.cc: property 7 on hand-built logs, one test per way it
// can be violated (properties/pool_integrity.cc lists them as (a)..(g)), and the legitimate
// logs next to each that must pass.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/properties/log_builder.h"

namespace lockstep::properties::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using namespace std::chrono_literals;
constexpr Property kP = Property::kPoolIntegrity;

// Session #1 of t0 created at 0:00 by a get_or_create; idle timeout 10 minutes (the default).
struct Pool {
  LogBuilder b;
  std::uint32_t loop = b.client_loop(0);
  std::uint32_t cleanup = b.task("cleanup");
  Pool() {
    b.workload.cleanup.idle_timeout = std::chrono::minutes(10);
    b.at(0ms);
    b.begin(loop, OpKind::kGetOrCreate, t(0));
    b.session(loop, RecordKind::kPoolEntryAdded, t(0), 1);
    b.end(loop, OpKind::kGetOrCreate, t(0));
  }
  void prompt_begin(std::uint64_t id = 1, ThreadId th = t(0)) {
    b.begin(loop, OpKind::kPrompt, th);
    b.session(loop, RecordKind::kPromptBegin, th, id);
  }
  void prompt_end(std::uint64_t id = 1, OpError e = OpError::kNone, ThreadId th = t(0)) {
    b.session(loop, RecordKind::kPromptEnd, th, id, e);
    b.end(loop, OpKind::kPrompt, th, {}, e);
  }
  void remove(std::uint64_t id = 1) {
    b.begin(cleanup, OpKind::kCleanupIdle);
    b.session(cleanup, RecordKind::kPoolEntryRemoved, t(0), id);
    b.end(cleanup, OpKind::kCleanupIdle);
  }
};

TEST(PoolIntegrity, PromptThenIdleRemovalPasses) {
  Pool p;
  p.prompt_begin();
  p.b.at(5min);
  p.prompt_end();
  p.b.at(15min);
  p.remove();
  EXPECT_TRUE(p.b.check_only(kP).empty());
}

// (a)
TEST(PoolIntegrity, RemovalWhileAPromptRunsIsCaught) {
  Pool p;
  p.prompt_begin();
  p.b.at(30min);
  p.remove();
  EXPECT_THAT(only_violation(p.b, kP), AllOf(HasSubstr("Cleanup removed session #1 of t0"),
                                             HasSubstr("while a prompt was running on it")));
}

TEST(PoolIntegrity, PromptOnASessionRemovedJustBeforePasses) {
  // The prompt looked the session up, cleanup removed it (idle), then the prompt locked it.
  Pool p;
  p.b.at(15min);
  p.remove();
  p.prompt_begin();
  p.prompt_end();
  EXPECT_TRUE(p.b.check_only(kP).empty());
}

// (b)
TEST(PoolIntegrity, ReplacementWhileAPromptRunsIsCaught) {
  Pool p;
  p.prompt_begin();
  const auto other = p.b.client_loop(1);
  p.b.session(other, RecordKind::kPoolEntryAdded, t(0), 2);
  EXPECT_THAT(only_violation(p.b, kP),
              HasSubstr("replacing session #1 while a prompt was running"));
}

// (c)
TEST(PoolIntegrity, RemovalOfARecentlyCreatedSessionIsCaught) {
  Pool p;
  p.b.at(9min);
  p.remove();
  EXPECT_THAT(only_violation(p.b, kP), AllOf(HasSubstr("(its creation at #"),
                                             HasSubstr("cleanup removes only idle sessions")));
}

// (c), activity from a prompt's end.
TEST(PoolIntegrity, RemovalSoonAfterAPromptIsCaught) {
  Pool p;
  p.prompt_begin();
  p.b.at(20min);
  p.prompt_end();
  p.b.at(25min);
  p.remove();
  EXPECT_THAT(only_violation(p.b, kP), HasSubstr("last active at 20:00.000 (a prompt's end"));
}

TEST(PoolIntegrity, RemovalExactlyAtTheTimeoutAndOfADeadSessionPass) {
  Pool exact;
  exact.b.at(10min);
  exact.remove();
  EXPECT_TRUE(exact.b.check_only(kP).empty());
  Pool dead;
  dead.prompt_begin();
  dead.b.at(1min);
  dead.prompt_end(1, OpError::kAgentDead);
  dead.remove();  // dead: idle at once
  EXPECT_TRUE(dead.b.check_only(kP).empty());
}

// (d)
TEST(PoolIntegrity, SecondSessionWhileOneIsAliveIsCaught) {
  Pool p;
  p.b.session(p.loop, RecordKind::kPoolEntryAdded, t(0), 2);
  EXPECT_THAT(only_violation(p.b, kP),
              AllOf(HasSubstr("session #2 was created for t0"), HasSubstr("although session #1")));
}

TEST(PoolIntegrity, ReplacingADeadSessionPasses) {
  Pool p;
  p.prompt_begin();
  p.prompt_end(1, OpError::kAgentDead);
  p.b.begin(p.loop, OpKind::kGetOrCreate, t(0));
  p.b.session(p.loop, RecordKind::kPoolEntryAdded, t(0), 2);
  p.b.end(p.loop, OpKind::kGetOrCreate, t(0));
  p.prompt_begin(2);
  p.prompt_end(2);
  EXPECT_TRUE(p.b.check_only(kP).empty());
}

// (e), three ways.
TEST(PoolIntegrity, ReturningAnotherThreadsSessionIsCaught) {
  Pool p;
  p.b.begin(p.loop, OpKind::kGetOrCreate, t(1));
  p.b.session(p.loop, RecordKind::kSessionReturned, t(1), 1);
  EXPECT_THAT(only_violation(p.b, kP), AllOf(HasSubstr("get_or_create(t1) returned session #1"),
                                             HasSubstr("session #1 was created for t0")));
}

TEST(PoolIntegrity, ReturningANeverCreatedSessionIsCaught) {
  Pool p;
  p.b.begin(p.loop, OpKind::kGetOrCreate, t(0));
  p.b.session(p.loop, RecordKind::kSessionReturned, t(0), 7);
  EXPECT_THAT(only_violation(p.b, kP), HasSubstr("session #7 was never created"));
}

TEST(PoolIntegrity, ReturningASessionRemovedBeforeTheCallIsCaught) {
  Pool p;
  p.b.at(15min);
  p.remove();
  p.b.begin(p.loop, OpKind::kGetOrCreate, t(0));
  p.b.session(p.loop, RecordKind::kSessionReturned, t(0), 1);
  EXPECT_THAT(only_violation(p.b, kP), HasSubstr("which cleanup had removed before the call"));
}

TEST(PoolIntegrity, ReturningASessionRemovedDuringTheCallPasses) {
  // The call found the session, cleanup removed it (idle), the call returned it.
  Pool p;
  p.b.at(15min);
  p.b.begin(p.loop, OpKind::kGetOrCreate, t(0));
  p.remove();
  p.b.session(p.loop, RecordKind::kSessionReturned, t(0), 1);
  p.b.end(p.loop, OpKind::kGetOrCreate, t(0));
  EXPECT_TRUE(p.b.check_only(kP).empty());
}

// (f)
TEST(PoolIntegrity, ReturningADeadSessionIsCaught) {
  Pool p;
  p.prompt_begin();
  p.prompt_end(1, OpError::kAgentDead);
  p.b.begin(p.loop, OpKind::kGetOrCreate, t(0));
  p.b.session(p.loop, RecordKind::kSessionReturned, t(0), 1);
  EXPECT_THAT(only_violation(p.b, kP), HasSubstr("whose agent had died"));
}

TEST(PoolIntegrity, ReturningASessionThatDiedDuringTheCallPasses) {
  // The call looked up no session, another task created #1 and its prompt died, then the call
  // took the pool lock and found #1 created meanwhile.
  Pool p;
  const auto other = p.b.client_loop(1);
  p.b.begin(other, OpKind::kGetOrCreate, t(0));
  p.prompt_begin();
  p.prompt_end(1, OpError::kAgentDead);
  p.b.session(other, RecordKind::kSessionReturned, t(0), 1);
  p.b.end(other, OpKind::kGetOrCreate, t(0));
  EXPECT_TRUE(p.b.check_only(kP).empty());
}

// (g), two ways.
TEST(PoolIntegrity, PromptOnAnotherThreadsSessionIsCaught) {
  Pool p;
  p.prompt_begin(1, t(2));
  EXPECT_THAT(only_violation(p.b, kP), HasSubstr("A prompt of t2 began on session #1"));
}

TEST(PoolIntegrity, PromptOnADeadSessionIsCaught) {
  Pool p;
  p.prompt_begin();
  p.prompt_end(1, OpError::kAgentDead);
  p.prompt_begin();
  EXPECT_THAT(only_violation(p.b, kP),
              AllOf(HasSubstr("began on session #1"), HasSubstr("whose agent had died")));
}

TEST(PoolIntegrity, IsOneOfTheSevenAndParses) {
  EXPECT_EQ(kAllProperties.size(), 7u);
  EXPECT_EQ(property_name(kP), "pool-integrity");
  EXPECT_EQ(parse_property("pool-integrity"), kP);
  EXPECT_THAT(property_names(), HasSubstr("liveness, pool-integrity"));
}

}  // namespace
}  // namespace lockstep::properties::testing
