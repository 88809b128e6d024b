// sim/race.h: happens-before race detection over sim::Shared<T> (sim/shared.h).
//
// Contract
// - Two accesses to one shared variable race when they come from different tasks, at least one
//   is a store, and neither happens before the other. The first race of an execution fails it
//   with the property `data-race` (Execution::fail), naming both tasks and both source sites.
// - Happens-before is program order plus these synchronizes-with edges:
//     mutex unlock -> every later lock of it (try_lock too, when it succeeds);
//     reader/writer lock: a writer's release -> every later acquisition (shared or exclusive),
//       a reader's release -> every later exclusive acquisition;
//     channel send -> the receive that takes that value; close -> a receive that finds the
//       channel closed and drained (a receive that times out synchronizes with nothing);
//     spawn -> the child's first step; a task's last step -> the join that waits for it;
//     notify -> the wait it wakes (the waiter also re-locks the mutex: a lock edge).
//   Virtual time orders nothing: two accesses separated only by sleeps race, as they would on
//   OS threads.
// - The algorithm is FastTrack (Flanagan and Freund, "FastTrack: Efficient and Precise Dynamic
//   Race Detection", PLDI 2009): a vector clock per task and per synchronization object; per
//   variable, the last write as an epoch (task, clock) and the reads as one epoch while they
//   are totally ordered, a vector of epochs once they are concurrent. Departures: (1) each
//   epoch keeps the source location of its access, so a report names both lines; (2) the
//   first race ends the execution (the paper's tool goes on); (3) besides locks and fork/join
//   the edges above cover reader/writer locks, per-message channel clocks and notify; (4) a
//   task's clock is ticked after each releasing operation (unlock, send, close, notify, spawn)
//   as in the paper, and not at acquisitions.
// - Clocks grow with the task count (entries past a clock's size are zero): no task limit.
// - Determinism: no addresses, no unordered containers; the same schedule gives the same
//   report.
// Cost: every buffer keeps its capacity across executions (the detector is reset, not
// rebuilt), so after the first executions a step allocates nothing. An access costs O(1) in
// the common case (same epoch, or totally ordered reads) and O(tasks) when concurrent reads
// are checked; an acquisition, release, send, receive, spawn, join or notify costs one
// O(tasks) clock copy or join. Threading: the simulator's OS thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <source_location>
#include <vector>

#include "sim/task.h"

namespace lockstep::sim {

// A vector clock indexed by TaskId. Entries at or beyond size() are zero.
class VectorClock {
 public:
  std::uint32_t get(TaskId t) const { return raw(t) < c_.size() ? c_[raw(t)] : 0u; }
  void set(TaskId t, std::uint32_t v) {
    if (raw(t) >= c_.size()) c_.resize(raw(t) + 1, 0u);
    c_[raw(t)] = v;
  }
  void tick(TaskId t) { set(t, get(t) + 1); }
  void join(const VectorClock& o) {
    if (o.c_.size() > c_.size()) c_.resize(o.c_.size(), 0u);
    for (std::size_t i = 0; i < o.c_.size(); ++i) c_[i] = c_[i] < o.c_[i] ? o.c_[i] : c_[i];
  }
  void assign(const VectorClock& o) { c_.assign(o.c_.begin(), o.c_.end()); }  // keeps capacity
  void clear() { c_.clear(); }
  std::size_t size() const { return c_.size(); }

 private:
  std::vector<std::uint32_t> c_;
};

// One access as the detector remembers it: task, that task's clock entry at the time (0: no
// access), and where it was made.
struct RaceAccess {
  TaskId task{};
  std::uint32_t clock = 0;
  std::source_location site;
  bool write = false;
};

// A race found by an access: the earlier access, and the one that found it.
struct Race {
  ObjectId object;
  RaceAccess earlier;
  RaceAccess later;
};

class RaceDetector {
 public:
  // Starts an execution; a disabled detector does nothing until the next reset.
  void reset(bool enabled);
  bool enabled() const { return enabled_; }

  // A task starts: with its parent's clock, or an empty one for an initial task (parent
  // nullopt). The parent's clock ticks.
  void on_task_start(TaskId child, std::optional<TaskId> parent);
  // An object was registered in the execution: its slot starts empty.
  void on_object(ObjectId object);

  // Synchronization (see the contract for the edges).
  void on_acquire(TaskId t, ObjectId lock, bool shared);
  void on_release(TaskId t, ObjectId lock, bool shared);
  void on_send(TaskId t, ObjectId channel);
  void on_receive(TaskId t, ObjectId channel);  // took the oldest value sent
  void on_close(TaskId t, ObjectId channel);
  void on_receive_closed(TaskId t, ObjectId channel);
  void on_notify(TaskId t, TaskId woken);
  void on_join(TaskId t, TaskId joined);

  // Accesses to a shared variable; a race, if the access makes one. The variable's state is
  // updated either way.
  std::optional<Race> on_access(TaskId t, ObjectId var, bool write, std::source_location site);
  // The variable was initialised by task t when it was constructed (no race possible: nobody
  // else can reach it yet).
  void on_init(TaskId t, ObjectId var, std::source_location site);

  // Clock entries in use (tests).
  const VectorClock& clock(TaskId t) const { return tasks_[raw(t)]; }

 private:
  struct ObjectState {
    // Locks: the last exclusive release (a mutex's unlock, a writer's release), and the join
    // of the shared releases of a reader/writer lock.
    VectorClock release;
    VectorClock shared_release;
    // Channels: the clock of each value still queued, oldest at `head`; the close.
    std::vector<VectorClock> messages;
    std::size_t head = 0;
    std::size_t queued = 0;
    VectorClock close;
    // Variables: the last write; the last read while reads are totally ordered, else one
    // entry per task (clock 0: no read since the last write).
    RaceAccess write;
    RaceAccess read;
    bool read_shared = false;
    std::vector<RaceAccess> reads;
  };
  VectorClock& task_clock(TaskId t);
  ObjectState& object(ObjectId o);
  static bool before(const RaceAccess& a, const VectorClock& c) { return a.clock <= c.get(a.task); }

  bool enabled_ = false;
  std::vector<VectorClock> tasks_;    // index: TaskId; kept across executions
  std::size_t ntasks_ = 0;            // tasks started this execution
  std::vector<ObjectState> objects_;  // index: ObjectId; kept across executions
  std::size_t nobjects_ = 0;          // objects registered this execution
};

}  // namespace lockstep::sim
