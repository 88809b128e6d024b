// model/search.cc: just-in-time linearization with memoisation.
//
// Follows G. Lowe, "Testing for linearizability", Concurrency and Computation: Practice and
// Experience 29(4), 2017, section 4 (the "just-in-time linearization" tree search, which
// refines Wing and Gong, "Testing and verifying concurrent objects", JPDC 1993, with the
// memoisation of configurations), in the array-and-linked-list form that Porcupine's
// checkSingle uses (after Horn and Kroening, FORTE 2015):
//   - The calls and returns of the part's operations form a doubly linked list in event
//     order. Scanning from the head, a call is an operation that may be linearized now;
//     reaching a return means that operation must already have been linearized, so the
//     search backtracks. Linearizing an operation lifts its call and return out of the list.
//   - A configuration (set of linearized operations, model state) seen before is not
//     explored again: whatever followed it then failed.
// Departures:
//   - Pending operations return at +infinity and accept any result. Reaching the return of
//     one means every completed operation is linearized (completed returns all come
//     earlier), so the search succeeds there and the pending operations not yet placed are
//     dropped: "may or may not have taken effect". Unobserved operations keep their return
//     and accept any result.
//   - For the explanation only, *relaxed* operations keep their interval but become
//     optional with any result: one is applied (result unchecked) when its call is reached,
//     or dropped when the scan reaches its return. Dropping at that point loses nothing: a
//     dropped op changes no state, and before its return it blocks nothing. A dropped op is
//     "done" in the memo's set like a linearized one; the state tells the two apart.
//   - An optional (pending or relaxed) op whose step would not change the state is not
//     placed: placing it is the same as dropping it, which stays possible later.
//   - The memo key is exact: the linearized set as a bitset plus the packed model state.
//     A set-membership hash is kept incrementally (Zobrist-style) so a probe is O(1) apart
//     from the key comparison.
//   - A node budget (model steps) bounds the search; the deepest prefix reached is kept
//     for the explanation.
#include "model/search.h"

#include <algorithm>
#include <unordered_set>

#include "model/mix.h"

namespace lockstep::model {
namespace {

// Memo of configurations, keys stored back to back in one arena.
class Memo {
 public:
  explicit Memo(std::size_t set_words) : words_(set_words + State::kPackedWords) {}
  Memo(const Memo&) = delete;  // the table's functors point at this object
  Memo& operator=(const Memo&) = delete;

  // Inserts (set, state); false if it was already there.
  bool insert(const std::vector<std::uint64_t>& set, std::uint64_t set_hash, const State& s) {
    const auto packed = s.packed();
    const std::size_t at = arena_.size();
    arena_.insert(arena_.end(), set.begin(), set.end());
    arena_.insert(arena_.end(), packed.begin(), packed.end());
    hashes_.push_back(mix64(set_hash ^ s.hash()));
    const auto id = static_cast<std::uint32_t>(hashes_.size() - 1);
    if (table_.insert(id).second) return true;
    arena_.resize(at);
    hashes_.pop_back();
    return false;
  }

 private:
  struct Hash {
    const Memo* memo;
    std::size_t operator()(std::uint32_t id) const {
      return static_cast<std::size_t>(memo->hashes_[id]);
    }
  };
  struct Equal {
    const Memo* memo;
    bool operator()(std::uint32_t a, std::uint32_t b) const {
      const auto* base = memo->arena_.data();
      return std::equal(base + a * memo->words_, base + (a + 1) * memo->words_,
                        base + b * memo->words_);
    }
  };

  std::size_t words_;
  std::vector<std::uint64_t> arena_;   // key id k occupies [k * words_, (k + 1) * words_)
  std::vector<std::uint64_t> hashes_;  // per key id
  // Membership only (insert().second); never iterated, so its order cannot reach any output.
  std::unordered_set<std::uint32_t, Hash, Equal> table_{16, Hash{this}, Equal{this}};
};

// The event list: nodes 0..2m-1 are events, node 2m is the head sentinel.
struct EventList {
  struct Node {
    std::uint32_t op = 0;  // position in `ops`
    bool is_call = false;
    std::uint32_t match = 0;  // call <-> return
    std::uint32_t prev = 0;
    std::uint32_t next = 0;
  };
  std::vector<Node> nodes;
  std::uint32_t head = 0;
  std::uint32_t end = 0;  // "no next": one past the sentinel

