// bench/fiber_clock.h: what every lockstep benchmark is measured against: the CPU time of the
// benchmark's own OS thread, and a bare Boost.Context fiber round trip (main -> fiber -> main)
// measured in the same process.
#pragma once

#include <boost/context/fiber.hpp>
#include <time.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace lockstep::bench {

// CPU time of this OS thread: unaffected by other processes competing for the cores.
inline double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// CPU nanoseconds per bare fiber round trip, over `trips` round trips.
inline double measure_round_trip_ns(std::int64_t trips) {
  namespace ctx = boost::context;
  std::int64_t n = 0;
  ctx::fiber f{[&n](ctx::fiber&& main) {
    for (;;) {
      ++n;
      main = std::move(main).resume();
    }
    return std::move(main);
  }};
  f = std::move(f).resume();  // start it
  const double t0 = thread_cpu_ns();
  for (std::int64_t i = 0; i < trips; ++i) f = std::move(f).resume();
  const double ns = thread_cpu_ns() - t0;
  return ns / static_cast<double>(trips);
}

// The round trip of this run: measured once (ten million trips), on first use.
inline double round_trip_ns() {
  static const double ns = measure_round_trip_ns(10'000'000);
  return ns;
}

inline std::string fmt_name(std::string_view family, std::string_view a, std::string_view b) {
  return std::string(family) + "/" + std::string(a) + "/" + std::string(b);
}

}  // namespace lockstep::bench
