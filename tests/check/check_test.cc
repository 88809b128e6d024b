// tests/check/check_test.cc: the one-call API (check/check.h) through the umbrella header, as
// a user would call it: a lost update is found under every search, its trace is written before
// the report and replays to the same failure; the locked version passes and DFS exhausts it;
// bad trace files are one-line errors; a program that left its schedule is named a divergence.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <streambuf>
#include <string>

#include <lockstep/gtest.h>
#include <lockstep/sim.h>

#include "traces/trace.h"

namespace {

namespace fs = std::filesystem;

// Two tasks each add to a balance with a load and a store; without the lock one update can
// be lost. The final check runs in the root task after both joined.
struct Account {
  bool locked;
  void operator()() const {
    lockstep::Mutex m("account");
    lockstep::Shared<int> balance("balance", 100);
    auto deposit = [&](int amount) {
      if (locked) m.lock();
      const int b = balance.load();
      balance.store(b + amount);
      if (locked) m.unlock();
    };
    auto a = lockstep::spawn("deposit-10", [&] { deposit(10); });
    auto b = lockstep::spawn("deposit-20", [&] { deposit(20); });
    a.join();
    b.join();
    if (balance.load() != 130) lockstep::fail("lost update: balance " + std::to_string(balance.load()));
  }
};

std::string out_dir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const fs::path dir = fs::path(::testing::TempDir()) / "lockstep_check_test" / info->name();
  fs::remove_all(dir);
  return dir.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A log that records, at its first write, whether the trace already existed.
class WitnessBuf : public std::stringbuf {
 public:
  explicit WitnessBuf(std::string path) : path_(std::move(path)) {}
  bool trace_existed_at_first_write = false;
  bool written = false;

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (!written) trace_existed_at_first_write = fs::exists(path_);
    written = true;
    return std::stringbuf::xsputn(s, n);
  }
  int overflow(int c) override {
    if (!written) trace_existed_at_first_write = fs::exists(path_);
    written = true;
    return std::stringbuf::overflow(c);
  }

 private:
  std::string path_;
};

lockstep::CheckOptions quiet(lockstep::CheckOptions o, std::ostream& log, std::string name) {
  o.log = &log;
  o.name = std::move(name);
  o.out_dir = out_dir();
  o.detect_races = false;  // the lost update itself, not the race that causes it
  return o;
}

TEST(Check, DfsFindsTheLostUpdateWritesTheTraceFirstAndReplaysIt) {
  lockstep::CheckOptions o = quiet(lockstep::CheckOptions::dfs(), std::cerr, "lost-update");
  const std::string trace = fs::absolute(fs::path(o.out_dir) / "lost-update.trace.json")
                                .lexically_normal().string();
  WitnessBuf buf(trace);
  std::ostream log(&buf);
  o.log = &log;
  const lockstep::CheckResult r = lockstep::check(Account{false}, o);
  ASSERT_TRUE(r.failed);
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.property, "failed");
  EXPECT_NE(r.message.find("lost update"), std::string::npos) << r.message;
  EXPECT_EQ(r.trace_path, trace);
  EXPECT_TRUE(buf.trace_existed_at_first_write);
  // The report: the failure, the interleaving, the trace, and the replay command last.
  const std::string report = buf.str();
  EXPECT_EQ(report, r.report);
  EXPECT_NE(report.find("interleaving"), std::string::npos);
  EXPECT_NE(report.find("deposit-10"), std::string::npos);
  const std::string last = report.substr(report.rfind('\n', report.size() - 2) + 1);
  EXPECT_EQ(last, "replay: " + r.replay_command + "\n");
  EXPECT_EQ(r.replay_command.rfind("LOCKSTEP_REPLAY=" + trace + " ", 0), 0u) << r.replay_command;

  const lockstep::traces::Trace t = lockstep::traces::read_trace_file(trace);
  EXPECT_EQ(t.design, "");
  EXPECT_EQ(t.program, "lost-update");
  EXPECT_EQ(t.strategy, "dfs");
  ASSERT_TRUE(t.failure.has_value());
  EXPECT_EQ(t.failure->property, "failed");

  std::ostringstream replay_log;
  lockstep::CheckOptions ro;
  ro.log = &replay_log;
  const lockstep::CheckResult again = lockstep::replay(Account{false}, trace, ro);
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.divergence, "");
  EXPECT_TRUE(again.failed);
  EXPECT_EQ(again.property, r.property);
  EXPECT_EQ(again.message, r.message);
  EXPECT_EQ(again.schedules, 1u);
}

