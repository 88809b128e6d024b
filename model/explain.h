// model/explain.h: turning a failed search into a Violation and a readable report; used by
// check_linearizable (model/linearizability.h).
//
// Contract
// - explain_violation(): given a part whose search said kViolation and that search's
//   deepest prefix, finds the essential operations and what each operation that could
//   follow the prefix returns there. Essential: the search relaxes operations (search.h: an
//   op keeps its interval but may take effect or not, with any result) in chunks, keeping
//   each relaxation under which the part still has no order. A relaxation only adds orders,
//   so if the relaxed part has none, neither has the original: the essential set is a sound
//   explanation, and minimal in the sense that relaxing any one more of its ops makes an
//   order exist (when the budget sufficed).
// - Cost: O(k log n) searches for k essential ops of n (ddmin), all drawn from `budget`
//   (reported in *nodes_spent); when the budget runs out the ops not yet relaxed are kept
//   and Violation::essential_is_minimal is false.
// - Threading: pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/history.h"
#include "model/linearizability.h"
#include "model/search.h"

namespace lockstep::model {

Violation explain_violation(const History& history, std::vector<OpIndex> part,
                            const PartOutcome& failed, const State& initial, std::uint64_t budget,
                            std::uint64_t* nodes_spent);

// The multi-line report of a violation (what CheckResult::explanation holds).
std::string format_violation(const History& history, const Violation& v, std::size_t part_no,
                             std::size_t part_count);

}  // namespace lockstep::model
