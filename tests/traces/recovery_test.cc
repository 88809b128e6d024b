// A fatal signal during an execution still leaves that execution's trace on disk.
#include "traces/recovery.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "sim/scheduler.h"
#include "sim/sim_runtime.h"

namespace lockstep::traces {
namespace {

void crash_during_an_execution(const std::string& path) {
  auto strategy = sim::make_random_strategy({4, 1});
  sim::Scheduler scheduler(*strategy);
  sim::Execution ex(scheduler);
  Trace header;
  header.design = "";
  header.program = "crash-test";
  header.strategy = "random";
  CrashRecorder::arm(path, header, ex);
  scheduler.begin_execution();
  ex.run([] {
    sim::Mutex m("victim");
    sim::spawn("other", [&] {
      m.lock();
      m.unlock();
    });
    m.lock();
    m.unlock();
    sim::yield_now();
    ::raise(SIGSEGV);  // the system under test crashes mid-execution
  });
}

TEST(CrashRecoveryDeathTest, AFatalSignalWritesTheTraceOfTheRunningExecution) {
  const auto dir = std::filesystem::temp_directory_path() / "lockstep_recovery_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "crash.json").string();
  std::filesystem::remove(path);
  EXPECT_EXIT(crash_during_an_execution(path), ::testing::KilledBySignal(SIGSEGV), "");
  ASSERT_TRUE(std::filesystem::exists(path));
  const Trace t = read_trace_file(path);  // a complete, valid trace
  ASSERT_TRUE(t.failure);
  EXPECT_EQ(t.failure->property, "crash");
  EXPECT_NE(t.failure->message.find("signal 11"), std::string::npos) << t.failure->message;
  EXPECT_EQ(t.program, "crash-test");
  EXPECT_GE(t.steps.size(), 5u);  // the steps taken before the crash
  EXPECT_EQ(t.tasks.size(), 2u);
  ASSERT_EQ(t.objects.size(), 1u);
  EXPECT_EQ(t.objects[0], "victim#0");
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
}

}  // namespace
}  // namespace lockstep::traces