TEST(Check, RandomAndPctFindTheLostUpdateAndTheRaceDetectorTheRace) {
  std::ostringstream log;
  EXPECT_TRUE(lockstep::check(Account{false}, quiet(lockstep::CheckOptions::random(200, 1), log,
                                                    "random")).failed);
  EXPECT_TRUE(lockstep::check(Account{false}, quiet(lockstep::CheckOptions::pct(200, 2, 1), log,
                                                    "pct")).failed);
  EXPECT_TRUE(lockstep::check(Account{false}, quiet(lockstep::CheckOptions::dpor(), log,
                                                    "dpor")).failed);
  lockstep::CheckOptions races = quiet(lockstep::CheckOptions::dfs(), log, "race");
  races.detect_races = true;
  const lockstep::CheckResult r = lockstep::check(Account{false}, races);
  ASSERT_TRUE(r.failed);
  EXPECT_EQ(r.property, "data-race");
}

TEST(Check, TheLockedAccountPassesAndDfsExhaustsIt) {
  std::ostringstream log;
  lockstep::CheckOptions o = quiet(lockstep::CheckOptions::dfs(), log, "locked");
  o.detect_races = true;
  const lockstep::CheckResult r = lockstep::check(Account{true}, o);
  EXPECT_TRUE(r.passed()) << r.report;
  EXPECT_TRUE(r.exhausted);
  EXPECT_EQ(r.abandoned, 0u);
  EXPECT_GT(r.schedules, 1u);
  EXPECT_EQ(log.str(), "");  // nothing printed for a pass
  EXPECT_FALSE(fs::exists(fs::path(o.out_dir) / "locked.trace.json"));
  // A cap smaller than the space: passes, but is not exhausted.
  o.schedules = 2;
  const lockstep::CheckResult capped = lockstep::check(Account{true}, o);
  EXPECT_TRUE(capped.passed());
  EXPECT_EQ(capped.schedules, 2u);
  EXPECT_FALSE(capped.exhausted);
  const lockstep::CheckResult random =
      lockstep::check(Account{true}, quiet(lockstep::CheckOptions::random(100, 3), log, "r"));
  EXPECT_TRUE(random.passed());
  EXPECT_EQ(random.schedules, 100u);
  EXPECT_FALSE(random.exhausted);
}

TEST(Check, SameOptionsGiveTheSameTraceBytes) {
  std::ostringstream log;
  lockstep::CheckOptions o = quiet(lockstep::CheckOptions::random(500, 7), log, "again");
  const lockstep::CheckResult first = lockstep::check(Account{false}, o);
  ASSERT_TRUE(first.failed);
  const std::string bytes = slurp(first.trace_path);
  const lockstep::CheckResult second = lockstep::check(Account{false}, o);
  EXPECT_EQ(slurp(second.trace_path), bytes);
  EXPECT_EQ(second.report, first.report);
}

