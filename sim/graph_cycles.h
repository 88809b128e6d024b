// sim/graph_cycles.h: a directed graph over small integer nodes that answers, as each edge is
// inserted, whether the edge closes a cycle, and which one.
//
// Algorithm: on inserting a new edge a -> b, a depth-first search from b looks for a; if it
// is found the edge closes a cycle and the path b ... a is returned. The edge is kept either
// way (a lock-order report wants every edge). This is the plain incremental check: lock-class
// graphs have tens of nodes and an edge is inserted only the first time an order is seen, so
// the O(V + E) search per new edge never matters, whereas dynamic topological orders
// (Pearce and Kelly, JEA 2006) pay their complexity on every insertion and cannot keep a
// cyclic graph, which is the case lockdep must still report.
//
// Identity: nodes are dense indices 0..n-1; edges are unique. Cost: insert is O(V + E) when
// the edge is new, O(out-degree) otherwise. Single-threaded.
#pragma once

#include <cstdint>
#include <vector>

namespace lockstep::sim {

class GraphCycles {
 public:
  using Node = std::uint32_t;

  // Inserts a -> b. Returns true when the edge is new and closes a cycle; then `cycle` holds
  // the nodes b ... a in path order (a self-loop gives {a}).
  bool insert(Node a, Node b, std::vector<Node>& cycle);
  bool has_edge(Node a, Node b) const;
  // A path from `from` to `to` (both included), empty when there is none.
  std::vector<Node> find_path(Node from, Node to) const;
  std::size_t node_count() const { return out_.size(); }
  const std::vector<Node>& successors(Node a) const { return out_[a]; }
  bool check_invariants() const;  // every edge's endpoints exist; no duplicate edges

 private:
  void ensure(Node n);
  std::vector<std::vector<Node>> out_;  // invariant: sorted, unique successor lists
};

}  // namespace lockstep::sim
