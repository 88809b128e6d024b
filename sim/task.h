// sim/task.h: identities and vocabulary of the deterministic runtime.
//
// Terminology (shared with README and DESIGN.md)
// - *thread*: always a conversation thread of the state manager (`ThreadId`).
// - *connection*: a client connection (`ConnectionId`) that subscribes to threads.
// - *task*: a unit of concurrency under the simulator; *fiber*: the Boost.Context stack that
//   runs a task; an operating-system thread is always written *OS thread*.
// - *step*: the code a task runs between two scheduling points.
// - *execution*: one run of a workload under one schedule; *exploration*: the series of
//   executions a strategy drives.
// - *design variant*: one historical design of the state manager, selected at run time;
//   `current` is the design that must pass.
//
// Identity: TaskId is the task's spawn ordinal within its execution (the first task is 0);
// ObjectId is the creation ordinal of a synchronization object within its execution. Both are
// deterministic for a given schedule, never addresses. Header-only, no state.
#pragma once

#include <cstdint>
#include <string_view>

namespace lockstep::sim {

enum class TaskId : std::uint32_t {};
enum class ObjectId : std::uint32_t {};

inline constexpr ObjectId kNoObject{0xffffffffu};
inline constexpr std::uint32_t kNoThreadLabel = 0xffffffffu;

constexpr std::uint32_t raw(TaskId t) { return static_cast<std::uint32_t>(t); }
constexpr std::uint32_t raw(ObjectId o) { return static_cast<std::uint32_t>(o); }

// The visible operation a task performs right after a scheduling point.
//
// Where the points are: one precedes every visible operation listed here, including the
// releasing ones (unlock, notify, send, close, exit). A point before a releasing operation
// adds interleavings that are equivalent to ones already present when every acquisition
// blocks, but try_lock and recv_until can observe the difference, so lockstep keeps them:
// DFS counts and replay are then exact in terms of this one list. DPOR removes the
// redundancy by commutativity instead (sim/strategies/dpor.cc).
//
// The fidelity rule. Nothing another task can observe changes before the scheduling point
// that precedes the operation: a task's effect on a shared object happens in the step that
// the object's own operation leads, after the strategy picked that task to perform it, never
// in the task's previous step. Otherwise a real schedule (another task overtaking at the
// point) is missing from every strategy at once. Per primitive, the point and its effect:
//
//   operation              point (op kind, enabled when)        effect, right after the pick
//   Mutex::lock            lock, mutex free                     take the mutex
//   Mutex::try_lock        try-lock, always                     take it if free
//   Mutex::unlock          unlock, always                       release
//   SharedMutex::lock      lock, always (the arrival)           take it if no holder and no
//                                                               waiter; else queue (ticket)
//                          lock-wait, first in its turn         take it (leave the queue)
//   SharedMutex::lock_shared  lock-shared, always (arrival)     share it if no writer holds
//                                                               it or waits; else queue
//                          lock-shared-wait, no writer ahead    share it (leave the queue)
//   try_lock / try_lock_shared  try-lock(-shared), always       take or share it if it could
//                                                               be entered at once
//   unlock / unlock_shared  unlock(-shared), always             release
//   CondVar::wait(m)       wait, always                         enqueue on the condvar and
//                                                               release m, atomically
//                          wait-wake, notified                  leave the wait
//                          then Mutex::lock(m) as above         re-take m
//   notify_one / notify_all  notify, always                     mark the oldest / every
//                                                               waiter notified
//   Channel::send          send, always                         append the value (or fail:
//                                                               closed)
//   Channel::recv          recv, a value queued or closed       take the head value
//   Channel::recv_until    recv-until, as recv or deadline due  take the head value, or time
//                                                               out
//   Channel::close         close, always                        mark closed
//   spawn                  spawn, always                        create the task; it runs up to
//                                                               its first point (its prefix,
//                                                               which may touch no object)
//   JoinHandle::join       join, the task has finished          none
//   sleep_until            sleep, deadline due                  none
//   yield_now              yield, always                        none
//   Shared<T>::load        load, always                         read the value
//   Shared<T>::store       store, always                        write the value
//   task end               exit, always                         the task is finished (join
//                                                               may go on)
//
// A contended fair-lock acquisition is two steps (arrival, then its turn); an uncontended one
// is one. Debug builds check the rule: every effect above asserts that the step being run is
// the current task's and leads with the operation on that object (Execution::effect_allowed).
//
// Shared variables (sim/shared.h): a point (kLoad) precedes each load, and the value is read
// after it; a point (kStore) precedes each store, and the value changes after it (the effect
// no other task can see before the point). Shared::update is a load and a store: two points.
// For DPOR a load reads the variable and a store writes it: loads commute with loads.
enum class OpKind : std::uint8_t {
  kLock,
  kTryLock,
  kUnlock,
  kLockShared,
  kTryLockShared,
  kUnlockShared,
  kLockWait,        // fair reader/writer lock: a queued writer waits for its turn
  kLockSharedWait,  // fair reader/writer lock: a queued reader waits for its turn
  kWait,        // condition wait: release the mutex and enqueue
  kWaitWake,    // condition wait: blocked until notified
  kNotify,      // notify_one / notify_all
  kSend,
  kRecv,
  kRecvUntil,   // recv with a virtual deadline
  kClose,
  kSpawn,
  kJoin,
  kSleep,
  kYield,
  kLoad,        // a load of a shared variable (sim/shared.h)
  kStore,       // a store to a shared variable
  kExit,
};

inline constexpr int kOpKindCount = static_cast<int>(OpKind::kExit) + 1;

// Kebab-case name used in traces and reports; op_kind_from_name is its inverse.
constexpr std::string_view op_kind_name(OpKind k) {
  switch (k) {
    case OpKind::kLock: return "lock";
    case OpKind::kTryLock: return "try-lock";
    case OpKind::kUnlock: return "unlock";
    case OpKind::kLockShared: return "lock-shared";
    case OpKind::kTryLockShared: return "try-lock-shared";
    case OpKind::kUnlockShared: return "unlock-shared";
    case OpKind::kLockWait: return "lock-wait";
    case OpKind::kLockSharedWait: return "lock-shared-wait";
    case OpKind::kWait: return "wait";
    case OpKind::kWaitWake: return "wait-wake";
    case OpKind::kNotify: return "notify";
    case OpKind::kSend: return "send";
    case OpKind::kRecv: return "recv";
    case OpKind::kRecvUntil: return "recv-until";
    case OpKind::kClose: return "close";
    case OpKind::kSpawn: return "spawn";
    case OpKind::kJoin: return "join";
    case OpKind::kSleep: return "sleep";
    case OpKind::kYield: return "yield";
    case OpKind::kLoad: return "load";
    case OpKind::kStore: return "store";
    case OpKind::kExit: return "exit";
  }
  return "?";
}

constexpr bool op_kind_from_name(std::string_view name, OpKind& out) {
  for (int i = 0; i < kOpKindCount; ++i) {
    if (op_kind_name(static_cast<OpKind>(i)) == name) {
      out = static_cast<OpKind>(i);
      return true;
    }
  }
  return false;
}

// Operations that may wait for another task (they have an enabling condition).
constexpr bool op_may_block(OpKind k) {
  switch (k) {
    case OpKind::kLock:
    case OpKind::kLockShared:
    case OpKind::kLockWait:
    case OpKind::kLockSharedWait:
    case OpKind::kWaitWake:
    case OpKind::kRecv:
    case OpKind::kRecvUntil:
    case OpKind::kJoin:
    case OpKind::kSleep: return true;
    default: return false;
  }
}

// Lock acquisitions that may wait (lock order records them as acquisitions, not waits).
constexpr bool op_acquires(OpKind k) {
  return k == OpKind::kLock || k == OpKind::kLockShared || k == OpKind::kLockWait ||
         k == OpKind::kLockSharedWait;
}

// What a task does next: the operation kind and the object it acts on (kNoObject for yield,
// spawn, exit, sleep).
struct PendingOp {
  OpKind kind;
  ObjectId object;
  friend bool operator==(const PendingOp&, const PendingOp&) = default;
};

}  // namespace lockstep::sim
