// sim/execution.h: one run of a program under one schedule.
//
// Contract
// - An Execution owns the task table of one run. run() starts the root body as task 0 and
//   returns when every task has finished, when no task can run and no timer is pending
//   (stuck: a deadlock or tasks blocked forever), when the step bound is exceeded, when a task
//   fails (an exception escaped, or fail() was called), when the strategy abandons
//   (kAbandoned), or when it picks a task that cannot run (kInvalidPick: a bug of the tool).
// - Every visible operation of a primitive (sim/sync.h, sim/channel.h) calls point() first.
//   The task then waits until the Scheduler picks it; only picked tasks run, one at a time, on
//   the OS thread that called run(). Code between two points runs atomically.
// - A new task runs at once up to its first point (its invisible prefix), so that every task
//   always shows the strategy its next operation.
// - When the run ends with tasks still suspended, each is resumed once and unwound with the
//   TaskAborted exception; primitives do nothing while the execution aborts. Bodies must let
//   TaskAborted (not derived from std::exception) pass through. Releasing operations (unlock,
//   notify, send, close) never throw it: they may run in destructors; they do nothing.
// - One thread-local "current execution" pointer (current()) is the only global state.
// - An Execution object is reused across the executions of an exploration: reset() keeps every
//   buffer's capacity, so a scheduling step allocates nothing.
// Cost of a step: one pass over the live tasks to collect the runnable ones (a load and a
// compare per task waiting on a gate word — a channel receive, a mutex, a sleep — and one
// indirect call per task whose operation has another enabling condition), one strategy call,
// one 32-byte record, and one fiber switch if another task was picked.
#pragma once

#include <cassert>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include "sim/clock.h"
#include "sim/deadlock.h"
#include "sim/fiber.h"
#include "sim/race.h"
#include "sim/strategies/strategy.h"
#include "sim/task.h"

namespace lockstep::sim {

class Scheduler;
class LockOrder;
struct TaskRecord;

// Thrown inside a task to unwind it when its execution ends early. Not a std::exception.
struct TaskAborted {};

enum class ObjectKind : std::uint8_t { kMutex, kSharedMutex, kCondVar, kChannel, kShared };

// The property a data race fails an execution with (sim/race.h).
inline constexpr std::string_view kDataRace = "data-race";

// Enabling condition of a pending operation; nullptr means always enabled.
using EnabledFn = bool (*)(const void* object, const TaskRecord& task, std::int64_t now);
// Tasks that hold `object` (for wait-for reports); may append nothing.
using HoldersFn = void (*)(const void* object, std::vector<TaskId>& out);

struct OpTraits {
  EnabledFn enabled = nullptr;
  HoldersFn holders = nullptr;
};

struct ObjectInfo {
  std::string_view class_name;  // static storage
  ObjectKind kind;
  std::uint16_t class_id;       // index in the execution's class table, stable across runs
  std::uint32_t class_ordinal;  // n-th object of this class in this execution
};

struct HeldLock {
  ObjectId object;
  std::uint16_t class_id;
  bool shared;
  std::source_location site;
};

struct TaskRecord {
  Fiber fiber;
  std::function<void()> body;
  std::string name;
  std::uint32_t thread_label = kNoThreadLabel;
  TaskId id{};
  enum class State : std::uint8_t { kPrefix, kLive, kFinished } state = State::kFinished;
  bool notified = false;     // condition wait: set by notify
  std::uint64_t ticket = 0;  // arrival order at a fair reader/writer lock
  PendingOp pending{OpKind::kExit, kNoObject};
  const void* pending_object = nullptr;
  const OpTraits* traits = nullptr;
  EnabledFn enabled = nullptr;     // traits->enabled, read by every step's scan
  // Set instead of calling `enabled` in the scan: the operation is enabled exactly when the
  // word is non-zero or the deadline is due (the word is the object's, kept by it).
  const std::uint32_t* gate = nullptr;
  std::int64_t deadline = kNever;  // sleep / recv-until
  std::source_location site;       // of the pending operation
  std::vector<HeldLock> held;      // locks held now, in acquisition order
  void* stack = nullptr;
};

struct ExecutionOptions {
  std::uint32_t max_steps = 200'000;  // beyond it: kStepBound (a possible livelock)
  // Happens-before race detection over sim::Shared<T> (sim/race.h): a race fails the
  // execution with the property `data-race`. Off: loads and stores are only scheduling points.
  bool detect_races = true;
};

class Execution {
 public:
  Execution(Scheduler& scheduler, LockOrder* lock_order = nullptr);
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;
  ~Execution();

