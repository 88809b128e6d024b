// model/linearizability.h: is a concurrent history of bookkeeping operations linearizable
// against the sequential reference model (model/reference_model.h)? Property 5 of SPEC.md.
//
// Contract
// - What: check_linearizable(history, options) searches for a total order of the history's
//   operations that (1) contains every completed operation and any subset of the pending
//   ones, (2) respects real-time order (History::precedes), and (3) when replayed through
//   apply() from options.initial gives every completed operation exactly its observed
//   Result (pending and unobserved operations may have any result). Such an order is the
//   witness.
// - Verdicts: kLinearizable with the witness; kViolation with a Violation (the independent
//   part that fails, a minimal set of operations that cannot be ordered even when every
//   other one is made optional with any result, the longest linearizable prefix found, and what
//   each operation that could come next returns there) and a readable explanation; kInconclusive
//   when the node budget ran out first. A violation is definite; it is never reported on a budget.
// - Identity: operations are History indices. Output is a function of the history and the
//   options alone (no addresses, no clock, no unordered iteration reaches it).
// - Failure: throws std::invalid_argument if the history is malformed (History contract);
//   throws std::logic_error if a witness it found fails validate_witness (a checker bug).
// - Threading: a pure function; concurrent calls on different histories are safe.
// - Cost: the search is exponential in the worst case (NP-complete in general); with the
//   memo of (linearized set, model state) it visits each such pair at most once, so it is
//   bounded by (number of real-time-consistent prefixes) x (reachable model states). Every
//   model step counts one node; node_budget caps the total over all parts, explain_budget
//   the extra searches that minimise a violation. Memory is O(nodes x (n/64 + 5) words).
//   Histories from the simulator (one operation per task at a time, a few tasks) check in
//   O(n) to O(n^tasks) nodes; splitting into independent parts makes the cost the sum over
//   parts rather than the product.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/history.h"
#include "model/reference_model.h"

namespace lockstep::model {

enum class Verdict : std::uint8_t { kLinearizable, kViolation, kInconclusive };
std::string_view verdict_name(Verdict v);  // "linearizable", "not linearizable", "inconclusive"

struct CheckOptions {
  State initial;                             // the model state before the first operation
  std::uint64_t node_budget = 500'000;       // model steps for the verdict, over all parts
  std::uint64_t explain_budget = 1'000'000;  // model steps for minimising a violation
  bool partition = true;  // split into independent parts (model/partition.h); never changes
                          // the verdict, only the cost
};

// One operation that could come next after the longest prefix, and what the model returns
// for it there (which differs from what it returned in the execution).
struct Attempt {
  OpIndex op = 0;
  Result model;
};

struct Violation {
  std::vector<OpIndex> part;            // the independent part that fails, ascending indices
  std::vector<OpIndex> essential;       // subset of part: still no order when every other op of
                                        // the part may take effect within its interval or not at
                                        // all, with any result; ascending
  bool essential_is_minimal = true;     // false if explain_budget ran out before minimising
  std::vector<OpIndex> longest_prefix;  // deepest linearization of `part` the search reached
  State state_after_prefix;
  std::optional<OpIndex> blocking;  // the op whose response came before it could be placed
  std::vector<Attempt> candidates;  // every op that could come next, none of which fits
};

struct CheckResult {
  Verdict verdict = Verdict::kInconclusive;
  // kLinearizable: every completed op and the pending ops that took effect, in order.
  std::vector<OpIndex> witness;
  std::optional<Violation> violation;  // set iff verdict == kViolation
  std::uint64_t nodes = 0;             // model steps spent on the verdict
  std::uint64_t explain_nodes = 0;     // model steps spent minimising the violation
  std::size_t parts = 0;               // independent parts the history was split into
  std::string explanation;             // empty when linearizable; else a readable report
};

CheckResult check_linearizable(const History& history, const CheckOptions& options = {});

// Checks that `order` is a witness for `history` (see the contract above). Returns an empty
// string if so, else one line saying which operation breaks it and how. O(n).
std::string validate_witness(const History& history, const State& initial,
                             std::span<const OpIndex> order);

}  // namespace lockstep::model
