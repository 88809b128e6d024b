#include "traces/distinct.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace lockstep::traces {

namespace {

// The splitmix64 finalizer: the FNV schedule hash's low bits are not uniform enough to pick
// registers from.
std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  x ^= x >> 31;
  return x;
}

}  // namespace

void DistinctCounter::add_to_sketch(std::uint64_t hash) {
  const std::uint64_t x = mix(hash);
  const std::size_t index = x >> (64 - kRegisterBits);
  const std::uint64_t rest = x << kRegisterBits;  // the remaining 52 bits, left-aligned
  const auto rank = static_cast<std::uint8_t>(
      rest == 0 ? 64 - kRegisterBits + 1 : std::countl_zero(rest) + 1);
  registers_[index] = std::max(registers_[index], rank);
}

void DistinctCounter::insert(std::uint64_t hash) {
  add_to_sketch(hash);
  if (estimated_) return;
  const auto it = std::lower_bound(exact_.begin(), exact_.end(), hash);
  if (it != exact_.end() && *it == hash) return;
  if (exact_.size() == kExactLimit) {
    estimated_ = true;
    std::vector<std::uint64_t>().swap(exact_);
    return;
  }
  exact_.insert(it, hash);
}

std::uint64_t DistinctCounter::count() const {
  if (!estimated_) return exact_.size();
  constexpr double m = static_cast<double>(std::size_t{1} << kRegisterBits);
  const double alpha = 0.7213 / (1.0 + 1.079 / m);
  double sum = 0;
  std::size_t zeros = 0;
  for (std::uint8_t r : registers_) {
    sum += std::ldexp(1.0, -static_cast<int>(r));
    if (r == 0) ++zeros;
  }
  double e = alpha * m * m / sum;
  if (e <= 2.5 * m && zeros > 0) e = m * std::log(m / static_cast<double>(zeros));
  return static_cast<std::uint64_t>(std::llround(e));
}

}  // namespace lockstep::traces
