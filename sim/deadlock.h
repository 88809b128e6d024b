// sim/deadlock.h: the wait-for graph of an execution that can go no further.
//
// Contract
// - Built when no task can run and no timer is pending but tasks remain (Outcome::kStuck),
//   before the tasks are unwound: for each blocked task, what it waits on (operation, object,
//   lock class, source line), which tasks hold that object, and which locks it holds itself.
// - `cycle` is a cycle of the graph task -> holder when there is one (a deadlock); tasks
//   blocked on a channel nobody will send to, or on a condition nobody will notify, have no
//   holder and are listed without one (a stall, or a lost wake-up).
// - A holder that has already finished (its task exited while holding the lock, so nobody will
//   ever release it) is listed in `finished_holders` with the locks it still held, and the
//   report says so instead of leaving the chain at an unknown task.
// - format() renders it for people: one line per blocked task, then the chain.
// Determinism: tasks in TaskId order; the cycle found first from the lowest TaskId.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/lock_order.h"
#include "sim/task.h"

namespace lockstep::sim {

class Execution;

struct HeldLockInfo {
  std::string object;  // "manager#0"
  bool shared;
  Site site;
};

struct BlockedTask {
  TaskId task;
  std::string name;
  std::uint32_t thread_label;
  OpKind op;
  std::string object;       // "thread_state#3", or "task#4" for a join, "-" for none
  std::string lock_class;   // class of the object waited on
  Site site;                // where the task waits
  std::vector<TaskId> holders;
  std::vector<HeldLockInfo> held;
};

// A task that finished while holding a lock some blocked task waits for.
struct FinishedHolder {
  TaskId task;
  std::string name;
  std::uint32_t thread_label;
  std::vector<HeldLockInfo> held;  // what it still held when it exited
};

struct WaitForReport {
  std::vector<BlockedTask> blocked;
  std::vector<FinishedHolder> finished_holders;  // in TaskId order
  const FinishedHolder* find_finished(TaskId t) const;
  std::vector<TaskId> cycle;  // t0 waits for t1 ... waits for t0; empty: no cycle
  const BlockedTask* find(TaskId t) const;
  // The chain task -> holder -> holder's wait -> ... from `start`, until a task that waits
  // for nobody, a task that is not blocked, or a repeat.
  std::vector<TaskId> chain_from(TaskId start) const;
  std::string format() const;
};

WaitForReport build_wait_for_report(const Execution& ex);

}  // namespace lockstep::sim
