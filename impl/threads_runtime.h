// impl/threads_runtime.h: the production backend of the Runtime seam, on OS threads.
//
// Contract
// - Mutex wraps std::mutex; the lock class and source location are accepted and kept for
//   debugging only (lock order is checked under the simulator).
// - SharedMutex is the reader/writer lock the simulator models (sim/sync.h), not
//   std::shared_mutex (glibc's prefers readers, so a stream of readers can starve a writer, and
//   real runs would take orders the model never does): fair in arrival order, like an
//   asynchronous runtime's RwLock. A request arrives when lock()/lock_shared() takes the
//   internal mutex and queues with the next ticket; a writer enters when nobody holds the lock
//   and no earlier request waits; a reader enters when no writer holds it and no earlier
//   writer waits (readers share). try_lock fails if anyone holds or waits; try_lock_shared
//   fails if a writer holds or waits. Built from std::mutex + std::condition_variable; every
//   release wakes all waiters, each rechecks its own condition (spurious wake-ups are harmless).
// - Channel<T>: unbounded FIFO over std::mutex + std::condition_variable_any. send() after
//   close() returns false; recv() drains queued values after close, then returns nullopt;
//   recv_until() returns {value} or {nullopt, closed} or {nullopt, timed_out}, and prefers a
//   queued value over an expired deadline. close() may be called from
//   any OS thread (tests release stall gates from outside the run).
// - Shared<T>: the bare value (no synchronisation of its own): races are the program's, and
//   ThreadSanitizer reports them.
// - spawn() starts an OS thread. Task is move-only; join() waits; a Task destroyed while still
//   joinable joins first (never detaches).
// - now()/sleep_until(): steady_clock. stamp(): one global atomic counter. current_task(): a
//   thread_local id set by spawn (1, 2, ...); 0 on OS threads not started by spawn().
// Cost: one OS thread per task; fine for tests and the stress test, not for the explorer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <source_location>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "impl/runtime.h"

namespace lockstep::impl {

class ThreadsRuntime {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  class Mutex {
   public:
    explicit Mutex(std::string_view lock_class = "mutex") : class_(lock_class) {}
    void lock(std::source_location = std::source_location::current()) { m_.lock(); }
    bool try_lock(std::source_location = std::source_location::current()) { return m_.try_lock(); }
    void unlock() { m_.unlock(); }
    std::string_view lock_class() const { return class_; }

   private:
    std::mutex m_;
    std::string_view class_;
  };

  class SharedMutex {
   public:
    explicit SharedMutex(std::string_view lock_class = "shared_mutex") : class_(lock_class) {}
    void lock(std::source_location = std::source_location::current());
    bool try_lock(std::source_location = std::source_location::current());
    void unlock();
    void lock_shared(std::source_location = std::source_location::current());
    bool try_lock_shared(std::source_location = std::source_location::current());
    void unlock_shared();
    std::string_view lock_class() const { return class_; }
    // Requests queued now (arrived, not yet entered): lets tests wait for an arrival.
    std::size_t waiting() const;

   private:
    struct Waiter {
      std::uint64_t ticket;
      bool writer;
    };
    // Whether the request with `ticket` may enter now (m_ held).
    bool may_enter(std::uint64_t ticket, bool writer) const;
    void wait_turn(std::unique_lock<std::mutex>& lock, bool writer);

    mutable std::mutex m_;
    std::condition_variable cv_;
    bool writer_ = false;          // a writer holds the lock (then readers_ == 0)
    std::uint32_t readers_ = 0;    // readers holding it
    std::vector<Waiter> waiting_;  // queued requests in arrival (ticket) order
    std::uint64_t next_ticket_ = 1;
    std::string_view class_;
  };

  template <class T>
  struct RecvUntilResult {
    std::optional<T> value;  // empty: closed and drained, or timed out
    bool timed_out = false;
  };

  template <class T>
  class Channel {
   public:
    explicit Channel(std::string_view name = "channel") : name_(name) {}
    bool send(T v) {
      {
        std::lock_guard lock(m_);
        if (closed_) return false;
        q_.push_back(std::move(v));
      }
      cv_.notify_one();
      return true;
    }
    std::optional<T> recv() {
      std::unique_lock lock(m_);
      cv_.wait(lock, [&] { return !q_.empty() || closed_; });
      return pop_locked();
    }
    RecvUntilResult<T> recv_until(TimePoint deadline) {
      std::unique_lock lock(m_);
      RecvUntilResult<T> r;
      cv_.wait_until(lock, deadline, [&] { return !q_.empty() || closed_; });
      if (!q_.empty() || closed_) {
        r.value = pop_locked();
      } else {
        r.timed_out = true;
      }
      return r;
    }
    void close() {
      {
        std::lock_guard lock(m_);
        closed_ = true;
      }
      cv_.notify_all();
    }
    std::string_view name() const { return name_; }

   private:
    std::optional<T> pop_locked() {
      if (q_.empty()) return std::nullopt;
      std::optional<T> v(std::move(q_.front()));
      q_.pop_front();
      return v;
    }
    std::mutex m_;
    std::condition_variable_any cv_;
    std::deque<T> q_;
    bool closed_ = false;
    std::string_view name_;
  };

  // A plain value: loads and stores are ordinary reads and writes, so ThreadSanitizer sees the
  // races that the simulator reports as `data-race`. The sites are accepted and ignored.
  template <class T>
  class Shared {
   public:
    explicit Shared(std::string_view name = "shared", T initial = T{})
        : value_(std::move(initial)), name_(name) {}
    T load(std::source_location = std::source_location::current()) const { return value_; }
    void store(T v, std::source_location = std::source_location::current()) {
      value_ = std::move(v);
    }
    template <class F>
    T update(F f, std::source_location = std::source_location::current()) {
      T next = f(value_);
      value_ = next;
      return next;
    }
    std::string_view name() const { return name_; }

   private:
    T value_;
    std::string_view name_;
  };

  class Task {
   public:
    Task() = default;
    explicit Task(std::thread t) : t_(std::move(t)) {}
    Task(Task&&) noexcept = default;
    Task& operator=(Task&& other) noexcept {
      if (this != &other) {
        join();
        t_ = std::move(other.t_);
      }
      return *this;
    }
    ~Task() { join(); }
    void join() {
      if (t_.joinable()) t_.join();
    }

   private:
    std::thread t_;
  };

  static Task spawn(std::string_view name, std::uint32_t thread_label, std::function<void()> body);
  static TimePoint now() { return Clock::now(); }
  static void sleep_until(TimePoint t) { std::this_thread::sleep_until(t); }
  static void yield() { std::this_thread::yield(); }
  static std::uint64_t stamp();
  static std::uint32_t current_task();
  static std::uint32_t current_label();
};

static_assert(Runtime<ThreadsRuntime>);

}  // namespace lockstep::impl
