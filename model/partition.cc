// model/partition.cc: P-compositionality for the reference model.
//
// Follows the idea of Horn and Kroening, "Faster linearizability checking via
// P-compositionality" (FORTE 2015), as Porcupine's partitioned models do: if the sequential
// specification is a product of independent objects, a history is linearizable iff each of
// its restrictions to one object is (Herlihy and Wing's locality, TOPLAS 1990, Theorem 1).
// Departure: the objects are not fixed keys but found per history, as the connected
// components described in partition.h.
//
// Why splitting by these components is sound (for the model of reference_model.h):
// The state is: a bit live(c) per connection, bits loaded(t) and closing(t) per thread, and a
// bit sub(t, c) per pair. Call a component K, and the projection of a state on K the bits
// live(c), loaded(t), closing(t), sub(t, c) with c, t in K. Take the history's ops and the
// initial state; every sub(t, c) bit that is ever 1 has c and t in one component, because
// only subscribe/auto_attach(c, t) set it (an edge), the initial state's 1-bits are edges,
// and every other op only clears bits. So in every reachable state sub(t, c) = 0 when c and
// t lie in different components. Then, operation by operation:
//   connect(c), disconnect(c): read and write live(c) and sub(*, c); the bits sub(t, c) with
//     t outside c's component are 0 before and after, so only K's projection changes.
//   subscribe, auto_attach, unsubscribe(c, t): read and write live(c), loaded(t),
//     closing(t), sub(t, c), all in K.
//   subscribers(t): returns sub(t, *); the bits outside K are 0, so the result is a
//     function of K's projection. (An observed result listing a c outside K cannot be
//     matched by any order, in the whole history or in the part; edge (2) merges such a c
//     into K anyway, so the explanation names the ops of c.)
//   thread_loaded, begin_unload, finish_unload(t): read and write loaded(t), closing(t),
//     sub(t, *); again only K's projection changes.
// Each op's result and effect depend only on the projection of its own component, and it
// leaves the other projections unchanged: the model restricted to these histories is the
// product of one model per component. A linearization of the whole history restricts to a
// linearization of each part; conversely the parts' witnesses interleave into a witness of
// the whole (the merge in linearizability.cc places each op at the earliest point its part's
// order allows, which respects real time across parts). Merging components further is
// always sound; it only costs time.
#include "model/partition.h"

#include <array>
#include <map>
#include <numeric>

namespace lockstep::model {
namespace {

// Union-find over connections (0..15) and threads (16..31).
class Components {
 public:
  Components() { std::iota(parent_.begin(), parent_.end(), std::uint8_t{0}); }
  static std::uint8_t of(ConnectionId c) { return static_cast<std::uint8_t>(impl::raw(c)); }
  static std::uint8_t of(ThreadId t) {
    return static_cast<std::uint8_t>(kMaxConnections + impl::raw(t));
  }
  std::uint8_t find(std::uint8_t x) {
    while (parent_[x] != x) x = parent_[x] = parent_[parent_[x]];
    return x;
  }
  void join(std::uint8_t a, std::uint8_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::array<std::uint8_t, kMaxConnections + kMaxThreads> parent_{};
};

std::uint8_t element(const Op& op) {
  return takes_connection(op.kind) ? Components::of(op.connection) : Components::of(op.thread);
}

}  // namespace

std::vector<std::vector<OpIndex>> independent_parts(const History& history, const State& initial) {
  Components comp;
  for (std::uint32_t t = 0; t < kMaxThreads; ++t) {
    for (ConnectionId c : initial.subscribers(ThreadId{t})) {
      comp.join(Components::of(c), Components::of(ThreadId{t}));
    }
  }
  for (const HistoryEntry& e : history.entries()) {
    if (takes_connection(e.op.kind) && takes_thread(e.op.kind)) {
      comp.join(Components::of(e.op.connection), Components::of(e.op.thread));
    }
    if (e.op.kind == OpKind::kSubscribers && e.result_checked()) {
      for (ConnectionId c : e.observed.sorted_subscribers()) {
        comp.join(Components::of(c), Components::of(e.op.thread));
      }
    }
  }
  // Parts in order of their smallest index: the first op seen for a root opens its part.
  std::map<std::uint8_t, std::size_t> part_of_root;
  std::vector<std::vector<OpIndex>> parts;
  for (OpIndex i = 0; i < history.size(); ++i) {
    const std::uint8_t root = comp.find(element(history[i].op));
    auto [it, inserted] = part_of_root.try_emplace(root, parts.size());
    if (inserted) parts.emplace_back();
    parts[it->second].push_back(i);
  }
  return parts;
}

}  // namespace lockstep::model
