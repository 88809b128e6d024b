// bank_test.cc: two transfers out of the same account at once must keep the bank's total.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <lockstep/gtest.h>

#include "bank.h"

namespace {

void two_transfers(bool locked) {
  Bank bank(locked);
  auto to_bob = lockstep::spawn("alice->bob", [&] { bank.transfer(0, 1, 30); });
  auto to_carol = lockstep::spawn("alice->carol", [&] { bank.transfer(0, 2, 20); });
  to_bob.join();
  to_carol.join();
  if (const int total = bank.total(); total != 150) {
    lockstep::fail("money appeared or vanished: total " + std::to_string(total) + ", not 150");
  }
}

// The fixed design: three lines.
TEST(Bank, LockedTransfersKeepTheTotal) {
  EXPECT_TRUE(lockstep::gtest::passes([] { two_transfers(true); }, lockstep::CheckOptions::dfs()));
}

// The original design: the search finds the lost update, writes its trace, and the trace
// replays to the same failure.
TEST(Bank, UnlockedTransfersLoseAnUpdate) {
  lockstep::CheckOptions options = lockstep::CheckOptions::dfs();
  options.detect_races = false;  // the lost update itself, not the data race that causes it
  const lockstep::CheckResult found =
      lockstep::gtest::check([] { two_transfers(false); }, options);
  ASSERT_TRUE(found.failed);
  EXPECT_NE(found.message.find("money appeared or vanished"), std::string::npos);
  ASSERT_TRUE(std::filesystem::exists(found.trace_path));

  const lockstep::CheckResult again = lockstep::replay([] { two_transfers(false); },
                                                       found.trace_path);
  EXPECT_EQ(again.divergence, "");
  EXPECT_TRUE(again.failed);
  EXPECT_EQ(again.message, found.message);
}

// With race detection on (the default), the same search names the unsynchronised accesses.
TEST(Bank, UnlockedTransfersRace) {
  const lockstep::CheckResult found =
      lockstep::gtest::check([] { two_transfers(false); }, lockstep::CheckOptions::dfs());
  EXPECT_EQ(found.property, "data-race");
}

}  // namespace
