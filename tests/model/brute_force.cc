// tests/model/brute_force.cc: every permutation, checked the slow and obvious way.
#include "tests/model/brute_force.h"

#include <algorithm>
#include <numeric>

namespace lockstep::model::testing {

bool brute_force_linearizable(const std::vector<Record>& records, const State& initial,
                              const std::vector<bool>& relaxed) {
  const std::size_t n = records.size();
  auto pending = [&](std::size_t i) { return !records[i].responded.has_value(); };
  auto free = [&](std::size_t i) { return pending(i) || (!relaxed.empty() && relaxed[i]); };
  // a must come before b. Records of one task are listed in program order.
  auto before = [&](std::size_t a, std::size_t b) {
    if (records[a].task == records[b].task) return a < b && !pending(a);
    return !pending(a) && *records[a].responded < records[b].invoked;
  };
  std::vector<std::size_t> optional;
  for (std::size_t i = 0; i < n; ++i) {
    if (free(i)) optional.push_back(i);
  }
  for (std::size_t subset = 0; subset < (std::size_t{1} << optional.size()); ++subset) {
    std::vector<std::size_t> chosen;
    for (std::size_t i = 0; i < n; ++i) {
      const auto at = std::find(optional.begin(), optional.end(), i);
      if (at == optional.end() || (subset >> (at - optional.begin())) & 1) chosen.push_back(i);
    }
    do {
      bool ok = true;
      for (std::size_t x = 0; ok && x < chosen.size(); ++x) {
        for (std::size_t y = x + 1; ok && y < chosen.size(); ++y) {
          if (before(chosen[y], chosen[x])) ok = false;
        }
      }
      State s = initial;
      for (std::size_t k = 0; ok && k < chosen.size(); ++k) {
        const Step step = apply(s, records[chosen[k]].op);
        const Record& r = records[chosen[k]];
        if (!free(chosen[k]) && !r.unobserved && step.result != r.observed) ok = false;
        s = step.state;
      }
      if (ok) return true;
    } while (std::next_permutation(chosen.begin(), chosen.end()));
  }
  return false;
}

}  // namespace lockstep::model::testing
