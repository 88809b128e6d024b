// properties/no_deadlock.cc: property 4, no deadlock and an acyclic lock order.
//
// - Per execution: a wait-for cycle the simulator found among the tasks left blocked
//   (EndState::cycle) is a deadlock; the violation lists each task of the cycle, what it
//   waits for and who holds it.
// - Per exploration (lockdep): every cycle of the lock-class graph is reported with both
//   acquisition sites of each edge, even if no execution deadlocked; and every lock class held
//   across a blocking wait (a receive, a join, a sleep) is reported by class and site unless
//   lock_hold_allow_list() names it with the reason the design keeps it.
// The ways the property can be violated, each caught here (a test per way in
// tests/properties/no_deadlock_test.cc): (a) tasks left blocked in a wait-for cycle; (b) a
// cycle in the lock-class order across the exploration; (c) a lock held across a blocking wait
// that the allow list does not name.
// Cost: linear in the cycle, the edges and the waits.
#include <fmt/format.h>

#include <array>

#include "properties/checkers.h"
#include "properties/wait_chain.h"

namespace lockstep::properties {
namespace {

constexpr Property kProp = Property::kNoDeadlock;

constexpr std::array kAllowedHolds{
    AllowedHold{"pool_conn", "recv", "stall_gate",
                "openab #59's fix: a prompt holds its own session's connection mutex for the "
                "whole prompt, however long; only requests for that same session wait for it, "
                "and the pool lock is never held meanwhile"},
    AllowedHold{"pending_unloads", "lock", "manager",
                "codex listener/unload: subscribe and resume keep pending_thread_unloads locked "
                "across the attach (#[expect(clippy::await_holding_invalid_type)] in the seed) "
                "so that an attach is serialized against an unload; the manager lock is brief"},
};

}  // namespace

std::span<const AllowedHold> lock_hold_allow_list() { return kAllowedHolds; }

const AllowedHold* find_allowed_hold(const HeldAcrossWaitView& w) {
  for (const AllowedHold& a : kAllowedHolds) {
    if (a.held_class == w.held_class && a.wait == w.wait &&
        (a.waited_class.empty() || a.waited_class == w.waited)) {
      return &a;
    }
  }
  return nullptr;
}

std::vector<Violation> check_lock_order(const LockOrderView& view) {
  std::vector<Violation> out;
  for (const auto& cycle : view.cycles) {
    Violation v;
    v.property = kProp;
    std::vector<std::string> classes;
    for (std::size_t e : cycle) {
      if (e >= view.edges.size()) continue;
      const LockEdgeView& edge = view.edges[e];
      classes.push_back(edge.from);
      v.chain.push_back(fmt::format("{} held at {}, then {} taken at {} ({}x)", edge.from,
                                    edge.held_site, edge.to, edge.acquire_site, edge.count));
    }
    if (classes.empty()) continue;
    v.message = fmt::format(
        "The lock classes are taken in a cycle, {} -> {}: two tasks taking them in these orders "
        "can deadlock, even though no execution explored did. Each edge below gives where the "
        "first lock was held and where the second was then taken.",
        fmt::join(classes, " -> "), classes.front());
    out.push_back(std::move(v));
  }
  for (const HeldAcrossWaitView& w : view.waits) {
    if (find_allowed_hold(w) != nullptr) continue;
    Violation v;
    v.property = kProp;
    v.message = fmt::format(
        "Lock {} (taken at {}) is held across a blocking {} on {} at {} ({} time(s), {} of them "
        "really blocked): every task that needs {} waits as long as that {} does. Release it "
        "before waiting, or list the hold in lock_hold_allow_list() with its reason.",
        w.held_class, w.held_site, w.wait, w.waited.empty() ? "nothing" : w.waited, w.wait_site,
        w.count, w.blocked, w.held_class, w.wait);
    v.chain.push_back(fmt::format("{} held at {}", w.held_class, w.held_site));
    v.chain.push_back(
        fmt::format("{} on {} at {}", w.wait, w.waited.empty() ? "-" : w.waited, w.wait_site));
    out.push_back(std::move(v));
  }
  return out;
}

namespace detail {

void check_no_deadlock(const LogIndex& log, std::vector<Violation>& out) {
  const EndState& end = log.view().end;
  if (end.cycle.empty()) return;
  Violation v = violation_at(kProp, nullptr, "");
  std::vector<std::string> names;
  for (std::size_t i = 0; i < end.cycle.size(); ++i) {
    const std::uint32_t task = end.cycle[i];
    const std::uint32_t next = end.cycle[(i + 1) % end.cycle.size()];
    names.push_back(log.describe_task(task));
    const BlockedTaskView* b = find_blocked(log, task);
    v.chain.push_back(b == nullptr
                          ? fmt::format("{} waits for task {}", names.back(), next)
                          : fmt::format("{}, held by task {}", blocked_line(log, *b), next));
  }
  v.message = fmt::format(
      "Deadlock: {} wait for each other in a cycle, so none of them can ever go on (the "
      "execution is {}). The chain below gives what each waits for and who holds it.",
      fmt::join(names, ", "), end_kind_name(end.kind));
  out.push_back(std::move(v));
}

}  // namespace detail
}  // namespace lockstep::properties
