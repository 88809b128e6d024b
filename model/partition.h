// model/partition.h: splitting a history into parts that the reference model lets us check
// independently (P-compositionality). Used by check_linearizable; public so tests and
// reports can show the parts.
//
// Contract
// - What: the connected components of the graph whose nodes are the connections and threads
//   of the history and whose edges are (1) every operation naming both a connection and a
//   thread, (2) every connection an observed subscribers(t) result lists, with t, and
//   (3) every subscription of the initial state. Each part is the operations touching one
//   component. The soundness argument is in partition.cc.
// - Identity: parts hold History indices, ascending; parts are ordered by their smallest
//   index. Deterministic.
// - Failure: none beyond the History contract. Threading: pure. Cost: O(n) with a union-find
//   over the 32 possible ids.
#pragma once

#include <vector>

#include "model/history.h"
#include "model/reference_model.h"

namespace lockstep::model {

std::vector<std::vector<OpIndex>> independent_parts(const History& history, const State& initial);

}  // namespace lockstep::model
