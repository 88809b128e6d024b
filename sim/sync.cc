#include "sim/sync.h"

#include <fmt/format.h>

#include <algorithm>

namespace lockstep::sim {

// ---------------------------------------------------------------- SimObject
SimObject::SimObject(ObjectKind kind, std::string_view class_name)
    : class_name_(class_name), kind_(kind) {
  // Created inside a run: numbered at creation. Otherwise numbered at first use.
  if (Execution* ex = Execution::current(); ex != nullptr && !ex->aborting()) {
    generation_ = ex->generation();
    id_ = ex->register_object(kind_, class_name_);
  }
}

void SimObject::rebind(Execution& ex) {
  generation_ = ex.generation();
  id_ = ex.register_object(kind_, class_name_);
  reset_state();
}

// ---------------------------------------------------------------- Mutex
const OpTraits Mutex::kLockTraits{&Mutex::lock_enabled, &Mutex::holders};

Mutex::Mutex(std::string_view lock_class) : SimObject(ObjectKind::kMutex, lock_class) {}

bool Mutex::lock_enabled(const void* self, const TaskRecord&, std::int64_t) {
  return static_cast<const Mutex*>(self)->free_ != 0;
}

void Mutex::holders(const void* self, std::vector<TaskId>& out) {
  const auto* m = static_cast<const Mutex*>(self);
  if (m->free_ == 0) out.push_back(m->owner_);
}

void Mutex::acquire(Execution& ex, std::source_location site) {
  free_ = 0;
  owner_ = ex.current_task();
  ex.on_acquired(bind(ex), false, site);
}

void Mutex::release(Execution& ex, std::source_location) {
  if (free_ != 0 || owner_ != ex.current_task()) {
    ex.fail(fmt::format("task {} unlocked {}, which it does not hold", raw(ex.current_task()),
                        ex.object_name(bind(ex))));
    return;
  }
  free_ = 1;
  ex.on_released(bind(ex));
}

void Mutex::lock(std::source_location site) {
  Execution& ex = Execution::require_current();
  if (!ex.point(OpKind::kLock, this, bind(ex), &kLockTraits, site, kNever, &free_)) return;
  acquire(ex, site);
}

bool Mutex::try_lock(std::source_location site) {
  Execution& ex = Execution::require_current();
  if (!ex.point(OpKind::kTryLock, this, bind(ex), nullptr, site)) return false;
  if (free_ == 0) return false;
  acquire(ex, site);
  return true;
}

void Mutex::unlock(std::source_location site) {
  Execution& ex = Execution::require_current();
  if (!ex.point(OpKind::kUnlock, this, bind(ex), nullptr, site)) return;
  release(ex, site);
}

// ---------------------------------------------------------------- SharedMutex
const OpTraits SharedMutex::kWriteTraits{&SharedMutex::write_enabled, &SharedMutex::holders};
const OpTraits SharedMutex::kReadTraits{&SharedMutex::read_enabled, &SharedMutex::holders};

SharedMutex::SharedMutex(std::string_view lock_class)
    : SimObject(ObjectKind::kSharedMutex, lock_class) {}

void SharedMutex::reset_state() {
  writer_ = false;
  readers_.clear();
  waiting_.clear();
  next_ticket_ = 1;
}

// Whether an earlier arrival stands in the way of a request with `ticket`: any earlier
// waiter for a writer; an earlier waiting writer for a reader.
bool SharedMutex::ahead_blocks(std::uint64_t ticket, bool writer) const {
  for (const Waiter& w : waiting_) {
    if (w.ticket < ticket && (writer || w.writer)) return true;
  }
  return false;
}

bool SharedMutex::write_enabled(const void* self, const TaskRecord& t, std::int64_t) {
  const auto* m = static_cast<const SharedMutex*>(self);
  return !m->writer_ && m->readers_.empty() && !m->ahead_blocks(t.ticket, true);
}

bool SharedMutex::read_enabled(const void* self, const TaskRecord& t, std::int64_t) {
  const auto* m = static_cast<const SharedMutex*>(self);
  return !m->writer_ && !m->ahead_blocks(t.ticket, false);
}

void SharedMutex::holders(const void* self, std::vector<TaskId>& out) {
  const auto* m = static_cast<const SharedMutex*>(self);
  if (m->writer_) out.push_back(m->writer_task_);
  for (TaskId r : m->readers_) {
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(r);
  }
}

void SharedMutex::arrive(Execution& ex, bool writer) {
  TaskRecord& me = ex.current_record();
  me.ticket = next_ticket_++;
  waiting_.push_back({me.id, me.ticket, writer});
  // The arrival changes who may enter next (fairness): a step of its own for commutativity.
  ex.note_access(bind(ex), writer ? AccessMode::kWrite : AccessMode::kRead);
}

void SharedMutex::depart(TaskId task) {
  auto it = std::find_if(waiting_.begin(), waiting_.end(),
                         [task](const Waiter& w) { return w.task == task; });
  if (it != waiting_.end()) waiting_.erase(it);
}

void SharedMutex::lock(std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (ex.aborting()) return;
  arrive(ex, true);
  if (!ex.point(OpKind::kLock, this, id, &kWriteTraits, site)) return;
  depart(ex.current_task());
  writer_ = true;
  writer_task_ = ex.current_task();
  ex.on_acquired(id, false, site);
}

bool SharedMutex::try_lock(std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (!ex.point(OpKind::kTryLock, this, id, nullptr, site)) return false;
  if (writer_ || !readers_.empty() || !waiting_.empty()) return false;
  writer_ = true;
  writer_task_ = ex.current_task();
  ex.on_acquired(id, false, site);
  return true;
}

void SharedMutex::unlock(std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (!ex.point(OpKind::kUnlock, this, id, nullptr, site)) return;
  if (!writer_ || writer_task_ != ex.current_task()) {
    ex.fail(fmt::format("task {} write-unlocked {}, which it does not hold",
                        raw(ex.current_task()), ex.object_name(id)));
    return;
  }
  writer_ = false;
  ex.on_released(id);
}

void SharedMutex::lock_shared(std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (ex.aborting()) return;
  arrive(ex, false);
  if (!ex.point(OpKind::kLockShared, this, id, &kReadTraits, site)) return;
  depart(ex.current_task());
  readers_.push_back(ex.current_task());
  ex.on_acquired(id, true, site);
}

bool SharedMutex::try_lock_shared(std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (!ex.point(OpKind::kTryLockShared, this, id, nullptr, site)) return false;
  if (writer_ || std::any_of(waiting_.begin(), waiting_.end(),
                             [](const Waiter& w) { return w.writer; })) {
    return false;
  }
  readers_.push_back(ex.current_task());
  ex.on_acquired(id, true, site);
  return true;
}

void SharedMutex::unlock_shared(std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (!ex.point(OpKind::kUnlockShared, this, id, nullptr, site)) return;
  auto it = std::find(readers_.begin(), readers_.end(), ex.current_task());
  if (it == readers_.end()) {
    ex.fail(fmt::format("task {} read-unlocked {}, which it does not hold",
                        raw(ex.current_task()), ex.object_name(id)));
    return;
  }
  readers_.erase(it);
  ex.on_released(id);
}

bool SharedMutex::check_invariants() const {
  if (writer_ && !readers_.empty()) return false;
  for (std::size_t i = 0; i < waiting_.size(); ++i) {
    for (std::size_t j = i + 1; j < waiting_.size(); ++j) {
      if (waiting_[i].task == waiting_[j].task) return false;
      if (waiting_[i].ticket >= waiting_[j].ticket) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------- CondVar
const OpTraits CondVar::kWakeTraits{&CondVar::woken, nullptr};

CondVar::CondVar(std::string_view name) : SimObject(ObjectKind::kCondVar, name) {}

bool CondVar::woken(const void*, const TaskRecord& t, std::int64_t) { return t.notified; }

void CondVar::wait(Mutex& m, std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (!ex.point(OpKind::kWait, this, id, nullptr, site)) return;
  TaskRecord& me = ex.current_record();
  me.notified = false;
  waiters_.push_back(me.id);
  m.release(ex, site);
  if (!ex.point(OpKind::kWaitWake, this, id, &kWakeTraits, site)) return;
  m.lock(site);
}

void CondVar::notify_one(std::source_location site) {
  Execution& ex = Execution::require_current();
  if (!ex.point(OpKind::kNotify, this, bind(ex), nullptr, site)) return;
  if (waiters_.empty()) return;
  ex.hb_notify(waiters_.front());
  ex.record(waiters_.front()).notified = true;
  waiters_.erase(waiters_.begin());
}

void CondVar::notify_all(std::source_location site) {
  Execution& ex = Execution::require_current();
  if (!ex.point(OpKind::kNotify, this, bind(ex), nullptr, site)) return;
  for (TaskId t : waiters_) {
    ex.hb_notify(t);
    ex.record(t).notified = true;
  }
  waiters_.clear();
}

}  // namespace lockstep::sim
