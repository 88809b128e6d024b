// The distinct-schedule counter: exact up to its limit, then a HyperLogLog estimate within a
// few standard errors, in memory that does not grow with the number of executions.
#include "traces/distinct.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

namespace lockstep::traces {
namespace {

std::uint64_t fnv(std::uint64_t i) {  // hashes shaped like the explorer's schedule hashes
  std::uint64_t h = 1469598103934665603ull;
  for (int b = 0; b < 8; ++b) h = (h ^ ((i >> (8 * b)) & 0xff)) * 1099511628211ull;
  return h;
}

TEST(DistinctCounter, ExactUpToTheLimitAndRepeatsCountOnce) {
  DistinctCounter c;
  for (std::uint64_t i = 0; i < DistinctCounter::kExactLimit; ++i) {
    c.insert(fnv(i));
    c.insert(fnv(i));
  }
  EXPECT_FALSE(c.estimated());
  EXPECT_EQ(c.count(), DistinctCounter::kExactLimit);
}

TEST(DistinctCounter, EstimateWithinFourStandardErrors) {
  for (std::uint64_t n : {5'000ull, 50'000ull, 1'000'000ull}) {
    DistinctCounter c;
    for (std::uint64_t i = 0; i < n; ++i) {
      c.insert(fnv(i));
      if (i % 3 == 0) c.insert(fnv(i));  // repeats do not count
    }
    EXPECT_TRUE(c.estimated());
    const double err = std::abs(static_cast<double>(c.count()) - static_cast<double>(n)) /
                       static_cast<double>(n);
    EXPECT_LT(err, 4 * DistinctCounter::kStandardError) << n << " estimated " << c.count();
  }
}

TEST(DistinctCounter, MemoryIsBounded) {
  // The object holds 4096 one-byte registers and, while exact, at most kExactLimit hashes.
  EXPECT_LE(sizeof(DistinctCounter), 4096u + 64u);
  DistinctCounter c;
  for (std::uint64_t i = 0; i < 100'000; ++i) c.insert(fnv(i));
  EXPECT_TRUE(c.estimated());  // the exact set was dropped
}

}  // namespace
}  // namespace lockstep::traces
