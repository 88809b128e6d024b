// sim/strategies/rng.h: the seeded generator every strategy owns (xoshiro256**, seeded with
// splitmix64, after Blackman and Vigna). Deterministic across platforms; never reads entropy.
// Cost: a few arithmetic instructions per draw. Not thread-safe (one per strategy).
#pragma once

#include <cstdint>

namespace lockstep::sim {

constexpr std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

// The seed of execution `index` of an exploration seeded with `base`.
constexpr std::uint64_t execution_seed(std::uint64_t base, std::uint64_t index) {
  std::uint64_t s = base ^ (index * 0xd1b54a32d192ed03ull);
  return splitmix64(s);
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }
  void reseed(std::uint64_t seed) {
    std::uint64_t sm = seed;
    for (auto& w : s_) w = splitmix64(sm);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, bound) by multiply-shift (Lemire); bound > 0.
  std::uint64_t below(std::uint64_t bound) {
    __extension__ using U128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<U128>(next()) * bound) >> 64);
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
};

}  // namespace lockstep::sim
