// model/linearizability.cc: the checker's driver: split, search each part, merge witnesses.
//
// Follows G. Lowe, "Testing for linearizability" (CCPE 2017) for the search (model/search.cc)
// and Horn and Kroening's P-compositionality (FORTE 2015) for the split (model/partition.cc).
// Departures: parts share one node budget and the first violating part ends the check; a
// violation is minimised and explained (model/explain.cc); the parts' witnesses are merged
// by earliest linearization points (below) and the result is validated before it is
// returned, so a witness is never reported unchecked.
#include "model/linearizability.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "model/explain.h"
#include "model/partition.h"
#include "model/search.h"

namespace lockstep::model {
namespace {

// Interleaves the parts' witnesses into one. Each op is given the earliest linearization
// point its part's order allows: p(first) = call(first), p(next) = max(p(prev), call(next)).
// p(op) < ret(op): p(op) is the call of some op j placed no later than op in its part; if
// call(j) came after ret(op), op would precede j in real time and could not follow it.
// So if a returns before b is invoked, p(a) < ret(a) < call(b) <= p(b): sorting by
// (point, part, rank in part) respects real time across parts and each part's order.
std::vector<OpIndex> merge_witnesses(const History& history,
                                     const std::vector<std::vector<OpIndex>>& witnesses) {
  const auto& pos = history.positions();
  struct Placed {
    std::uint32_t point;
    std::size_t part;
    std::size_t rank;
    OpIndex op;
  };
  std::vector<Placed> placed;
  for (std::size_t p = 0; p < witnesses.size(); ++p) {
    std::uint32_t point = 0;
    for (std::size_t r = 0; r < witnesses[p].size(); ++r) {
      const OpIndex op = witnesses[p][r];
      point = std::max(point, pos[op].call);
      placed.push_back({point, p, r, op});
    }
  }
  std::sort(placed.begin(), placed.end(), [](const Placed& a, const Placed& b) {
    return std::tie(a.point, a.part, a.rank) < std::tie(b.point, b.part, b.rank);
  });
  std::vector<OpIndex> out;
  out.reserve(placed.size());
  for (const Placed& x : placed) out.push_back(x.op);
  return out;
}

std::string inconclusive_report(const History& history, const std::vector<OpIndex>& part,
                                const PartOutcome& o, std::size_t part_no, std::size_t parts,
                                std::uint64_t budget) {
  return fmt::format(
      "inconclusive: the node budget ({} model steps) ran out on part {} of {} ({} "
      "operations, first {}); deepest linearizable prefix reached: {} of {} operations\n",
      budget, part_no + 1, parts, part.size(), history.describe(part.front()), o.order.size(),
      part.size());
}

}  // namespace

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::kLinearizable:
      return "linearizable";
    case Verdict::kViolation:
      return "not linearizable";
    case Verdict::kInconclusive:
      return "inconclusive";
  }
  return "?";
}

CheckResult check_linearizable(const History& history, const CheckOptions& options) {
  history.check_invariants();
  options.initial.check_invariants();
  std::vector<std::vector<OpIndex>> parts;
  if (options.partition) {
    parts = independent_parts(history, options.initial);
  } else if (history.size() > 0) {
    parts.emplace_back(history.size());
    for (OpIndex i = 0; i < history.size(); ++i) parts.back()[i] = i;
  }
  CheckResult result;
  result.parts = parts.size();
  std::vector<std::vector<OpIndex>> witnesses;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    const std::uint64_t left = options.node_budget - result.nodes;
    PartOutcome o = search_part(history, parts[p], {}, options.initial, left);
    result.nodes += o.nodes;
    if (o.verdict == Verdict::kViolation) {
      result.verdict = Verdict::kViolation;
      result.violation = explain_violation(history, parts[p], o, options.initial,
                                           options.explain_budget, &result.explain_nodes);
      result.explanation = format_violation(history, *result.violation, p, parts.size());
      return result;
    }
    if (o.verdict == Verdict::kInconclusive) {
      if (result.explanation.empty()) {
        result.explanation =
            inconclusive_report(history, parts[p], o, p, parts.size(), options.node_budget);
      }
      continue;
    }
    witnesses.push_back(std::move(o.order));
  }
  if (!result.explanation.empty()) {
    result.verdict = Verdict::kInconclusive;
    return result;
  }
  result.verdict = Verdict::kLinearizable;
  result.witness = merge_witnesses(history, witnesses);
  if (std::string bad = validate_witness(history, options.initial, result.witness); !bad.empty()) {
    throw std::logic_error("linearizability checker produced a bad witness: " + bad);
  }
  return result;
}

std::string validate_witness(const History& history, const State& initial,
                             std::span<const OpIndex> order) {
  const auto& pos = history.positions();
  std::vector<bool> seen(history.size(), false);
  State state = initial;
  std::uint32_t latest_call = 0;
  bool any = false;
  for (OpIndex i : order) {
    if (i >= history.size()) return fmt::format("no operation #{}", i);
    if (seen[i]) return fmt::format("{} appears twice", history.describe(i));
    seen[i] = true;
    // Real time: no op placed earlier may have been invoked after this one returned.
    if (any && latest_call > pos[i].ret) {
      return fmt::format("{} returned before an operation placed ahead of it was invoked",
                         history.describe(i));
    }
    latest_call = std::max(latest_call, pos[i].call);
    any = true;
    const Step step = apply(state, history[i].op);
    if (history[i].result_checked() && step.result != history[i].observed) {
      return fmt::format("{}: the model returns {} at this point", history.describe(i),
                         to_string(history[i].op.kind, step.result));
    }
    state = step.state;
  }
  for (OpIndex i = 0; i < history.size(); ++i) {
    if (!seen[i] && !history[i].pending()) {
      return fmt::format("{} completed but is missing from the order", history.describe(i));
    }
  }
  return {};
}

}  // namespace lockstep::model
