#include "sim/graph_cycles.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

namespace lockstep::sim {
namespace {

TEST(GraphCycles, DetectsTheEdgeThatClosesACycle) {
  GraphCycles g;
  std::vector<GraphCycles::Node> cycle;
  EXPECT_FALSE(g.insert(0, 1, cycle));
  EXPECT_FALSE(g.insert(1, 2, cycle));
  EXPECT_FALSE(g.insert(0, 2, cycle));
  EXPECT_TRUE(g.insert(2, 0, cycle));
  EXPECT_EQ(cycle, (std::vector<GraphCycles::Node>{0, 2}));  // via the direct edge 0 -> 2
  EXPECT_FALSE(g.insert(2, 0, cycle));  // not new
  EXPECT_TRUE(g.check_invariants());
}

// Reference: a cycle exists iff some node reaches itself; compared with insert()'s answers.
bool reaches(const std::set<std::pair<int, int>>& edges, int from, int to) {
  std::set<int> seen;
  std::vector<int> stack{from};
  while (!stack.empty()) {
    int n = stack.back();
    stack.pop_back();
    for (auto [a, b] : edges) {
      if (a != n || seen.count(b)) continue;
      if (b == to) return true;
      seen.insert(b);
      stack.push_back(b);
    }
  }
  return false;
}

RC_GTEST_PROP(GraphCycles, AgreesWithReachabilityOnRandomGraphs,
              (const std::vector<std::pair<std::uint8_t, std::uint8_t>>& raw)) {
  GraphCycles g;
  std::set<std::pair<int, int>> edges;
  for (auto [x, y] : raw) {
    const int a = x % 8;
    const int b = y % 8;
    std::vector<GraphCycles::Node> cycle;
    const bool is_new = edges.count({a, b}) == 0;
    const bool expect = is_new && (a == b || reaches(edges, b, a));
    edges.insert({a, b});
    RC_ASSERT(g.insert(a, b, cycle) == expect);
    if (expect) {
      // The reported path goes b ... a along existing edges.
      RC_ASSERT(cycle.front() == static_cast<GraphCycles::Node>(b));
      RC_ASSERT(cycle.back() == static_cast<GraphCycles::Node>(a));
      for (std::size_t i = 0; i + 1 < cycle.size(); ++i) {
        RC_ASSERT(edges.count({static_cast<int>(cycle[i]), static_cast<int>(cycle[i + 1])}) == 1);
      }
    }
  }
  RC_ASSERT(g.check_invariants());
}

}  // namespace
}  // namespace lockstep::sim
