// sim/std_locks.h: std::lock_guard, std::unique_lock, std::scoped_lock and std::shared_lock
// over the simulator's locks, reporting the user's source line.
//
// Contract
// - The standard's lock wrappers call m.lock() from inside the library's headers, so a
//   simulated lock taken through them would be reported at a line of <mutex>. The standard
//   lets a program specialise a std class template for a program-defined type
//   ([namespace.std]): these specialisations for sim::Mutex and sim::SharedMutex have the
//   standard interface, and each constructor (and lock()/try_lock()/unlock() of the movable
//   ones) takes a defaulted std::source_location, evaluated at the caller's line. Class template
//   argument deduction (std::lock_guard g(m);) picks them as it would the primary templates.
// - std::unique_lock and std::shared_lock: default, lock, std::defer_lock, std::try_to_lock and
//   std::adopt_lock constructors; move; lock, try_lock, unlock, release, swap, owns_lock,
//   operator bool, mutex. Timed operations do not exist (the simulated locks have none).
//   Misuse (locking a lock it owns, unlocking one it does not) throws std::system_error as the
//   standard's do.
// - std::scoped_lock over one or more simulated locks (all of sim's lock types): one lock is
//   taken with lock(); several as std::lock does (lock the first, try the others, release all
//   and start from the one that failed), so opposite orders cannot deadlock. Each try-lock is a
//   scheduling point; lock-order recording sees the try-locks too.
// - Releases in destructors report the site of the constructor that took the lock.
// Include sim/sync.h (which includes this header). Cost: what the underlying operations cost.
#pragma once

#include <mutex>
#include <shared_mutex>
#include <source_location>
#include <system_error>
#include <type_traits>
#include <utility>

#include "sim/sync.h"

namespace lockstep::sim {

template <class M>
concept SimLock = std::is_same_v<M, Mutex> || std::is_same_v<M, SharedMutex>;

namespace detail {

// A lock_guard (or a scoped_lock of one lock) over a simulated lock: takes it at the caller's
// line, releases it in the destructor. Both adopt forms are accepted: lock_guard's (m, tag)
// and scoped_lock's (tag, m).
template <class M>
class GuardLock {
 public:
  using mutex_type = M;
  explicit GuardLock(M& m, std::source_location site = std::source_location::current())
      : m_(m), site_(site) {
    m_.lock(site);
  }
  GuardLock(M& m, std::adopt_lock_t, std::source_location site = std::source_location::current())
      : m_(m), site_(site) {}
  GuardLock(std::adopt_lock_t, M& m, std::source_location site = std::source_location::current())
      : m_(m), site_(site) {}
  ~GuardLock() { m_.unlock(site_); }
  GuardLock(const GuardLock&) = delete;
  GuardLock& operator=(const GuardLock&) = delete;

 private:
  M& m_;
  std::source_location site_;
};

// A unique_lock / shared_lock over a simulated lock: `Shared` selects lock_shared.
template <class M, bool Shared>
class MovableLock {
 public:
  using mutex_type = M;
  MovableLock() noexcept = default;
  explicit MovableLock(M& m, std::source_location site = std::source_location::current())
      : m_(&m), site_(site) {
    take(site);
    owns_ = true;
  }
  MovableLock(M& m, std::defer_lock_t,
              std::source_location site = std::source_location::current()) noexcept
      : m_(&m), site_(site) {}
  MovableLock(M& m, std::try_to_lock_t, std::source_location site = std::source_location::current())
      : m_(&m), site_(site) {
    owns_ = try_take(site);
  }
  MovableLock(M& m, std::adopt_lock_t,
              std::source_location site = std::source_location::current()) noexcept
      : m_(&m), owns_(true), site_(site) {}
  MovableLock(MovableLock&& o) noexcept
      : m_(std::exchange(o.m_, nullptr)), owns_(std::exchange(o.owns_, false)), site_(o.site_) {}
  MovableLock& operator=(MovableLock&& o) noexcept {
    if (this != &o) {
      if (owns_) give(site_);
      m_ = std::exchange(o.m_, nullptr);
      owns_ = std::exchange(o.owns_, false);
      site_ = o.site_;
    }
    return *this;
  }
  MovableLock(const MovableLock&) = delete;
  MovableLock& operator=(const MovableLock&) = delete;
  ~MovableLock() {
    if (owns_) give(site_);
  }

  void lock(std::source_location site = std::source_location::current()) {
    check_can_take();
    take(site);
    owns_ = true;
    site_ = site;
  }
  bool try_lock(std::source_location site = std::source_location::current()) {
    check_can_take();
    owns_ = try_take(site);
    if (owns_) site_ = site;
    return owns_;
  }
  void unlock(std::source_location site = std::source_location::current()) {
    if (!owns_) throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    give(site);
    owns_ = false;
  }
  void swap(MovableLock& o) noexcept {
    std::swap(m_, o.m_);
    std::swap(owns_, o.owns_);
    std::swap(site_, o.site_);
  }
  M* release() noexcept {
    owns_ = false;
    return std::exchange(m_, nullptr);
  }
  bool owns_lock() const noexcept { return owns_; }
  explicit operator bool() const noexcept { return owns_; }
  M* mutex() const noexcept { return m_; }

