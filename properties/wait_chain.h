// properties/wait_chain.h: the wait-for chain from one blocked task down to what it ultimately
// waits for (internal to properties/; used by properties 3 and 4).
//
// Contract
// - Reads EndState::blocked (what each unfinished task waits on, and who holds it) and the
//   log. A lock is followed to its holder; a reply channel to the task that runs the command
//   the waiter queued (its kCommandQueued record names it); a join to the joined task. The
//   chain ends at a stall gate (the stall is named from its kStallBegin), at a task that is
//   not blocked, at a queue with no sender, or when it comes back to a task already in it.
// - One line per link, e.g. "task 4 (request loop of c1) in request 1 of c1 emit(t1) waits
//   (recv) for reply#3 at state_manager_inl.h:186: command #3 of t1, queued at #20 for task 2
//   (shared-worker), not run yet".
// Threading: pure. Cost: O(links x log n).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "properties/log_index.h"

namespace lockstep::properties::detail {

struct WaitChain {
  std::vector<std::string> lines;
  std::vector<std::uint32_t> tasks;  // the tasks in chain order
  std::optional<std::string> stall;  // "the stall of start(t0) (hang-forever), begun at #9"
};

WaitChain wait_chain(const LogIndex& log, std::uint32_t start);

// The blocked-task entry of `task`, or nullptr.
const BlockedTaskView* find_blocked(const LogIndex& log, std::uint32_t task);

// What `task` is doing at the end of the log: "in request 2 of c1 emit(t1)", "running worker
// command #1 of t0", or "".
std::string doing(const LogIndex& log, std::uint32_t task);

// One line for a blocked task: "<task> <doing> waits (<op>) for <object> at <site>".
std::string blocked_line(const LogIndex& log, const BlockedTaskView& b);

}  // namespace lockstep::properties::detail
