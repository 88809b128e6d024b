// traces/distinct.h: how many distinct schedules an exploration ran, in bounded memory.
//
// Contract
// - insert(h) takes a 64-bit schedule hash. count() is exact while at most kExactLimit
//   distinct hashes were seen (a sorted vector of them); beyond that the vector is dropped and
//   count() is a HyperLogLog estimate (Flajolet, Fusy, Gandouet, Meunier, "HyperLogLog: the
//   analysis of a near-optimal cardinality estimation algorithm", AofA 2007) over 2^12
//   one-byte registers, with the paper's small-range correction (linear counting). Its
//   relative standard error is 1.04 / sqrt(4096) = 1.6%. estimated() says which.
// - Memory is at most max(kExactLimit * 8, 4096) bytes whatever the number of executions.
// - Deterministic: the same hashes in the same order give the same count.
// Cost: O(log kExactLimit) per insert while exact, O(1) after.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace lockstep::traces {

class DistinctCounter {
 public:
  static constexpr std::size_t kExactLimit = 4096;
  static constexpr unsigned kRegisterBits = 12;
  static constexpr double kStandardError = 0.01625;  // 1.04 / sqrt(2^12)

  void insert(std::uint64_t hash);
  std::uint64_t count() const;
  bool estimated() const { return estimated_; }

 private:
  void add_to_sketch(std::uint64_t hash);
  std::vector<std::uint64_t> exact_;  // sorted, while !estimated_
  std::array<std::uint8_t, std::size_t{1} << kRegisterBits> registers_{};
  bool estimated_ = false;
};

}  // namespace lockstep::traces
