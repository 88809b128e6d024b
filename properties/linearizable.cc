// properties/linearizable.cc: property 5, agreement with the reference model.
//
// The bookkeeping operations of the execution (properties/bookkeeping_history.h) must be
// linearizable against model/'s sequential reference model, from the empty state. Only
// executions that ended by themselves (completed, or stuck with nothing left to run) are
// checked: a run cut by the step bound or by a failure may hold an effect whose record was
// never written. A budget spent before a verdict passes; a verdict of "not linearizable" is
// reported with the model's own explanation (the essential operations, the longest order
// found and what the model returns for each operation that could come next).
// The ways the property can be violated, each caught here (a test per way in
// tests/properties/linearizable_test.cc): (a) an operation succeeded where no order lets it
// (subscribe to a thread never loaded, or being unloaded); (b) an operation was refused where
// every order lets it succeed; (c) results each possible alone, but in no order that respects
// when the operations were called and returned; (d) the final subscriber sets, read at the
// driver's final-state record, that no order of the operations leaves.
// Cost: the search is bounded by CheckOptions::node_budget + explain_budget model steps.
#include <fmt/format.h>

#include <stdexcept>

#include "model/linearizability.h"
#include "properties/bookkeeping_history.h"
#include "properties/checkers.h"

namespace lockstep::properties::detail {

void check_linearizable(const LogIndex& log, const CheckOptions& options,
                        std::vector<Violation>& out) {
  const EndKind kind = log.view().end.kind;
  if (kind != EndKind::kCompleted && kind != EndKind::kStuck) return;
  std::optional<BookkeepingHistory> built;
  model::CheckResult result;
  try {
    built = bookkeeping_history(log);
    if (!built) return;  // an id outside the model's range: nothing to decide
    model::CheckOptions o;
    o.node_budget = options.node_budget;
    o.explain_budget = options.explain_budget;
    result = model::check_linearizable(built->history, o);
  } catch (const std::invalid_argument&) {
    return;  // a history the model cannot take: undecided, so it passes
  }
  if (result.verdict != model::Verdict::kViolation || !result.violation) return;
  const model::Violation& v = *result.violation;
  const Record* at = nullptr;
  if (v.blocking) {
    if (auto it = built->source.find(*v.blocking); it != built->source.end()) at = it->second;
  }
  std::vector<std::string> ops;
  for (model::OpIndex i : v.essential) ops.push_back(built->history.describe(i));
  Violation violation = violation_at(
      Property::kLinearizable, at,
      fmt::format("The bookkeeping operations of this execution ({} in all, stamps are record "
                  "indices) have no order, consistent with when each was called and returned, "
                  "in which the sequential reference model gives every operation the result it "
                  "had; the essential operations are: {}.\n{}",
                  built->history.size(), fmt::join(ops, "; "), result.explanation));
  out.push_back(std::move(violation));
}

}  // namespace lockstep::properties::detail
