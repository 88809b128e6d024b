// <lockstep/gtest.h>: GoogleTest helpers for lockstep::check. Header-only: the test links
// GTest itself (lockstep::sim does not depend on it).
//
//   TEST(Bank, TransferKeepsTheTotal) {
//     EXPECT_TRUE(lockstep::gtest::passes(transfer_program, lockstep::CheckOptions::dfs()));
//   }
//
// passes() runs check() named after the running test ("Suite.Test", so the trace is
// <out_dir>/Suite.Test.trace.json) and returns an AssertionResult whose message, on a failure,
// is the failure's first line, the trace path and the replay command: the same test binary
// with LOCKSTEP_REPLAY=<trace> and a --gtest_filter for this test (the full report is printed
// on the check's log first). check() is the same, for a
// test that expects a failure and asserts on the CheckResult.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include <lockstep/sim.h>

namespace lockstep::gtest {

// `options` named after the running test, with a replay command that runs only this test.
inline CheckOptions for_current_test(CheckOptions options) {
  if (const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    const std::string test = std::string(info->test_suite_name()) + "." + info->name();
    if (options.name == CheckOptions{}.name) options.name = test;
    if (options.replay_args.empty()) options.replay_args = {"--gtest_filter=" + test};
  }
  return options;
}

inline CheckResult check(const std::function<void()>& f, const CheckOptions& options = {}) {
  return lockstep::check(f, for_current_test(options));
}

inline ::testing::AssertionResult passes(const std::function<void()>& f,
                                         const CheckOptions& options = {}) {
  const CheckResult r = gtest::check(f, options);
  if (r.passed()) {
    return ::testing::AssertionSuccess() << r.schedules << " schedules passed"
                                         << (r.exhausted ? " (exhausted)" : "");
  }
  if (!r.divergence.empty()) return ::testing::AssertionFailure() << r.report;
  // The whole report went to the log already; the assertion repeats what to do next.
  return ::testing::AssertionFailure()
         << "lockstep found " << r.property << " (report above): "
         << r.message.substr(0, r.message.find('\n')) << "\ntrace: " << r.trace_path
         << "\nreplay: " << r.replay_command;
}

}  // namespace lockstep::gtest
