// model/search.h: the backtracking search for one independent part of a history; the engine
// under check_linearizable (model/linearizability.h), which callers should use instead.
//
// Contract
// - What: search_part() looks for a linearization of the operations `ops` of `history` from
//   `initial`. A pending operation may take effect at most once, anywhere after its
//   invocation, with any result, or not at all. An operation flagged in `relaxed` (the
//   explanation uses this) keeps its interval but becomes optional with any result: it may
//   take effect within its interval, or not at all. Either relaxation only adds orders.
// - Result: kLinearizable with the order (history indices), kViolation, or kInconclusive
//   when `budget` model steps ran out. For the last two, `order` is the deepest prefix the
//   search reached and `state` the model state after it (for kLinearizable: after the
//   whole order). `nodes` is the number of model steps taken (at most budget).
// - Failure: none (the history is validated by History). Threading: pure.
// - Cost: see linearizability.h; memory is one memo entry per distinct node,
//   ceil(n/64) + State::kPackedWords words each.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/history.h"
#include "model/linearizability.h"
#include "model/reference_model.h"

namespace lockstep::model {

struct PartOutcome {
  Verdict verdict = Verdict::kInconclusive;
  std::vector<OpIndex> order;
  State state;
  std::uint64_t nodes = 0;
};

// `relaxed` is empty or has one flag per element of `ops`.
PartOutcome search_part(const History& history, std::span<const OpIndex> ops,
                        const std::vector<bool>& relaxed, const State& initial,
                        std::uint64_t budget);

}  // namespace lockstep::model
