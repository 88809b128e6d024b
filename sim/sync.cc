#include "sim/sync.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace lockstep::sim {

// ---------------------------------------------------------------- lock classes of sites
std::string_view site_class(std::string_view kind, std::source_location site) {
  struct Table {
    std::mutex mu;
    // (kind, full file name, line) -> interned name; names in use -> their key's file.
    std::map<std::tuple<std::string, std::string, std::uint32_t>, std::string> by_site;
    std::map<std::string, std::string, std::less<>> taken;
  };
  static Table* const table = new Table;  // never destroyed: names outlive every object
  const std::string_view file = site.file_name();
  std::lock_guard<std::mutex> lock(table->mu);
  auto key = std::make_tuple(std::string(kind), std::string(file), site.line());
  if (auto it = table->by_site.find(key); it != table->by_site.end()) return it->second;
  const std::string_view base = file.substr(file.find_last_of('/') + 1);
  std::string name = fmt::format("{}@{}:{}", kind, base, site.line());
  for (int n = 2; table->taken.contains(name); ++n) {
    name = fmt::format("{}@{}:{}~{}", kind, base, site.line(), n);
  }
  table->taken.emplace(name, std::string(file));
  return table->by_site.emplace(std::move(key), std::move(name)).first->second;
}

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

Mutex::Mutex(std::source_location site)
    : SimObject(ObjectKind::kMutex, site_class("mutex", site)) {}

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
  LOCKSTEP_EFFECT(ex, bind(ex), OpKind::kLock);
  acquire(ex, site);
}

bool Mutex::try_lock(std::source_location site) {
  Execution& ex = Execution::require_current();
  if (!ex.point(OpKind::kTryLock, this, bind(ex), nullptr, site)) return false;
  if (free_ == 0) return false;
  LOCKSTEP_EFFECT(ex, bind(ex), OpKind::kTryLock);
  acquire(ex, site);
  return true;
}

void Mutex::unlock(std::source_location site) {
  Execution& ex = Execution::require_current();
  if (!ex.point(OpKind::kUnlock, this, bind(ex), nullptr, site)) return;
  LOCKSTEP_EFFECT(ex, bind(ex), OpKind::kUnlock);
  release(ex, site);
}

// ---------------------------------------------------------------- SharedMutex
const OpTraits SharedMutex::kWriteTraits{&SharedMutex::write_enabled, &SharedMutex::holders};
const OpTraits SharedMutex::kReadTraits{&SharedMutex::read_enabled, &SharedMutex::holders};

SharedMutex::SharedMutex(std::source_location site)
    : SimObject(ObjectKind::kSharedMutex, site_class("shared_mutex", site)) {}

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

bool SharedMutex::enterable(bool writer) const {
  if (writer_) return false;
  if (writer) return readers_.empty() && waiting_.empty();
  return std::none_of(waiting_.begin(), waiting_.end(), [](const Waiter& w) { return w.writer; });
}

void SharedMutex::enter(Execution& ex, ObjectId id, bool writer, std::source_location site) {
  if (writer) {
    writer_ = true;
    writer_task_ = ex.current_task();
  } else {
    readers_.push_back(ex.current_task());
  }
  ex.on_acquired(id, !writer, site);
}

// The arrival, in the step the lock's point leads (sim/task.h): enter at once when nothing
// stands in the way, else take a ticket and wait for the turn at a point of its own.
void SharedMutex::request(Execution& ex, ObjectId id, bool writer, std::source_location site) {
  LOCKSTEP_EFFECT(ex, id, writer ? OpKind::kLock : OpKind::kLockShared);
  if (enterable(writer)) {
    enter(ex, id, writer, site);
    return;
  }
  TaskRecord& me = ex.current_record();
  me.ticket = next_ticket_++;
  waiting_.push_back({me.id, me.ticket, writer});
  // The arrival changes who may enter next (fairness): an access of the step's own object.
  ex.note_access(id, writer ? AccessMode::kWrite : AccessMode::kRead);
  const OpKind wait = writer ? OpKind::kLockWait : OpKind::kLockSharedWait;
  if (!ex.point(wait, this, id, writer ? &kWriteTraits : &kReadTraits, site)) return;
  LOCKSTEP_EFFECT(ex, id, wait);
  depart(ex.current_task());
  enter(ex, id, writer, site);
}

void SharedMutex::depart(TaskId task) {
  auto it = std::find_if(waiting_.begin(), waiting_.end(),
                         [task](const Waiter& w) { return w.task == task; });
  if (it != waiting_.end()) waiting_.erase(it);
}

void SharedMutex::lock(std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (!ex.point(OpKind::kLock, this, id, nullptr, site)) return;
  request(ex, id, true, site);
}

bool SharedMutex::try_lock(std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (!ex.point(OpKind::kTryLock, this, id, nullptr, site)) return false;
  if (!enterable(true)) return false;
  LOCKSTEP_EFFECT(ex, id, OpKind::kTryLock);
  enter(ex, id, true, site);
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
  LOCKSTEP_EFFECT(ex, id, OpKind::kUnlock);
  writer_ = false;
  ex.on_released(id);
}

void SharedMutex::lock_shared(std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (!ex.point(OpKind::kLockShared, this, id, nullptr, site)) return;
  request(ex, id, false, site);
}

bool SharedMutex::try_lock_shared(std::source_location site) {
  Execution& ex = Execution::require_current();
  const ObjectId id = bind(ex);
  if (!ex.point(OpKind::kTryLockShared, this, id, nullptr, site)) return false;
  if (!enterable(false)) return false;
  LOCKSTEP_EFFECT(ex, id, OpKind::kTryLockShared);
  enter(ex, id, false, site);
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
  LOCKSTEP_EFFECT(ex, id, OpKind::kUnlockShared);
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
  LOCKSTEP_EFFECT(ex, id, OpKind::kWait);
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
  LOCKSTEP_EFFECT(ex, bind(ex), OpKind::kNotify);
  if (waiters_.empty()) return;
  ex.hb_notify(waiters_.front());
  ex.record(waiters_.front()).notified = true;
  waiters_.erase(waiters_.begin());
}

void CondVar::notify_all(std::source_location site) {
  Execution& ex = Execution::require_current();
  if (!ex.point(OpKind::kNotify, this, bind(ex), nullptr, site)) return;
  LOCKSTEP_EFFECT(ex, bind(ex), OpKind::kNotify);
  for (TaskId t : waiters_) {
    ex.hb_notify(t);
    ex.record(t).notified = true;
  }
  waiters_.clear();
}

}  // namespace lockstep::sim