 private:
  void check_can_take() const {
    if (m_ == nullptr) {
      throw std::system_error(std::make_error_code(std::errc::operation_not_permitted));
    }
    if (owns_) {
      throw std::system_error(std::make_error_code(std::errc::resource_deadlock_would_occur));
    }
  }
  void take(std::source_location site) {
    if constexpr (Shared) {
      m_->lock_shared(site);
    } else {
      m_->lock(site);
    }
  }
  bool try_take(std::source_location site) {
    if constexpr (Shared) {
      return m_->try_lock_shared(site);
    } else {
      return m_->try_lock(site);
    }
  }
  void give(std::source_location site) {
    if constexpr (Shared) {
      m_->unlock_shared(site);
    } else {
      m_->unlock(site);
    }
  }

  M* m_ = nullptr;
  bool owns_ = false;
  std::source_location site_;
};

// std::lock's algorithm over simulated locks, each call reporting `site`: lock one, try the
// rest in turn; if one is busy, release what was taken and start again from that one.
template <class... Ms>
void lock_all(std::source_location site, Ms&... ms) {
  constexpr std::size_t n = sizeof...(Ms);
  if constexpr (n == 1) {
    (ms.lock(site), ...);
  } else {
    // Type-erased views of the locks, so the first to take can change at run time.
    struct Ops {
      void* m;
      void (*lock)(void*, std::source_location);
      bool (*try_lock)(void*, std::source_location);
      void (*unlock)(void*, std::source_location);
    };
    auto ops_of = []<class M>(M& m) {
      return Ops{&m, [](void* p, std::source_location s) { static_cast<M*>(p)->lock(s); },
                 [](void* p, std::source_location s) { return static_cast<M*>(p)->try_lock(s); },
                 [](void* p, std::source_location s) { static_cast<M*>(p)->unlock(s); }};
    };
    const Ops ops[n] = {ops_of(ms)...};
    std::size_t first = 0;
    for (;;) {
      ops[first].lock(ops[first].m, site);
      std::size_t failed = n;
      for (std::size_t k = 1; k < n; ++k) {
        const std::size_t i = (first + k) % n;
        if (!ops[i].try_lock(ops[i].m, site)) {
          failed = i;
          for (std::size_t j = 0; j < k; ++j) {
            const std::size_t u = (first + j) % n;
            ops[u].unlock(ops[u].m, site);
          }
          break;
        }
      }
      if (failed == n) return;
      first = failed;
    }
  }
}

}  // namespace detail
}  // namespace lockstep::sim

namespace std {

template <>
class lock_guard<lockstep::sim::Mutex>
    : public lockstep::sim::detail::GuardLock<lockstep::sim::Mutex> {
 public:
  using GuardLock::GuardLock;
};

template <>
class lock_guard<lockstep::sim::SharedMutex>
    : public lockstep::sim::detail::GuardLock<lockstep::sim::SharedMutex> {
 public:
  using GuardLock::GuardLock;
};

template <>
class unique_lock<lockstep::sim::Mutex>
    : public lockstep::sim::detail::MovableLock<lockstep::sim::Mutex, false> {
 public:
  using MovableLock::MovableLock;
};

template <>
class unique_lock<lockstep::sim::SharedMutex>
    : public lockstep::sim::detail::MovableLock<lockstep::sim::SharedMutex, false> {
 public:
  using MovableLock::MovableLock;
};

template <>
class shared_lock<lockstep::sim::SharedMutex>
    : public lockstep::sim::detail::MovableLock<lockstep::sim::SharedMutex, true> {
 public:
  using MovableLock::MovableLock;
};

// One simulated lock (the library's own specialisation for one mutex would otherwise win).
template <>
class scoped_lock<lockstep::sim::Mutex>
    : public lockstep::sim::detail::GuardLock<lockstep::sim::Mutex> {
 public:
  using GuardLock::GuardLock;
};

template <>
class scoped_lock<lockstep::sim::SharedMutex>
    : public lockstep::sim::detail::GuardLock<lockstep::sim::SharedMutex> {
 public:
  using GuardLock::GuardLock;
};

// Two or more simulated locks (the standard's templates serve every other list).
template <class... Ms>
requires(sizeof...(Ms) > 1 && (lockstep::sim::SimLock<Ms> && ...)) class scoped_lock<Ms...> {
 public:
  explicit scoped_lock(Ms&... ms, source_location site = source_location::current())
      : locks_(ms...), site_(site) {
    lockstep::sim::detail::lock_all(site, ms...);
  }
  explicit scoped_lock(adopt_lock_t, Ms&... ms, source_location site = source_location::current())
      : locks_(ms...), site_(site) {}
  ~scoped_lock() {
    std::apply([this](auto&... m) { (m.unlock(site_), ...); }, locks_);
  }
  scoped_lock(const scoped_lock&) = delete;
  scoped_lock& operator=(const scoped_lock&) = delete;

 private:
  tuple<Ms&...> locks_;
  source_location site_;
};

}  // namespace std