  // Runs `root` as task 0 to the end of the execution. Not reentrant.
  Outcome run(std::function<void()> root, const ExecutionOptions& options = {});
  // Runs the bodies as tasks 0..n-1, all runnable from the start (no root task's steps
  // interleave with theirs: exact interleaving counts).
  Outcome run_tasks(const std::vector<std::function<void()>>& bodies,
                    const ExecutionOptions& options = {});

  // Called at the end of every run on the OS thread's own stack, after the outcome is known
  // and before suspended tasks are unwound: their objects are still alive (e.g. to read the
  // final state of a system whose tasks are stuck). Kept across runs.
  void set_end_hook(std::function<void(Execution&)> hook) { end_hook_ = std::move(hook); }

  // --- queries, valid during and after run() ---
  static Execution* current() noexcept;
  static Execution& require_current();  // throws std::logic_error outside an execution
  std::uint64_t generation() const { return generation_; }
  std::uint32_t step() const;
  std::int64_t now() const { return clock_.now(); }
  bool aborting() const { return aborting_; }
  Outcome outcome() const { return outcome_; }
  const std::string& failure() const { return failure_; }
  // The property the failure names when the simulator itself detected it (kDataRace), or empty.
  std::string_view failure_property() const { return failure_property_; }
  TaskId current_task() const { return current_->id; }
  const TaskRecord& task(TaskId t) const { return *tasks_[raw(t)]; }
  std::size_t task_count() const { return task_count_; }
  const ObjectInfo& object(ObjectId o) const { return objects_[raw(o)]; }
  std::size_t object_count() const { return objects_.size(); }
  std::string object_name(ObjectId o) const;  // "thread_state#3"
  std::string_view class_name(std::uint16_t class_id) const { return classes_[class_id]; }
  // The wait-for graph when the execution ended stuck (built before tasks were unwound).
  const std::optional<WaitForReport>& wait_for() const { return wait_for_; }
  Scheduler& scheduler() { return scheduler_; }
  const Scheduler& scheduler() const { return scheduler_; }
  LockOrder* lock_order() { return lock_order_; }

  // --- used by primitives ---
  ObjectId register_object(ObjectKind kind, std::string_view class_name);
  // Scheduling point before a visible operation of the current task. Returns when the task is
  // picked to perform it: true to go on, false when the execution aborts during unwinding
  // (the caller then does nothing). Throws TaskAborted when the execution aborts otherwise.
  // `gate`, when given, must agree with traits->enabled: enabled iff *gate != 0 or `deadline`
  // is due; the step's scan then reads the word instead of calling the function.
  bool point(OpKind kind, const void* object, ObjectId id, const OpTraits* traits,
             std::source_location site, std::int64_t deadline = kNever,
             const std::uint32_t* gate = nullptr);
  // The fidelity rule's check (sim/task.h): the step being run is the current task's and leads
  // with one of `kinds` on `object`. Primitives assert it before each effect
  // (LOCKSTEP_EFFECT, debug builds only).
  bool effect_allowed(ObjectId object, std::initializer_list<OpKind> kinds) const;
  TaskRecord& current_record() { return *current_; }
  TaskRecord& record(TaskId t) { return *tasks_[raw(t)]; }
  void on_acquired(ObjectId object, bool shared, std::source_location site);
  void on_released(ObjectId object);
  // Step effects for strategies that ask for them (Strategy::wants_steps): an access that is
  // not the step's own operation (a reader/writer lock arrival), an observation footprint
  // (sim::observation_mask), a receive that timed out, a data choice. No-ops otherwise.
  void note_access(ObjectId object, AccessMode mode) {
    if (track_effects_) effects_.add(object, mode);
  }
  void note_observation(std::uint64_t mask) {
    if (track_effects_) effects_.observed |= mask;
  }
  void note_timed_out() {
    if (track_effects_) effects_.timed_out = true;
  }
  void note_no_value() {
    if (track_effects_) effects_.no_value = true;
  }
  void note_data_choice() {
    if (track_effects_) effects_.overflow = true;
  }
  TaskId spawn(std::string_view name, std::uint32_t thread_label, std::function<void()> body,
               std::source_location site);
  // Happens-before edges of the current task for the race detector (sim/race.h), called by
  // primitives after the operation's point; no-ops when detection is off.
  void hb_send(ObjectId channel) {
    if (races_.enabled()) races_.on_send(current_->id, channel);
  }
  void hb_receive(ObjectId channel, bool closed) {
    if (!races_.enabled()) return;
    if (closed) {
      races_.on_receive_closed(current_->id, channel);
    } else {
      races_.on_receive(current_->id, channel);
    }
  }
  void hb_close(ObjectId channel) {
    if (races_.enabled()) races_.on_close(current_->id, channel);
  }
  void hb_notify(TaskId woken) {
    if (races_.enabled()) races_.on_notify(current_->id, woken);
  }
  void hb_join(TaskId joined) {
    if (races_.enabled()) races_.on_join(current_->id, joined);
  }
  // A load or store of a shared variable by the current task, after its point: a race fails
  // the execution with kDataRace (and throws TaskAborted, as fail() does).
  void shared_access(ObjectId var, bool write, std::source_location site) {
    if (!races_.enabled()) return;
    if (auto race = races_.on_access(current_->id, var, write, site)) report_race(*race);
  }
  // A shared variable constructed by the current task: its initial value is that task's write.
  void shared_init(ObjectId var, std::source_location site) {
    if (races_.enabled() && current_ != nullptr) races_.on_init(current_->id, var, site);
  }
  const RaceDetector& races() const { return races_; }
  // Fails the execution with `message` (the first failure wins) and unwinds the calling task
  // by throwing TaskAborted; returns only when called while already unwinding. `property`
  // (static storage) names what failed when the simulator itself detected it.
  void fail(std::string message, std::string_view property = {});