TEST(Check, BadTraceFilesAreOneLineErrors) {
  const std::string dir = out_dir();
  fs::create_directories(dir);
  const std::string missing = dir + "/missing.json";
  const std::string garbage = dir + "/garbage.json";
  const std::string truncated = dir + "/truncated.json";
  std::ofstream(garbage) << "not json at all";
  std::ostringstream log;
  const lockstep::CheckResult r =
      lockstep::check(Account{false}, quiet(lockstep::CheckOptions::dfs(), log, "t"));
  ASSERT_TRUE(r.failed);
  const std::string whole = slurp(r.trace_path);
  std::ofstream(truncated) << whole.substr(0, whole.size() / 2);
  // A well-formed trace of the state manager (a design is named) is not a program's.
  const std::string manager = dir + "/manager.json";
  lockstep::traces::Trace t = lockstep::traces::read_trace_file(r.trace_path);
  t.design = "current";
  lockstep::traces::write_trace_file(manager, t);
  for (const std::string& path : {missing, garbage, truncated, dir, manager}) {
    try {
      lockstep::replay(Account{false}, path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const lockstep::CheckError& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind("lockstep: cannot replay " + path + ": ", 0), 0u) << what;
      EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    }
  }
}

TEST(Check, AProgramThatLeftItsScheduleIsADivergenceNamingTheStep) {
  std::ostringstream log;
  lockstep::CheckOptions o = quiet(lockstep::CheckOptions::dfs(), log, "diverge");
  const lockstep::CheckResult r = lockstep::check(Account{false}, o);
  ASSERT_TRUE(r.failed);
  o.log = &log;
  // The locked account takes the mutex where the recorded schedule loads the balance.
  const lockstep::CheckResult d = lockstep::replay(Account{true}, r.trace_path, o);
  EXPECT_FALSE(d.passed());
  EXPECT_FALSE(d.failed);
  EXPECT_NE(d.divergence.find("replay diverged at step"), std::string::npos) << d.divergence;
  EXPECT_NE(log.str().find("diverged"), std::string::npos);
}

TEST(Check, TheReplayVariableReplaysTheNamedCheckOnly) {
  std::ostringstream log;
  lockstep::CheckOptions o = quiet(lockstep::CheckOptions::dfs(), log, "by-variable");
  const lockstep::CheckResult r = lockstep::check(Account{false}, o);
  ASSERT_TRUE(r.failed);
  ASSERT_EQ(setenv("LOCKSTEP_REPLAY", r.trace_path.c_str(), 1), 0);
  const lockstep::CheckResult replayed = lockstep::check(Account{false}, o);
  lockstep::CheckOptions other = o;
  other.name = "another-check";
  const lockstep::CheckResult searched = lockstep::check(Account{true}, other);
  unsetenv("LOCKSTEP_REPLAY");
  EXPECT_TRUE(replayed.replayed);
  EXPECT_TRUE(replayed.failed);
  EXPECT_EQ(replayed.schedules, 1u);
  EXPECT_EQ(replayed.message, r.message);
  EXPECT_FALSE(searched.replayed);
  EXPECT_TRUE(searched.passed());
}

TEST(Check, BadOptionsAreOneLineErrors) {
  lockstep::CheckOptions o = lockstep::CheckOptions::random(0);
  EXPECT_THROW(lockstep::check(Account{true}, o), lockstep::CheckError);
  o = lockstep::CheckOptions::dfs();
  o.out_dir = "/proc/version/not-a-dir";
  EXPECT_THROW(lockstep::check(Account{true}, o), lockstep::CheckError);
}

TEST(CheckGtest, PassesNamesTheTraceAfterTheTestAndFailsWithTheReplayCommand) {
  std::ostringstream log;
  lockstep::CheckOptions o = lockstep::CheckOptions::dfs();
  o.log = &log;
  o.out_dir = out_dir();
  EXPECT_TRUE(lockstep::gtest::passes(Account{true}, o));
  o.detect_races = false;
  const ::testing::AssertionResult found = lockstep::gtest::passes(Account{false}, o);
  EXPECT_FALSE(found);
  const std::string trace =
      (fs::absolute(o.out_dir) / "CheckGtest.PassesNamesTheTraceAfterTheTestAndFailsWithTheReplayCommand.trace.json")
          .lexically_normal().string();
  EXPECT_TRUE(fs::exists(trace));
  EXPECT_NE(std::string(found.message()).find(
                "--gtest_filter=CheckGtest.PassesNamesTheTraceAfterTheTestAndFailsWithTheReplayCommand"),
            std::string::npos)
      << found.message();
}

}  // namespace

