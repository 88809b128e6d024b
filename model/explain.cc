// model/explain.cc: minimal, readable explanations of a linearizability violation.
//
// The essential-set search follows delta debugging (Zeller and Hildebrandt, "Simplifying and
// isolating failure-inducing input", TSE 2002): relax chunks of halving size, down to single
// operations, keeping each relaxation under which the part still fails. Departures: only the
// complement-removal half of ddmin (no subset tests), and an operation is not deleted (a
// sub-history of a linearizable history need not be linearizable: dropping a connect breaks
// the subscribe after it) but relaxed to "optional, any result, same interval", which only
// adds orders; see explain.h for why that keeps the explanation sound.
#include "model/explain.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace lockstep::model {
namespace {

// Relaxes as many completed ops of `part` as it can while the part stays unlinearizable.
// First probe: everything but the blocking op (often the observation alone is impossible).
// Then ddmin: chunks of half the kept ops, then halves, down to single ops; the last pass
// tries each kept op alone, so the result is 1-minimal when every try of that pass ended
// within its budget (*minimal says whether it did).
std::vector<OpIndex> essential_ops(const History& history, const std::vector<OpIndex>& part,
                                   std::optional<OpIndex> blocking, const State& initial,
                                   std::uint64_t budget, std::uint64_t* nodes_spent,
                                   bool* minimal) {
  std::vector<bool> relaxed(part.size(), false);
  std::vector<std::size_t> kept;  // positions in `part` of completed ops not relaxed
  for (std::size_t k = 0; k < part.size(); ++k) {
    if (!history[part[k]].pending()) kept.push_back(k);
  }
  bool definite = true;  // every try so far ended within its budget
  auto still_fails = [&] {
    // One try may use an eighth of the budget: a hopeless large chunk gives way to smaller.
    const std::uint64_t cap =
        std::min(budget - *nodes_spent, std::max<std::uint64_t>(1, budget / 8));
    if (cap == 0) {
      definite = false;
      return false;
    }
    const PartOutcome o = search_part(history, part, relaxed, initial, cap);
    *nodes_spent += o.nodes;
    if (o.verdict == Verdict::kInconclusive) definite = false;
    return o.verdict == Verdict::kViolation;
  };
  if (blocking && kept.size() > 1) {
    for (std::size_t k : kept) relaxed[k] = part[k] != *blocking;
    if (still_fails()) {
      *minimal = true;  // relaxing the one op left would leave nothing to fail
      return {*blocking};
    }
    for (std::size_t k : kept) relaxed[k] = false;
  }
  for (std::size_t chunk = std::max<std::size_t>(1, kept.size() / 2);; chunk /= 2) {
    definite = true;
    for (std::size_t from = 0; from < kept.size();) {
      const std::size_t to = std::min(kept.size(), from + chunk);
      for (std::size_t i = from; i < to; ++i) relaxed[kept[i]] = true;
      if (still_fails()) {
        kept.erase(kept.begin() + static_cast<std::ptrdiff_t>(from),
                   kept.begin() + static_cast<std::ptrdiff_t>(to));
      } else {
        for (std::size_t i = from; i < to; ++i) relaxed[kept[i]] = false;
        from = to;
      }
    }
    if (chunk == 1) break;
  }
  *minimal = definite;
  std::vector<OpIndex> out;
  for (std::size_t k : kept) out.push_back(part[k]);
  return out;
}

// "#2 disconnect(c0), #4 subscribers(t0)"; long lists keep their first and last entries.
std::string op_list(const History& history, const std::vector<OpIndex>& ops) {
  constexpr std::size_t kEnds = 6;
  std::string out;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops.size() > 2 * kEnds && i == kEnds) {
      out += fmt::format(", ... {} more ...", ops.size() - 2 * kEnds);
      i = ops.size() - kEnds;
    }
    if (!out.empty()) out += ", ";
    out += fmt::format("#{} {}", ops[i], to_string(history[ops[i]].op));
  }
  return out.empty() ? "(none)" : out;
}

}  // namespace

Violation explain_violation(const History& history, std::vector<OpIndex> part,
                            const PartOutcome& failed, const State& initial, std::uint64_t budget,
                            std::uint64_t* nodes_spent) {
  Violation v;
  v.longest_prefix = failed.order;
  v.state_after_prefix = failed.state;
  // The ops that could come next: not yet linearized, invoked before the earliest return of
  // a completed op that is not linearized (that op is the blocking one).
  const auto& pos = history.positions();
  std::vector<bool> placed(history.size(), false);
  for (OpIndex i : v.longest_prefix) placed[i] = true;
  std::vector<OpIndex> rest;
  for (OpIndex i : part) {
    if (!placed[i]) rest.push_back(i);
  }
  for (OpIndex i : rest) {
    if (history[i].pending()) continue;
    if (!v.blocking || pos[i].ret < pos[*v.blocking].ret) v.blocking = i;
  }
  for (OpIndex i : rest) {
    if (v.blocking && pos[i].call > pos[*v.blocking].ret) continue;
    v.candidates.push_back({i, apply(v.state_after_prefix, history[i].op).result});
  }
  v.essential = essential_ops(history, part, v.blocking, initial, budget, nodes_spent,
                              &v.essential_is_minimal);
  v.part = std::move(part);
  return v;
}

std::string format_violation(const History& history, const Violation& v, std::size_t part_no,
                             std::size_t part_count) {
  constexpr std::size_t kMaxListed = 12;
  std::string out = fmt::format("not linearizable: part {} of {} ({} operations) has no order\n",
                                part_no + 1, part_count, v.part.size());
  if (v.essential_is_minimal || v.essential.size() <= kMaxListed) {
    out += fmt::format(
        "  {} operation(s) cannot be ordered even if every other one of the part could have\n"
        "  taken effect or not, with any result, within its interval{}:\n",
        v.essential.size(), v.essential_is_minimal ? "" : " (not minimised: budget ran out)");
    for (OpIndex i : v.essential) out += "    " + history.describe(i) + "\n";
  } else {
    // Too many to read: show those overlapping the failure window.
    const auto& pos = history.positions();
    std::uint32_t from = v.blocking ? pos[*v.blocking].call : 0;
    for (const Attempt& a : v.candidates) from = std::min(from, pos[a.op].call);
    const std::uint32_t to = v.blocking ? pos[*v.blocking].ret : kNeverReturned;
    out += fmt::format(
        "  the explanation budget ran out with {} operations still needed; those overlapping\n"
        "  the failure:\n",
        v.essential.size());
    std::size_t listed = 0;
    for (OpIndex i : v.essential) {
      if (pos[i].ret < from || pos[i].call > to || listed == kMaxListed) continue;
      out += "    " + history.describe(i) + "\n";
      ++listed;
    }
  }
  out += fmt::format("longest linearizable prefix ({} of {}): {}\n", v.longest_prefix.size(),
                     v.part.size(), op_list(history, v.longest_prefix));
  out += fmt::format("  state after it: {}\n", v.state_after_prefix.to_string());
  if (v.blocking) {
    const HistoryEntry& b = history[*v.blocking];
    out += fmt::format(
        "  #{} {} must take effect before its response at {}, but no operation "
        "can come next:\n",
        *v.blocking, to_string(b.op), *b.responded);
  }
  for (const Attempt& a : v.candidates) {
    const HistoryEntry& e = history[a.op];
    out += fmt::format("    #{} {}: the model returns {}, observed {}\n", a.op, to_string(e.op),
                       to_string(e.op.kind, a.model),
                       e.result_checked() ? to_string(e.op.kind, e.observed) : "nothing");
  }
  return out;
}

}  // namespace lockstep::model