 private:
  static void task_entry(Fiber* self, void* arg);
  void add_task();  // a new task record, and room for it in candidates_
  void reset();
  TaskRecord* pick_next();           // nullptr: the execution is over
  void end(Outcome outcome);         // records the outcome (first one wins)
  void leave_finished(TaskRecord& me);
  void unwind_all();
  bool abort_here(OpKind kind);
  void fail_quietly(std::string message);
  void report_race(const Race& race);
  void switch_away(TaskRecord& me, TaskRecord* next);
  void flush_effects();

  Scheduler& scheduler_;
  LockOrder* lock_order_;
  VirtualClock clock_;
  std::vector<std::unique_ptr<TaskRecord>> tasks_;  // stable addresses, reused across runs
  std::size_t task_count_ = 0;
  std::vector<TaskRecord*> live_;  // unfinished tasks in TaskId order
  std::vector<ObjectInfo> objects_;
  std::vector<std::string_view> classes_;          // interned class names, kept across runs
  std::vector<std::uint32_t> class_counts_;        // per class: objects this execution
  std::vector<Candidate> candidates_;
  Fiber main_;
  TaskRecord* current_ = nullptr;
  std::optional<TaskId> last_picked_;
  Fiber* prefix_return_ = nullptr;  // where a new task's prefix returns to
  std::uint64_t generation_ = 0;
  ExecutionOptions options_;
  Outcome outcome_ = Outcome::kCompleted;
  bool ended_ = false;
  bool aborting_ = false;
  bool running_ = false;
  std::string failure_;
  std::string_view failure_property_;
  RaceDetector races_;
  std::optional<WaitForReport> wait_for_;
  std::function<void(Execution&)> end_hook_;
  bool track_effects_ = false;  // the strategy wants step effects this execution
  bool effects_open_ = false;   // a recorded step has not been handed its effects yet
  StepEffects effects_;
  Execution* previous_current_ = nullptr;
};

}  // namespace lockstep::sim

// Asserts, in debug builds, that an effect on `object` belongs to the step led by one of the
// listed operations of the current task (the fidelity rule, sim/task.h).
#ifdef NDEBUG
#define LOCKSTEP_EFFECT(ex, object, ...) ((void)0)
#else
#define LOCKSTEP_EFFECT(ex, object, ...) \
  assert((ex).effect_allowed((object), {__VA_ARGS__}) && "effect before its scheduling point")
#endif