namespace {

// README's "Test your own code" example, as written there, and the same without the lock.
void counter(bool locked) {
  lockstep::Mutex m;
  lockstep::Shared<int> n("n", 0);
  auto t = lockstep::spawn("other", [&] {
    std::unique_lock g(m, std::defer_lock);
    if (locked) g.lock();
    n.store(n.load() + 1);
  });
  { std::lock_guard g(m); n.store(n.load() + 1); }
  t.join();
  if (n.load() != 2) lockstep::fail("lost update");
}

TEST(Counter, IncrementsAreNotLost) {
  EXPECT_TRUE(lockstep::gtest::passes([] {
    lockstep::Mutex m;
    lockstep::Shared<int> n("n", 0);  // a variable whose loads and stores the search sees
    auto t = lockstep::spawn("other", [&] { std::lock_guard g(m); n.store(n.load() + 1); });
    { std::lock_guard g(m); n.store(n.load() + 1); }
    t.join();
    if (n.load() != 2) lockstep::fail("lost update");
  }, lockstep::CheckOptions::dfs()));  // or ::random(n, seed), ::pct(n, depth), ::dpor()
}

TEST(Counter, WithoutTheLockTheRaceAndTheLostUpdateAreFound) {
  std::ostringstream log;
  lockstep::CheckOptions o = lockstep::CheckOptions::dfs();
  o.log = &log;
  o.out_dir = out_dir();
  EXPECT_TRUE(lockstep::gtest::passes([] { counter(true); }, o));
  EXPECT_EQ(lockstep::gtest::check([] { counter(false); }, o).property, "data-race");
  o.detect_races = false;
  const lockstep::CheckResult r = lockstep::gtest::check([] { counter(false); }, o);
  EXPECT_EQ(r.property, "failed");
  EXPECT_EQ(r.message, "lost update");
}

}  // namespace

namespace {

// The printed replay command, run as printed: this test binary, this test alone, with
// LOCKSTEP_REPLAY set. In that child run the same check replays the trace instead of
// searching, and the test asserts the replay reproduced the failure.
TEST(CheckGtest, TheReplayCommandRunsAndReproduces) {
  lockstep::CheckOptions o = lockstep::CheckOptions::dfs();
  o.detect_races = false;
  o.out_dir = fs::path(::testing::TempDir()) / "lockstep_check_test" / "replay_command";
  std::ostringstream log;
  o.log = &log;
  const lockstep::CheckResult r = lockstep::gtest::check(Account{false}, o);
  ASSERT_TRUE(r.failed);
  if (r.replayed) {  // the child
    EXPECT_EQ(r.property, "failed");
    EXPECT_EQ(r.divergence, "");
    std::cout << "child replayed " << r.trace_path << ": " << r.property << "\n";
    return;
  }
  // A child that searched instead of replaying must not start a child of its own.
  ASSERT_EQ(std::getenv("LOCKSTEP_REPLAY"), nullptr) << "LOCKSTEP_REPLAY set but not replayed";
  std::error_code ec;
  const std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
  EXPECT_NE(r.replay_command.find(" " + exe + " --gtest_filter="), std::string::npos)
      << r.replay_command;
  const std::string child_log = o.out_dir + "/child.log";
  const int status = std::system((r.replay_command + " > " + child_log + " 2>&1").c_str());
  EXPECT_EQ(status, 0) << slurp(child_log);
  EXPECT_NE(slurp(child_log).find("child replayed " + r.trace_path + ": failed"),
            std::string::npos)
      << slurp(child_log);
}

}  // namespace
