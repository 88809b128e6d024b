// impl/runtime.h: THE runtime seam. The state manager is a set of templates on a runtime `R`
// that satisfies `Runtime`; it is compiled for ThreadsRuntime (OS threads) and SimRuntime
// (the deterministic simulator) in every build (impl/instantiate.cc).
//
// Contract
// - The seam speaks only vocabulary types (std::string_view, std::uint32_t, std::chrono), so a
//   backend needs nothing from impl/: sim/ depends on nothing of ours.
// - Lock classes are names with static storage (string literals). Lock order is checked on
//   classes, never on addresses. Every acquisition takes a std::source_location; use Guard and
//   SharedGuard below (std::lock_guard would report a line inside <mutex>).
// - A task carries a name and the conversation thread it works for (kNoThreadLabel for none);
//   the no-cross-thread-blocking property reads it.
// - Channel<T>: unbounded FIFO. send() returns false once closed; recv() returns nullopt once
//   closed and drained; recv_until(deadline) returns a backend struct with two members:
//   `std::optional<T> value` (set: a value arrived) and `bool timed_out` (set: the deadline
//   passed first). Neither set means the channel is closed and drained. (A struct, not a
//   variant of impl/ types, so that a backend needs nothing from impl/.)
// - Shared<T>: a plain shared variable. Shared<T>(name, initial); load(site) returns the value,
//   store(v, site) replaces it; update(f, site) is a load then a store of f(old), two
//   operations, never atomic. Data guarded by a lock, or handed over through a channel or a
//   join, belongs in one: the simulator makes each access a scheduling point and a DPOR access
//   and reports unsynchronised pairs as the property `data-race`; on OS threads it is the bare
//   value, so ThreadSanitizer sees the same races.
// - now()/sleep_until() are virtual under the simulator: time advances only when no task can
//   run. Under OS threads they are steady_clock.
// - R::stamp() orders observations: the scheduling step under the simulator, a global counter
//   under OS threads. R::current_task() identifies the calling task in observations.
// Threading: backends decide; impl code must not assume either.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <optional>
#include <source_location>
#include <string_view>

namespace lockstep::impl {

// A lock class: every mutex of the same role shares one ("manager", "thread_state", "pool").
struct LockClass {
  std::string_view name;
};

inline constexpr std::uint32_t kNoThreadLabel = 0xffffffffu;

template <class M>
concept ClassedLockable = std::constructible_from<M, std::string_view> &&
    requires(M& m, std::source_location loc) {
  m.lock(loc);
  { m.try_lock(loc) } -> std::same_as<bool>;
  m.unlock();
};

template <class M>
concept ClassedSharedLockable = ClassedLockable<M> && requires(M& m, std::source_location loc) {
  m.lock_shared(loc);
  m.unlock_shared();
};

template <class R>
concept Runtime = ClassedLockable<typename R::Mutex> &&
    ClassedSharedLockable<typename R::SharedMutex> &&
    std::constructible_from<typename R::template Channel<int>, std::string_view> &&
    std::constructible_from<typename R::template Shared<int>, std::string_view, int> &&
    requires(typename R::template Shared<int>& s, int v, std::source_location loc) {
  { s.load(loc) } -> std::same_as<int>;
  s.store(v, loc);
  { s.update([](int x) { return x + 1; }, loc) } -> std::same_as<int>;
} &&
    requires(typename R::template Channel<int>& ch, int v, typename R::TimePoint t,
             typename R::Task& task) {
  { ch.send(v) } -> std::same_as<bool>;
  { ch.recv() } -> std::same_as<std::optional<int>>;
  { ch.recv_until(t).value } -> std::convertible_to<std::optional<int>>;
  { ch.recv_until(t).timed_out } -> std::convertible_to<bool>;
  ch.close();
  task.join();
} && requires(std::string_view name, std::uint32_t thread_label, std::function<void()> body,
              typename R::TimePoint t) {
  { R::spawn(name, thread_label, std::move(body)) } -> std::same_as<typename R::Task>;
  { R::now() } -> std::same_as<typename R::TimePoint>;
  { R::now() + std::chrono::minutes(30) } -> std::same_as<typename R::TimePoint>;
  R::sleep_until(t);
  R::yield();
  { R::stamp() } -> std::same_as<std::uint64_t>;
  { R::current_task() } -> std::same_as<std::uint32_t>;
};

// Releases `m`, telling the backend where the guard was taken when it can use a site (the
// simulator reports unlocks at the guard's line rather than at this header's).
template <class M>
void unlock_at(M& m, const std::source_location& loc) {
  if constexpr (requires { m.unlock(loc); }) {
    m.unlock(loc);
  } else {
    m.unlock();
  }
}
template <class M>
void unlock_shared_at(M& m, const std::source_location& loc) {
  if constexpr (requires { m.unlock_shared(loc); }) {
    m.unlock_shared(loc);
  } else {
    m.unlock_shared();
  }
}

// Scoped exclusive lock that records where it was taken.
template <class M>
class [[nodiscard]] Guard {
 public:
  explicit Guard(M& m, std::source_location loc = std::source_location::current())
      : m_(&m), loc_(loc) {
    m_->lock(loc);
  }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;
  ~Guard() {
    if (m_ != nullptr) unlock_at(*m_, loc_);
  }
  void unlock() {
    unlock_at(*m_, loc_);
    m_ = nullptr;
  }

 private:
  M* m_;
  std::source_location loc_;
};

// Scoped shared (reader) lock that records where it was taken.
template <class M>
class [[nodiscard]] SharedGuard {
 public:
  explicit SharedGuard(M& m, std::source_location loc = std::source_location::current()) : m_(&m) {
    m_->lock_shared(loc);
  }
  SharedGuard(const SharedGuard&) = delete;
  SharedGuard& operator=(const SharedGuard&) = delete;
  ~SharedGuard() {
    if (m_ != nullptr) m_->unlock_shared();
  }
  void unlock() {
    m_->unlock_shared();
    m_ = nullptr;
  }

 private:
  M* m_;
};

}  // namespace lockstep::impl