  void lift(std::uint32_t call) {
    for (std::uint32_t n : {call, nodes[call].match}) {
      nodes[nodes[n].prev].next = nodes[n].next;
      if (nodes[n].next != end) nodes[nodes[n].next].prev = nodes[n].prev;
    }
  }
  void unlift(std::uint32_t call) {  // exact inverse of lift, in reverse order
    for (std::uint32_t n : {nodes[call].match, call}) {
      nodes[nodes[n].prev].next = n;
      if (nodes[n].next != end) nodes[nodes[n].next].prev = n;
    }
  }
};

// Pending ops return at +infinity, after every real event.
EventList build_list(const History& history, std::span<const OpIndex> ops) {
  const auto& pos = history.positions();
  const auto m = static_cast<std::uint32_t>(ops.size());
  struct Key {
    std::uint64_t at;  // event position; free returns after every real event
    std::uint32_t node;
  };
  std::vector<Key> keys;
  keys.reserve(2 * m);
  EventList list;
  list.nodes.resize(2 * m + 1);
  for (std::uint32_t k = 0; k < m; ++k) {
    list.nodes[2 * k] = {k, true, 2 * k + 1, 0, 0};
    list.nodes[2 * k + 1] = {k, false, 2 * k, 0, 0};
    keys.push_back({pos[ops[k]].call, 2 * k});
    const bool pending = history[ops[k]].pending();
    keys.push_back({pending ? (std::uint64_t{1} << 32) + k : pos[ops[k]].ret, 2 * k + 1});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.at < b.at; });
  list.head = 2 * m;
  list.end = 2 * m + 1;
  std::uint32_t prev = list.head;
  for (const Key& key : keys) {
    list.nodes[prev].next = key.node;
    list.nodes[key.node].prev = prev;
    prev = key.node;
  }
  list.nodes[prev].next = list.end;
  return list;
}

}  // namespace

PartOutcome search_part(const History& history, std::span<const OpIndex> ops,
                        const std::vector<bool>& relaxed, const State& initial,
                        std::uint64_t budget) {
  const std::size_t m = ops.size();
  std::vector<bool> pending(m);
  std::vector<bool> optional(m);    // pending or relaxed: may not take effect at all
  std::vector<bool> any_result(m);  // optional or unobserved: the result is not checked
  for (std::size_t k = 0; k < m; ++k) {
    pending[k] = history[ops[k]].pending();
    optional[k] = pending[k] || (!relaxed.empty() && relaxed[k]);
    any_result[k] = optional[k] || !history[ops[k]].result_checked();
  }
  EventList list = build_list(history, ops);
  Memo memo((m + 63) / 64);
  std::vector<std::uint64_t> done((m + 63) / 64, 0);  // linearized or dropped
  std::uint64_t set_hash = 0;
  memo.insert(done, set_hash, initial);
  auto flip = [&](std::uint32_t k) {
    done[k / 64] ^= std::uint64_t{1} << (k % 64);
    set_hash ^= mix64(k + 1);
  };

  struct Frame {
    std::uint32_t call;
    bool dropped;  // a relaxed op dropped at its return rather than applied
    State before;
  };
  std::vector<Frame> stack;
  PartOutcome out;
  out.state = initial;
  State state = initial;
  auto record_order = [&] {
    out.order.clear();
    for (const Frame& f : stack) {
      if (!f.dropped) out.order.push_back(ops[list.nodes[f.call].op]);
    }
    out.state = state;
  };
  // Tries to make op k done, moving to `next`; false if the memo has seen the result.
  auto push = [&](std::uint32_t call, bool dropped, const State& next) {
    const std::uint32_t k = list.nodes[call].op;
    flip(k);
    if (!memo.insert(done, set_hash, next)) {
      flip(k);
      return false;
    }
    stack.push_back({call, dropped, state});
    state = next;
    list.lift(call);
    if (out.order.size() < stack.size() && !dropped) record_order();
    return true;
  };

  std::uint32_t entry = list.nodes[list.head].next;
  while (entry != list.end) {
    const EventList::Node& node = list.nodes[entry];
    const std::uint32_t k = node.op;
    if (node.is_call) {
      if (out.nodes >= budget) {
        out.verdict = Verdict::kInconclusive;
        return out;
      }
      ++out.nodes;
      const HistoryEntry& h = history[ops[k]];
      const Step step = apply(state, h.op);
      // An optional op that changes nothing here is as good as dropped, and dropping stays
      // possible later (at its return, or at the end for a pending op).
      const bool fits = optional[k]     ? !(step.state == state)
                        : any_result[k] ? true
                                        : step.result == h.observed;
      entry = fits && push(entry, false, step.state) ? list.nodes[list.head].next : node.next;
      continue;
    }
    if (pending[k]) {  // the first pending return: every completed op is done
      record_order();
      out.verdict = Verdict::kLinearizable;
      return out;
    }
    if (optional[k] && push(node.match, true, state)) {  // drop a relaxed op
      entry = list.nodes[list.head].next;
      continue;
    }
    // Backtrack: undo frames until one whose op was applied; try the calls after it.
    entry = list.end;
    while (entry == list.end && !stack.empty()) {
      const Frame top = stack.back();
      stack.pop_back();
      state = top.before;
      flip(list.nodes[top.call].op);
      list.unlift(top.call);
      if (!top.dropped) entry = list.nodes[top.call].next;
    }
    if (entry == list.end) {
      out.verdict = Verdict::kViolation;
      return out;
    }
  }
  record_order();
  out.verdict = Verdict::kLinearizable;
  return out;
}

}  // namespace lockstep::model
