// sim/lock_order.h: lock-order recording across all executions of an exploration, as the
// Linux kernel's lockdep does.
//
// Contract
// - Nodes are lock classes (by name), never objects or addresses. Each acquisition of class B
//   while a task holds class A records the edge A -> B with the first pair of source sites
//   that took them in that order and a count. An edge that closes a cycle in the class graph
//   is reported with every edge of the cycle and its sites, even if no execution deadlocked.
//   Taking a second lock of a class already held is a self-edge (a cycle of one).
// - A lock held while its task waits on a channel, a condition, a sleep or a join is recorded
//   per (held class, wait kind, waited class) with both sites, how often, and how often the
//   task really had to wait.
// - One LockOrder outlives many executions; it is fed by Execution and read by reports. An
//   Execution's class ids are its own: a destroyed Execution calls forget(), so one built later
//   at the same address (the next exploration merged into the same LockOrder) is mapped anew.
// Cost: an acquisition with no lock held is one counter increment; otherwise one matrix lookup
// per held lock, and a graph search only the first time an edge is seen.
#pragma once

#include <cstdint>
#include <map>
#include <source_location>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "sim/graph_cycles.h"
#include "sim/task.h"

namespace lockstep::sim {

class Execution;
struct HeldLock;

struct Site {
  std::string file;  // as the compiler spelled it
  std::uint32_t line = 0;
  static Site from(std::source_location loc);
  std::string str() const;  // "state_manager.h:212" (file name without its directory)
};

struct LockEdge {
  std::uint32_t from;  // class index in classes()
  std::uint32_t to;
  Site held_site;      // where `from` was taken, the first time
  Site acquire_site;   // where `to` was then taken
  std::uint64_t count = 0;
};

struct LockCycle {
  std::vector<std::uint32_t> classes;  // c0 -> c1 -> ... -> c0
  std::vector<std::size_t> edges;      // indices into edges(), in cycle order
};

struct HeldAcrossWait {
  std::uint32_t held_class;
  OpKind wait;
  std::string waited;  // class of the waited object, "" for sleep
  Site held_site;
  Site wait_site;
  std::uint64_t count = 0;
  std::uint64_t blocked = 0;  // times the wait could not proceed at once
};

class LockOrder {
 public:
  // Inline fast path: with no lock held, only the class's hold count changes. With locks
  // held, edges already seen cost one table lookup each (on_acquire_held).
  void on_acquire(const Execution& ex, std::span<const HeldLock> held, std::uint16_t cls,
                  std::source_location site) {
    const std::int32_t to = cached_for_ == &ex ? mapped(cls) : -1;
    if (to >= 0 && held.empty()) {
      ++holds_[static_cast<std::size_t>(to)];
      return;
    }
    on_acquire_held(ex, held, cls, to, site);
  }
  void on_wait(const Execution& ex, std::span<const HeldLock> held, OpKind kind,
               ObjectId waited, std::source_location site, bool blocked);
  // Drops what is cached about `ex`'s class ids (called as `ex` is destroyed).
  void forget(const Execution& ex) {
    if (cached_for_ != &ex) return;
    cached_for_ = nullptr;
    exec_to_class_.clear();
  }

  const std::vector<std::string>& classes() const { return names_; }
  const std::vector<LockEdge>& edges() const { return edges_; }
  const std::vector<LockCycle>& cycles() const { return cycles_; }
  std::vector<HeldAcrossWait> held_across_waits() const;
  std::uint64_t hold_count(std::uint32_t cls) const { return holds_[cls]; }
  // Readable multi-line report: edges, cycles with both sites of each edge, waits.
  std::string format() const;

 private:
  std::uint32_t class_index(const Execution& ex, std::uint16_t exec_class);
  // Index of an execution class already seen in the cached execution, else -1.
  std::int32_t mapped(std::uint16_t exec_class) const {
    return exec_class < exec_to_class_.size() ? exec_to_class_[exec_class] : -1;
  }
  // The edge index of (held class -> to), or -1 when the class or the edge is new.
  std::int32_t edge_slot(std::uint16_t held_class, std::int32_t to) const {
    const std::int32_t from = mapped(held_class);
    if (from < 0) return -1;
    return matrix_[static_cast<std::size_t>(from) * matrix_dim_ + static_cast<std::size_t>(to)];
  }
  // `to` is mapped(cls), or -1. Counts known edges in place, else takes the slow path.
  void on_acquire_held(const Execution& ex, std::span<const HeldLock> held, std::uint16_t cls,
                       std::int32_t to, std::source_location site);
  void on_acquire_slow(const Execution& ex, std::span<const HeldLock> held, std::uint16_t cls,
                       std::source_location site);

  const Execution* cached_for_ = nullptr;
  std::vector<std::int32_t> exec_to_class_;  // execution class id -> index, -1 unknown
  std::vector<std::string> names_;
  std::vector<std::uint64_t> holds_;
  std::vector<std::int32_t> matrix_;  // names_.size()^2: edge index or -1
  std::size_t matrix_dim_ = 0;
  std::vector<LockEdge> edges_;
  std::vector<LockCycle> cycles_;
  GraphCycles graph_;
  std::map<std::tuple<std::uint32_t, int, std::string>, HeldAcrossWait> waits_;
};

}  // namespace lockstep::sim
