// sim/sync.h: simulated Mutex, SharedMutex and CondVar, std-shaped, each with a lock class.
//
// Contract
// - Every operation is a scheduling point (sim/task.h lists them), and takes the source
//   location of its caller: reports name the line that took or waited. std::lock_guard,
//   std::unique_lock, std::scoped_lock and std::shared_lock over these locks do too
//   (sim/std_locks.h, included here, specialises them).
// - Lock classes: a lock made without a class name gets the class of its construction site,
//   "mutex@file.cc:42" (as lockdep keys classes by their initialisation site), so two unrelated
//   unnamed locks are two classes. Generated names are interned once per site (file base name
//   and line, never an address) and have static storage, like literal class names. A data
//   member left unnamed gets the site of the enclosing class's constructor (that is where the
//   compiler places the call), so unnamed members of one class share a class: name them.
// - Mutex: not recursive; locking a mutex the task already holds blocks it forever (reported
//   as a wait-for cycle of one task). Waiters are not ordered: any of them may be picked.
// - SharedMutex: reader/writer lock, fair in arrival order like an asynchronous runtime's
//   RwLock: a reader that arrives after a waiting writer waits behind it. Readers share. The
//   arrival happens at the lock's own point (sim/task.h, the fidelity rule): it enters at once
//   if it can, else it is queued and waits for its turn at a second point (lock-wait,
//   lock-shared-wait). try_lock enters only what an arrival would enter at once.
// - CondVar: wait(m) releases m and enqueues atomically; notify_one wakes the oldest waiter;
//   no spurious wake-ups. A woken waiter re-locks m at a separate scheduling point.
// - Happens-before for the race detector (sim/race.h): an unlock orders every later lock of
//   the mutex; a writer's release orders every later holder of a SharedMutex, a reader's
//   release a later writer; a notify orders the wait it wakes.
// - unlock by a task that does not hold the lock fails the execution.
// - An object belongs to one execution at a time; used in a later execution it resets itself
//   (objects may live outside the run, e.g. in a test fixture).
// Errors: use outside an execution throws std::logic_error. Threading: simulator OS thread
// only. Cost: one scheduling point per operation; no allocation except a lock's first holders
// and waiters in an execution.
#pragma once

#include <cstdint>
#include <source_location>
#include <string_view>
#include <vector>

#include "sim/execution.h"

namespace lockstep::sim {

// Common identity of every simulated object: class, execution, ordinal.
class SimObject {
 public:
  SimObject(ObjectKind kind, std::string_view class_name);
  SimObject(const SimObject&) = delete;
  SimObject& operator=(const SimObject&) = delete;
  // The ObjectId in the current execution (registers the object if needed).
  ObjectId id() { return bind(Execution::require_current()); }
  std::string_view class_name() const { return class_name_; }

 protected:
  // Makes the object part of `ex` (resetting its state on first use in `ex`); returns its id.
  ObjectId bind(Execution& ex) {
    if (generation_ != ex.generation()) rebind(ex);
    return id_;
  }
  virtual void reset_state() = 0;
  ~SimObject() = default;

 private:
  void rebind(Execution& ex);
  std::string_view class_name_;
  ObjectKind kind_;
  std::uint64_t generation_ = 0;
  ObjectId id_ = kNoObject;
};

// The class name of an unnamed lock made at `site`: "<kind>@<file base name>:<line>", interned
// (static storage; the same site gives the same view). Two sites whose files share a base name
// and line get a suffix in the order they are first seen. Thread-safe; not for the hot path.
std::string_view site_class(std::string_view kind, std::source_location site);

class Mutex final : public SimObject {
 public:
  // Class from the construction site (see site_class).
  explicit Mutex(std::source_location site = std::source_location::current());
  explicit Mutex(std::string_view lock_class);
  void lock(std::source_location site = std::source_location::current());
  bool try_lock(std::source_location site = std::source_location::current());
  void unlock(std::source_location site = std::source_location::current());
  bool is_locked() const { return free_ == 0; }
  TaskId owner() const { return owner_; }

 private:
  friend class CondVar;
  void reset_state() override { free_ = 1; }
  void acquire(Execution& ex, std::source_location site);
  void release(Execution& ex, std::source_location site);
  static bool lock_enabled(const void* self, const TaskRecord&, std::int64_t);
  static void holders(const void* self, std::vector<TaskId>& out);
  static const OpTraits kLockTraits;
  std::uint32_t free_ = 1;  // 0 while held; the lock point's gate word
  TaskId owner_{};
};

class SharedMutex final : public SimObject {
 public:
  explicit SharedMutex(std::source_location site = std::source_location::current());
  explicit SharedMutex(std::string_view lock_class);
  void lock(std::source_location site = std::source_location::current());
  bool try_lock(std::source_location site = std::source_location::current());
  void unlock(std::source_location site = std::source_location::current());
  void lock_shared(std::source_location site = std::source_location::current());
  bool try_lock_shared(std::source_location site = std::source_location::current());
  void unlock_shared(std::source_location site = std::source_location::current());
  bool check_invariants() const;  // a writer excludes readers; waiters are distinct

 private:
  struct Waiter {
    TaskId task;
    std::uint64_t ticket;
    bool writer;
  };
  void reset_state() override;
  bool ahead_blocks(std::uint64_t ticket, bool writer) const;
  bool enterable(bool writer) const;  // an arrival now would enter at once
  void enter(Execution& ex, ObjectId id, bool writer, std::source_location site);
  void request(Execution& ex, ObjectId id, bool writer, std::source_location site);
  void depart(TaskId task);
  static bool write_enabled(const void* self, const TaskRecord& t, std::int64_t);
  static bool read_enabled(const void* self, const TaskRecord& t, std::int64_t);
  static void holders(const void* self, std::vector<TaskId>& out);
  static const OpTraits kWriteTraits;
  static const OpTraits kReadTraits;
  bool writer_ = false;
  TaskId writer_task_{};
  std::vector<TaskId> readers_;  // tasks holding it shared (a task may appear once per hold)
  std::vector<Waiter> waiting_;  // queued arrivals, at a lock-wait point, in arrival order
  std::uint64_t next_ticket_ = 1;
};

class CondVar final : public SimObject {
 public:
  explicit CondVar(std::string_view name = "condvar");
  void wait(Mutex& m, std::source_location site = std::source_location::current());
  template <class Pred>
  void wait(Mutex& m, Pred pred, std::source_location site = std::source_location::current()) {
    while (!pred()) wait(m, site);
  }
  void notify_one(std::source_location site = std::source_location::current());
  void notify_all(std::source_location site = std::source_location::current());

 private:
  void reset_state() override { waiters_.clear(); }
  static bool woken(const void* self, const TaskRecord& t, std::int64_t);
  static const OpTraits kWakeTraits;
  std::vector<TaskId> waiters_;  // FIFO
};

}  // namespace lockstep::sim

#include "sim/std_locks.h"  // IWYU pragma: export
