// model/history.h: a concurrent history of bookkeeping operations, the input of the
// linearizability checker (model/linearizability.h).
//
// Contract
// - What: each operation has the task that ran it, the Op, an invocation stamp and, once it
//   returned, a response stamp and the observed Result. An operation that never returned
//   (the execution ended first) is *pending*: it may or may not have taken effect. One that
//   returned without its result being recorded (e.g. a stage of an unload) is *unobserved*:
//   it took effect within its interval, with whatever result.
// - Stamps: uint64 from the scheduler's step counter (or any clock where two tasks never
//   share a stamp). Real-time order: a precedes b iff a returned before b was invoked. Equal
//   stamps of one task are ordered by program order (the order of invoke() calls); equal
//   stamps of two tasks (not produced by the simulator) are ordered by task id, as if the
//   lower task's events came first.
// - Identity: an operation is its index, in order of invoke(); indices are dense from 0.
// - Failure: invoke()/respond() throw std::invalid_argument when the history would be
//   malformed (a task invoking while its previous operation is still open, stamps going
//   back within a task, a response before its invocation, an id out of the model's range,
//   responding twice, more than kMaxOperations). check_invariants() throws
//   std::logic_error.
// - Threading: a value; build it on one OS thread.
// - Cost: invoke/respond O(tasks) at worst (a sorted task table), O(1) amortised for a fixed
//   set of tasks; positions() sorts the events, O(n log n), cached until the next change.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/reference_model.h"

namespace lockstep::model {

// Tasks numbered from here are operations a checker added to a history (see describe()).
inline constexpr std::uint32_t kCheckerTaskBase = 0x80000000u;

using OpIndex = std::size_t;

struct HistoryEntry {
  std::uint32_t task = 0;
  Op op;
  std::uint64_t invoked = 0;
  std::optional<std::uint64_t> responded;  // nullopt: pending at the end of the execution
  Result observed;                         // meaningful only once responded, if not unobserved
  bool unobserved = false;                 // responded, but any result fits
  bool pending() const { return !responded.has_value(); }
  bool result_checked() const { return !pending() && !unobserved; }
};

// Where an operation's call and return sit in the total order of events (see Stamps above).
// A pending operation's return is at kNeverReturned, after every other event.
struct EventPositions {
  std::uint32_t call = 0;
  std::uint32_t ret = 0;
};
inline constexpr std::uint32_t kNeverReturned = 0xffffffffu;
// Event positions are 32-bit: two events per operation, kNeverReturned reserved.
inline constexpr std::size_t kMaxOperations = 0x7fffffffu;

class History {
 public:
  // Starts an operation of `task`; it stays pending until respond().
  OpIndex invoke(std::uint32_t task, const Op& op, std::uint64_t stamp);
  // Completes operation `index` with what it returned.
  void respond(OpIndex index, std::uint64_t stamp, const Result& observed);
  // Completes operation `index` without a recorded result.
  void respond_unobserved(OpIndex index, std::uint64_t stamp);

  // Shorthands for building histories by hand.
  OpIndex add_completed(std::uint32_t task, const Op& op, std::uint64_t invoked,
                        std::uint64_t responded, const Result& observed);
  OpIndex add_pending(std::uint32_t task, const Op& op, std::uint64_t invoked) {
    return invoke(task, op, invoked);
  }

  std::size_t size() const { return entries_.size(); }
  const HistoryEntry& operator[](OpIndex i) const { return entries_[i]; }
  std::span<const HistoryEntry> entries() const { return entries_; }

  // Call/return positions of every operation, indexed like entries().
  const std::vector<EventPositions>& positions() const;
  // Real-time order: a returned before b was invoked.
  bool precedes(OpIndex a, OpIndex b) const;

  // "#3 task 1 [12, 17] subscribe(c0, t1) -> ok" ("[12, -]" and "-> ? (pending)" while
  // pending, "-> ? (not observed)" when unobserved).
  // "#i task T [call, return] op -> result"; a task from kCheckerTaskBase on prints as
  // "checker query N" (an operation the checker added, not a task of the execution).
  std::string describe(OpIndex i) const;

  void check_invariants() const;

 private:
  struct TaskCursor {
    std::uint32_t task = 0;
    std::uint64_t last_stamp = 0;  // latest stamp seen for this task
    std::uint32_t count = 0;       // operations invoked so far
    std::optional<OpIndex> open;   // its operation still pending, if any
  };
  TaskCursor& cursor(std::uint32_t task);

  std::vector<HistoryEntry> entries_;
  std::vector<std::uint32_t> program_order_;       // per entry: its rank among its task's entries
  std::vector<TaskCursor> tasks_;                  // sorted by task id
  mutable std::vector<EventPositions> positions_;  // cache; invariant: empty or one per entry
};

}  // namespace lockstep::model
