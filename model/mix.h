// model/mix.h: the 64-bit mixer used for hashing model states and memo keys (splitmix64's
// finaliser). Header-only, pure, O(1).
#pragma once

#include <cstdint>

namespace lockstep::model {

constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace lockstep::model
