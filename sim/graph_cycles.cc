#include "sim/graph_cycles.h"

#include <algorithm>

namespace lockstep::sim {

void GraphCycles::ensure(Node n) {
  if (n >= out_.size()) out_.resize(n + 1);
}

bool GraphCycles::has_edge(Node a, Node b) const {
  if (a >= out_.size()) return false;
  return std::binary_search(out_[a].begin(), out_[a].end(), b);
}

bool GraphCycles::insert(Node a, Node b, std::vector<Node>& cycle) {
  ensure(std::max(a, b));
  auto& succ = out_[a];
  auto it = std::lower_bound(succ.begin(), succ.end(), b);
  if (it != succ.end() && *it == b) return false;
  // Search before inserting, so that the path found does not use the new edge.
  std::vector<Node> path = a == b ? std::vector<Node>{a} : find_path(b, a);
  succ.insert(it, b);
  if (path.empty()) return false;
  cycle = std::move(path);
  return true;
}

std::vector<GraphCycles::Node> GraphCycles::find_path(Node from, Node to) const {
  if (from >= out_.size() || to >= out_.size()) return {};
  std::vector<Node> parent(out_.size(), static_cast<Node>(-1));
  std::vector<Node> stack{from};
  parent[from] = from;
  while (!stack.empty()) {
    const Node n = stack.back();
    stack.pop_back();
    if (n == to) {
      std::vector<Node> path{to};
      for (Node p = to; p != from;) {
        p = parent[p];
        path.push_back(p);
      }
      std::reverse(path.begin(), path.end());
      return path;
    }
    // Successors in decreasing order so the smallest is explored first: deterministic paths.
    for (auto s = out_[n].rbegin(); s != out_[n].rend(); ++s) {
      if (parent[*s] == static_cast<Node>(-1)) {
        parent[*s] = n;
        stack.push_back(*s);
      }
    }
  }
  return {};
}

bool GraphCycles::check_invariants() const {
  for (const auto& succ : out_) {
    if (!std::is_sorted(succ.begin(), succ.end())) return false;
    if (std::adjacent_find(succ.begin(), succ.end()) != succ.end()) return false;
    for (Node s : succ) {
      if (s >= out_.size()) return false;
    }
  }
  return true;
}

}  // namespace lockstep::sim
