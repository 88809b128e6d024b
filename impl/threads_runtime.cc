// impl/threads_runtime.cc: task ids, labels and stamps of the OS-thread backend.
#include "impl/threads_runtime.h"

#include <algorithm>
#include <string>

namespace lockstep::impl {
namespace {

std::atomic<std::uint64_t> g_stamp{0};
std::atomic<std::uint32_t> g_next_task{1};
thread_local std::uint32_t t_task = 0;
thread_local std::uint32_t t_label = kNoThreadLabel;

}  // namespace

ThreadsRuntime::Task ThreadsRuntime::spawn(std::string_view /*name*/, std::uint32_t thread_label,
                                           std::function<void()> body) {
  const std::uint32_t id = g_next_task.fetch_add(1, std::memory_order_relaxed);
  return Task(std::thread([id, thread_label, body = std::move(body)] {
    t_task = id;
    t_label = thread_label;
    body();
  }));
}

std::uint64_t ThreadsRuntime::stamp() {
  return g_stamp.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::uint32_t ThreadsRuntime::current_task() { return t_task; }

// ---------------------------------------------------------------- SharedMutex
bool ThreadsRuntime::SharedMutex::may_enter(std::uint64_t ticket, bool writer) const {
  if (writer_ || (writer && readers_ != 0)) return false;
  for (const Waiter& w : waiting_) {
    if (w.ticket >= ticket) break;  // waiting_ is in ticket order
    if (writer || w.writer) return false;
  }
  return true;
}

void ThreadsRuntime::SharedMutex::wait_turn(std::unique_lock<std::mutex>& lock, bool writer) {
  const std::uint64_t ticket = next_ticket_++;
  if (may_enter(ticket, writer)) return;  // nobody to queue behind: enter at arrival
  waiting_.push_back({ticket, writer});
  cv_.wait(lock, [&] { return may_enter(ticket, writer); });
  // Leaving the queue unblocks nobody: the entered request holds the lock in its place.
  waiting_.erase(std::find_if(waiting_.begin(), waiting_.end(),
                              [ticket](const Waiter& w) { return w.ticket == ticket; }));
}

void ThreadsRuntime::SharedMutex::lock(std::source_location) {
  std::unique_lock lock(m_);
  wait_turn(lock, true);
  writer_ = true;
}

bool ThreadsRuntime::SharedMutex::try_lock(std::source_location) {
  std::lock_guard lock(m_);
  if (writer_ || readers_ != 0 || !waiting_.empty()) return false;
  writer_ = true;
  return true;
}

// Releases notify while still holding m_: a waiter that enters and then destroys the lock
// cannot race a notify still in flight.
void ThreadsRuntime::SharedMutex::unlock() {
  std::lock_guard lock(m_);
  writer_ = false;
  cv_.notify_all();
}

void ThreadsRuntime::SharedMutex::lock_shared(std::source_location) {
  std::unique_lock lock(m_);
  wait_turn(lock, false);
  ++readers_;
}

bool ThreadsRuntime::SharedMutex::try_lock_shared(std::source_location) {
  std::lock_guard lock(m_);
  if (writer_ ||
      std::any_of(waiting_.begin(), waiting_.end(), [](const Waiter& w) { return w.writer; })) {
    return false;
  }
  ++readers_;
  return true;
}

void ThreadsRuntime::SharedMutex::unlock_shared() {
  std::lock_guard lock(m_);
  if (--readers_ == 0) cv_.notify_all();  // only a writer can be waiting for readers to leave
}

std::size_t ThreadsRuntime::SharedMutex::waiting() const {
  std::lock_guard lock(m_);
  return waiting_.size();
}
std::uint32_t ThreadsRuntime::current_label() { return t_label; }

}  // namespace lockstep::impl
