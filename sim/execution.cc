#include "sim/execution.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>
#include <exception>
#include <stdexcept>

#include "sim/lock_order.h"
#include "sim/scheduler.h"

namespace lockstep::sim {

namespace {
thread_local Execution* g_current = nullptr;
thread_local std::uint64_t g_generation = 0;  // distinguishes executions on this OS thread
}  // namespace

Execution::Execution(Scheduler& scheduler, LockOrder* lock_order)
    : scheduler_(scheduler), lock_order_(lock_order) {
  candidates_.reserve(64);
  live_.reserve(64);
  objects_.reserve(64);
}

Execution::~Execution() {
  if (lock_order_ != nullptr) lock_order_->forget(*this);
}

Execution* Execution::current() noexcept { return g_current; }

Execution& Execution::require_current() {
  if (g_current == nullptr) {
    throw std::logic_error("lockstep: a simulated primitive was used outside an execution");
  }
  return *g_current;
}

std::uint32_t Execution::step() const {
  return static_cast<std::uint32_t>(scheduler_.steps().size());
}

std::string Execution::object_name(ObjectId o) const {
  if (o == kNoObject || raw(o) >= objects_.size()) return "-";
  const ObjectInfo& info = objects_[raw(o)];
  return fmt::format("{}#{}", info.class_name, info.class_ordinal);
}

void Execution::reset() {
  generation_ = ++g_generation;
  clock_.reset();
  task_count_ = 0;
  live_.clear();
  objects_.clear();
  std::fill(class_counts_.begin(), class_counts_.end(), 0u);
  current_ = nullptr;
  last_picked_.reset();
  prefix_return_ = nullptr;
  outcome_ = Outcome::kCompleted;
  ended_ = false;
  aborting_ = false;
  failure_.clear();
  failure_property_ = {};
  wait_for_.reset();
  track_effects_ = scheduler_.wants_steps();
  effects_open_ = false;
  effects_.clear();
}

void Execution::flush_effects() {
  if (effects_open_) scheduler_.step_done(effects_);
  effects_open_ = false;
  effects_.clear();  // effects before the first step (the initial tasks' prefixes) are dropped
}

Outcome Execution::run(std::function<void()> root, const ExecutionOptions& options) {
  const std::vector<std::function<void()>> bodies{std::move(root)};
  return run_tasks(bodies, options);
}

Outcome Execution::run_tasks(const std::vector<std::function<void()>>& bodies,
                             const ExecutionOptions& options) {
  if (running_) throw std::logic_error("lockstep: Execution::run is not reentrant");
  reset();
  options_ = options;
  races_.reset(options.detect_races);
  running_ = true;
  previous_current_ = g_current;
  g_current = this;
  for (const auto& body : bodies) {
    if (aborting_) break;
    spawn(bodies.size() == 1 ? "root" : "task", kNoThreadLabel, std::ref(body),  // no copy
          std::source_location::current());
  }
  if (!ended_ && !aborting_) {
    TaskRecord* next = pick_next();
    if (next != nullptr) {
      current_ = next;
      Fiber::switch_to(main_, next->fiber);
    }
  }
  // Back on the OS thread's own stack: the execution is over.
  if (track_effects_) {
    flush_effects();
    // In place, like a step: the buffer is as long as the task table.
    std::size_t n = 0;
    for (const TaskRecord* t : live_) candidates_[n++] = {t->id, t->pending};
    scheduler_.pending({candidates_.data(), n});
  }
  if (outcome_ == Outcome::kStuck) wait_for_ = build_wait_for_report(*this);
  if (end_hook_) end_hook_(*this);
  unwind_all();
  g_current = previous_current_;
  running_ = false;
  return outcome_;
}

ObjectId Execution::register_object(ObjectKind kind, std::string_view class_name) {
  std::uint16_t id = 0;
  const auto n = static_cast<std::uint16_t>(classes_.size());
  while (id < n && classes_[id].data() != class_name.data() && classes_[id] != class_name) ++id;
  if (id == n) {
    classes_.push_back(class_name);
    class_counts_.push_back(0);
  }
  objects_.push_back({classes_[id], kind, id, class_counts_[id]++});
  const ObjectId object{static_cast<std::uint32_t>(objects_.size() - 1)};
  if (races_.enabled()) races_.on_object(object);
  return object;
}

bool Execution::abort_here(OpKind kind) {
  if (std::uncaught_exceptions() > 0) return false;  // already unwinding: let it finish
  // A releasing operation is often a destructor's (a lock guard's unlock), where throwing
  // would terminate: it does nothing instead, and the task's next acquiring or blocking
  // operation throws.
  switch (kind) {
    case OpKind::kUnlock:
    case OpKind::kUnlockShared:
    case OpKind::kNotify:
    case OpKind::kSend:
    case OpKind::kClose:
    case OpKind::kExit: return false;
    default: throw TaskAborted{};
  }
}

bool Execution::point(OpKind kind, const void* object, ObjectId id, const OpTraits* traits,
                      std::source_location site, std::int64_t deadline,
                      const std::uint32_t* gate) {
  if (aborting_) return abort_here(kind);
  TaskRecord& me = *current_;
  me.pending = {kind, id};
  me.pending_object = object;
  me.traits = traits;
  me.enabled = traits != nullptr ? traits->enabled : nullptr;
  me.gate = gate;
  me.site = site;
  me.deadline = deadline;
  if (lock_order_ != nullptr && !me.held.empty() && op_may_block(kind) && !op_acquires(kind)) {
    const bool blocked = traits != nullptr && traits->enabled != nullptr &&
                         !traits->enabled(object, me, clock_.now());
    lock_order_->on_wait(*this, me.held, kind, id, site, blocked);
  }
  if (me.state == TaskRecord::State::kPrefix) {
    // The invisible prefix of a new task ends here; its spawner goes on.
    me.state = TaskRecord::State::kLive;
    Fiber::switch_to(me.fiber, *prefix_return_);
  } else {
    TaskRecord* next = pick_next();
    if (next != &me) switch_away(me, next);
  }
  // Resumed: picked to perform `kind`, or the execution is aborting.
  if (aborting_) return abort_here(kind);
  return true;
}

bool Execution::effect_allowed(ObjectId object, std::initializer_list<OpKind> kinds) const {
  const std::vector<StepRecord>& steps = scheduler_.steps();
  if (current_ == nullptr || steps.empty()) return false;
  const StepRecord& s = steps.back();
  if (s.task != current_->id || s.op.object != object) return false;
  return std::find(kinds.begin(), kinds.end(), s.op.kind) != kinds.end();
}

void Execution::switch_away(TaskRecord& me, TaskRecord* next) {
  current_ = next;
  Fiber::switch_to(me.fiber, next != nullptr ? next->fiber : main_);
}

TaskRecord* Execution::pick_next() {
  if (ended_) return nullptr;
  if (track_effects_) flush_effects();
  for (;;) {
    // Written in place: as long as tasks_ (add_task), so a step allocates nothing.
    Candidate* out = candidates_.data();
    std::size_t n = 0;
    const std::int64_t now = clock_.now();
    for (TaskRecord* t : live_) {
      const bool on = t->gate != nullptr
                          ? *t->gate != 0 || now >= t->deadline
                          : t->enabled == nullptr || t->enabled(t->pending_object, *t, now);
      // Debug builds (the sanitizer run of the tests) check the gate against the function: for
      // a channel the word mirrors its queue and close state; for a mutex or a sleep the word
      // is the state the function reads, so there the check holds by construction.
      assert(t->gate == nullptr || t->enabled == nullptr ||
             on == t->enabled(t->pending_object, *t, now));
      if (on) out[n++] = {t->id, t->pending};
    }
    if (n == 0) [[unlikely]] {
      if (live_.empty()) {
        end(Outcome::kCompleted);
        return nullptr;
      }
      std::int64_t earliest = kNever;
      for (const TaskRecord* t : live_) earliest = std::min(earliest, t->deadline);
      if (earliest != kNever) {
        clock_.advance_to(earliest);
        // Every task was blocked, the one that ran last too: whichever timer's task runs next
        // is woken, not preempted into (the preemption bounds of DFS and DPOR count on it).
        last_picked_.reset();
        if (track_effects_) scheduler_.clock_advanced();
        continue;
      }
      end(Outcome::kStuck);
      return nullptr;
    }
    std::size_t index = 0;
    switch (scheduler_.pick({out, n}, last_picked_, options_.max_steps, index)) {
      case Scheduler::PickStatus::kOk: break;
      case Scheduler::PickStatus::kStepBound:
        failure_ = scheduler_.error();
        end(Outcome::kStepBound);
        return nullptr;
      case Scheduler::PickStatus::kAbandoned:
        failure_ = scheduler_.error();
        end(Outcome::kAbandoned);
        return nullptr;
      case Scheduler::PickStatus::kInvalid:
        failure_ = scheduler_.error();
        end(Outcome::kInvalidPick);
        return nullptr;
      case Scheduler::PickStatus::kPruned:
        end(Outcome::kPruned);
        return nullptr;
    }
    TaskRecord& next = *tasks_[raw(out[index].task)];
    scheduler_.record({next.id, next.pending, now, next.site});
    effects_open_ = track_effects_;
    effects_.objects_before = static_cast<std::uint32_t>(objects_.size());
    last_picked_ = next.id;
    return &next;
  }
}

void Execution::end(Outcome outcome) {
  if (ended_) return;
  ended_ = true;
  outcome_ = outcome;
}

void Execution::fail(std::string message, std::string_view property) {
  if (!ended_) {
    failure_ = std::move(message);
    failure_property_ = property;
    end(Outcome::kFailed);
  }
  aborting_ = true;
  if (std::uncaught_exceptions() == 0) throw TaskAborted{};
}

TaskId Execution::spawn(std::string_view name, std::uint32_t thread_label,
                        std::function<void()> body, std::source_location site) {
  if (current_ != nullptr && !point(OpKind::kSpawn, nullptr, kNoObject, nullptr, site)) {
    return TaskId{0xffffffffu};  // aborting: nothing is started
  }
  if (current_ != nullptr) LOCKSTEP_EFFECT(*this, kNoObject, OpKind::kSpawn);
  if (task_count_ == tasks_.size()) add_task();
  TaskRecord& t = *tasks_[task_count_];
  t.id = TaskId{static_cast<std::uint32_t>(task_count_)};
  ++task_count_;
  if (t.name != name) t.name.assign(name);  // a record reused for the same task keeps its name
  t.thread_label = thread_label;
  t.body = std::move(body);
  t.state = TaskRecord::State::kPrefix;
  t.notified = false;
  t.ticket = 0;
  t.pending = {OpKind::kExit, kNoObject};
  t.pending_object = nullptr;
  t.traits = nullptr;
  t.enabled = nullptr;
  t.gate = nullptr;
  t.deadline = kNever;
  t.held.clear();
  StackPool& pool = StackPool::for_this_thread();
  t.stack = pool.acquire();
  t.fiber.prepare(t.stack, pool.stack_size(), &Execution::task_entry, &t);
  live_.push_back(&t);
  if (track_effects_) effects_.spawned = t.id;
  if (races_.enabled()) {
    races_.on_task_start(t.id, current_ != nullptr ? std::optional(current_->id) : std::nullopt);
  }

  // Run the new task's invisible prefix up to its first scheduling point.
  TaskRecord* spawner = current_;
  Fiber* saved_return = prefix_return_;
  Fiber& back = spawner != nullptr ? spawner->fiber : main_;
  prefix_return_ = &back;
  current_ = &t;
  Fiber::switch_to(back, t.fiber);
  current_ = spawner;
  prefix_return_ = saved_return;
  return t.id;
}

void Execution::task_entry(Fiber* /*self*/, void* arg) {
  TaskRecord& me = *static_cast<TaskRecord*>(arg);
  Execution& ex = *g_current;
  try {
    me.body();
    if (ex.point(OpKind::kExit, nullptr, kNoObject, nullptr, std::source_location::current()) &&
        !ex.aborting()) {
      LOCKSTEP_EFFECT(ex, kNoObject, OpKind::kExit);
    }
  } catch (const TaskAborted&) {
  } catch (const std::exception& e) {
    ex.fail_quietly(fmt::format("task {} ({}) threw: {}", raw(me.id), me.name, e.what()));
  } catch (...) {
    ex.fail_quietly(fmt::format("task {} ({}) threw a non-standard exception", raw(me.id),
                                me.name));
  }
  ex.leave_finished(me);
}

void Execution::add_task() {
  tasks_.push_back(std::make_unique<TaskRecord>());
  if (candidates_.size() < tasks_.size()) candidates_.resize(tasks_.size() * 2);
}

void Execution::report_race(const Race& race) {
  auto describe = [this](const RaceAccess& a) {
    return fmt::format("task {} ({}) {} at {}", raw(a.task), tasks_[raw(a.task)]->name,
                       a.write ? "stores" : "loads", Site::from(a.site).str());
  };
  fail(fmt::format("data race on {}: {}, then {}, and neither happens before the other",
                   object_name(race.object), describe(race.earlier), describe(race.later)),
       kDataRace);
}

void Execution::fail_quietly(std::string message) {
  if (!ended_) {
    failure_ = std::move(message);
    end(Outcome::kFailed);
  }
  aborting_ = true;
}

void Execution::leave_finished(TaskRecord& me) {
  const bool was_prefix = me.state == TaskRecord::State::kPrefix;
  me.state = TaskRecord::State::kFinished;
  me.body = nullptr;
  me.traits = nullptr;
  me.enabled = nullptr;
  me.gate = nullptr;
  live_.erase(std::find(live_.begin(), live_.end(), &me));
  if (was_prefix) Fiber::exit_to(me.fiber, *prefix_return_);
  if (aborting_) {
    current_ = nullptr;
    Fiber::exit_to(me.fiber, main_);
  }
  TaskRecord* next = pick_next();
  current_ = next;
  Fiber::exit_to(me.fiber, next != nullptr ? next->fiber : main_);
}

void Execution::unwind_all() {
  aborting_ = true;
  // Newest first (children before the tasks that spawned them, whose stacks may own the
  // objects the children still hold or wait on); deterministic either way.
  for (std::size_t i = task_count_; i-- > 0;) {
    TaskRecord& t = *tasks_[i];
    if (t.state == TaskRecord::State::kFinished) continue;
    current_ = &t;
    Fiber::switch_to(main_, t.fiber);
  }
  current_ = nullptr;
  StackPool& pool = StackPool::for_this_thread();
  for (std::size_t i = 0; i < task_count_; ++i) {
    if (tasks_[i]->stack != nullptr) pool.release(tasks_[i]->stack);
    tasks_[i]->stack = nullptr;
  }
}

void Execution::on_acquired(ObjectId object, bool shared, std::source_location site) {
  TaskRecord& me = *current_;
  const std::uint16_t cls = objects_[raw(object)].class_id;
  if (lock_order_ != nullptr) lock_order_->on_acquire(*this, me.held, cls, site);
  me.held.push_back({object, cls, shared, site});
  note_access(object, shared ? AccessMode::kRead : AccessMode::kWrite);
  if (races_.enabled()) races_.on_acquire(me.id, object, shared);
}

void Execution::on_released(ObjectId object) {
  std::vector<HeldLock>& held = current_->held;
  for (auto it = held.rbegin(); it != held.rend(); ++it) {
    if (it->object == object) {
      note_access(object, it->shared ? AccessMode::kReleaseShared : AccessMode::kRelease);
      if (races_.enabled()) races_.on_release(current_->id, object, it->shared);
      held.erase(std::next(it).base());
      return;
    }
  }
}

}  // namespace lockstep::sim
