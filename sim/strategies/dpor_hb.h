// sim/strategies/dpor_hb.h: the happens-before analysis of one execution, for DPOR.
//
// Contract: the search (sim/strategies/dpor.cc) feeds each completed step (step()), each jump
// of the virtual clock (clock_advanced()) and, at the end, each operation left pending
// (pending()). Each step gets a vector clock built from the dependence of
// sim/strategies/dpor_dependence.h, and every race it takes part in as the later step — an
// earlier step of another task that conflicts with it and is not ordered before it — is
// reported to the RaceSink with the later step's clock before it is ordered after the racing
// steps. Under a preemption bound every earlier conflicting step is a race, not only the last
// of each kind (see dpor.cc). reset() starts the next execution; buffers keep their capacity.
// Any number of tasks: clocks and task sets grow when an execution has more tasks than any
// before it, and keep their capacity across executions, so a step allocates nothing once the
// largest execution has been seen. Cost per step: one pass over its accesses, vector-clock
// joins over the tasks of the execution.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <vector>

#include "sim/strategies/dpor_dependence.h"

namespace lockstep::sim::dpor {

// A set of tasks: tasks 0..63 in one inline word, more in words allocated only for executions
// with more tasks. Equality ignores trailing zero words.
class TaskMask {
 public:
  bool has(TaskId t) const {
    const std::uint32_t i = raw(t);
    if (i < 64) return ((word_ >> i) & 1u) != 0;
    const std::size_t w = i / 64 - 1;
    return w < more_.size() && ((more_[w] >> (i % 64)) & 1u) != 0;
  }
  void set(TaskId t) {
    const std::uint32_t i = raw(t);
    if (i < 64) {
      word_ |= std::uint64_t{1} << i;
      return;
    }
    const std::size_t w = i / 64 - 1;
    if (w >= more_.size()) more_.resize(w + 1, 0);
    more_[w] |= std::uint64_t{1} << (i % 64);
  }
  void reset(TaskId t) {
    const std::uint32_t i = raw(t);
    if (i < 64) {
      word_ &= ~(std::uint64_t{1} << i);
    } else if (i / 64 - 1 < more_.size()) {
      more_[i / 64 - 1] &= ~(std::uint64_t{1} << (i % 64));
    }
  }
  void clear() {  // keeps the capacity
    word_ = 0;
    std::fill(more_.begin(), more_.end(), 0);
  }
  bool empty() const {
    return word_ == 0 && std::all_of(more_.begin(), more_.end(), [](auto w) { return w == 0; });
  }
  // The lowest task in the set; the set must not be empty.
  TaskId lowest() const {
    if (word_ != 0) return TaskId{static_cast<std::uint32_t>(std::countr_zero(word_))};
    for (std::size_t w = 0; w < more_.size(); ++w) {
      if (more_[w] != 0) {
        return TaskId{static_cast<std::uint32_t>(64 * (w + 1) + std::countr_zero(more_[w]))};
      }
    }
    return TaskId{0};
  }
  bool intersects(const TaskMask& o) const {
    if ((word_ & o.word_) != 0) return true;
    for (std::size_t w = 0; w < std::min(more_.size(), o.more_.size()); ++w) {
      if ((more_[w] & o.more_[w]) != 0) return true;
    }
    return false;
  }
  TaskMask& operator|=(const TaskMask& o) {
    word_ |= o.word_;
    if (o.more_.size() > more_.size()) more_.resize(o.more_.size(), 0);
    for (std::size_t w = 0; w < o.more_.size(); ++w) more_[w] |= o.more_[w];
    return *this;
  }
  TaskMask& operator&=(const TaskMask& o) {
    word_ &= o.word_;
    for (std::size_t w = 0; w < more_.size(); ++w) {
      more_[w] &= w < o.more_.size() ? o.more_[w] : 0;
    }
    return *this;
  }
  TaskMask& remove(const TaskMask& o) {  // this &= ~o
    word_ &= ~o.word_;
    for (std::size_t w = 0; w < std::min(more_.size(), o.more_.size()); ++w) {
      more_[w] &= ~o.more_[w];
    }
    return *this;
  }
  // Calls f(TaskId) for each task in the set, lowest first.
  template <class F>
  void for_each(F&& f) const {
    for (std::uint64_t m = word_; m != 0; m &= m - 1) {
      f(TaskId{static_cast<std::uint32_t>(std::countr_zero(m))});
    }
    for (std::size_t w = 0; w < more_.size(); ++w) {
      for (std::uint64_t m = more_[w]; m != 0; m &= m - 1) {
        f(TaskId{static_cast<std::uint32_t>(64 * (w + 1) + std::countr_zero(m))});
      }
    }
  }
  friend bool operator==(const TaskMask& a, const TaskMask& b) {
    if (a.word_ != b.word_) return false;
    const std::size_t n = std::max(a.more_.size(), b.more_.size());
    for (std::size_t w = 0; w < n; ++w) {
      const std::uint64_t x = w < a.more_.size() ? a.more_[w] : 0;
      const std::uint64_t y = w < b.more_.size() ? b.more_[w] : 0;
      if (x != y) return false;
    }
    return true;
  }

 private:
  std::uint64_t word_ = 0;
  std::vector<std::uint64_t> more_;  // tasks 64.. ; empty for executions of at most 64 tasks
};

// A vector clock: entry i is task i's step count; entries past the end are 0. A clock grows
// only when it first needs a higher task, and is cleared in place.
using VClock = std::vector<std::uint32_t>;
inline std::uint32_t entry(const VClock& c, std::uint32_t task) {
  return task < c.size() ? c[task] : 0;
}

struct Event {
  TaskId task;
  OpKind op;
  std::uint32_t index;  // 1-based among its task's steps
  std::uint32_t node;   // path index of the state the step was taken from
};

class RaceSink {
 public:
  // Race (e, later): `later` (one past the last event for a pending operation) by task p,
  // whose clock is c.
  virtual void race(std::uint32_t e, std::uint32_t later, TaskId p, const VClock& c) = 0;

 protected:
  ~RaceSink() = default;
};

class HappensBefore {
 public:
  explicit HappensBefore(bool bounded) : bounded_(bounded) {}
  void reset();
  void step(const Footprint& f, std::uint32_t node, RaceSink& sink);
  void pending(const Footprint& f, RaceSink& sink);
  void clock_advanced();

  const Event& event(std::uint32_t e) const { return events_[e]; }
  const VClock& clock(std::uint32_t e) const { return clocks_[e]; }  // e < events
  std::uint32_t ntasks() const { return ntasks_; }

 private:
  struct ObjectState {
    std::uint64_t generation = 0;
    std::int64_t last_write = -1;
    std::vector<std::uint32_t> reads;     // since the last write
    std::vector<std::uint32_t> releases;  // since the last write
    // Under a preemption bound: every write and read of this execution.
    std::vector<std::uint32_t> all_writes;
    std::vector<std::uint32_t> all_reads;
    VClock write_clock{};
    VClock read_clock{};
    VClock release_clock{};         // every release
    VClock writer_release_clock{};  // exclusive releases
  };
  struct ChannelState {
    std::uint64_t generation = 0;
    std::vector<VClock> sends;  // clock of each value sent, in order (the first nsends)
    std::size_t nsends = 0;     // elements past it are kept for their capacity
    std::size_t received = 0;   // values taken so far
    VClock close_clock{};
  };

  // Entries at and above ntasks_ are zero in every clock of this execution.
  void join(VClock& a, const VClock& b) const {
    const std::size_t n = std::min<std::size_t>(b.size(), ntasks_);
    if (a.size() < n) a.resize(n, 0);
    for (std::size_t i = 0; i < n; ++i) a[i] = std::max(a[i], b[i]);
  }
  bool happens_before(std::uint32_t event, const VClock& c) const {
    const Event& e = events_[event];
    return entry(c, raw(e.task)) >= e.index;
  }
  static void set_entry(VClock& c, TaskId t, std::uint32_t v) {
    if (c.size() <= raw(t)) c.resize(raw(t) + 1, 0);
    c[raw(t)] = v;
  }
  // A task id seen in this execution: the per-task tables grow to hold it (only when no
  // execution so far had this many tasks).
  void note_task(TaskId t) {
    ntasks_ = std::max(ntasks_, raw(t) + 1);
    if (ntasks_ > clock_.size()) {
      clock_.resize(ntasks_);
      exit_clock_.resize(ntasks_);
      counts_.resize(ntasks_, 0);
    }
  }
  static void clear(VClock& c) { std::fill(c.begin(), c.end(), 0u); }
  // Appends the clock of a new event, reusing a kept element (and its capacity).
  void push_clock(const VClock& c) {
    if (nclocks_ == clocks_.size()) clocks_.emplace_back();
    clocks_[nclocks_++] = c;
  }
  ObjectState& state(std::uint32_t key);
  ChannelState& channel(std::uint32_t obj);
  void collect_races(const KeyAccess& a, TaskId t, const VClock& c,
                     std::vector<std::uint32_t>& out);
  void collect_global_races(TaskId t, const VClock& c, std::vector<std::uint32_t>& out);
  void order_after(const Footprint& f, bool lead, VClock& c);
  void record_accesses(const Footprint& f, std::uint32_t me, const VClock& c);

  bool bounded_;
  std::uint64_t generation_ = 0;
  std::vector<Event> events_;
  std::vector<VClock> clocks_;  // of each event (the first nclocks_; the rest kept for reuse)
  std::size_t nclocks_ = 0;
  std::vector<VClock> clock_;       // by task
  std::vector<VClock> exit_clock_;  // by task
  std::vector<std::uint32_t> counts_;
  VClock epoch_{};
  VClock scratch_clock_{};  // the clock of the step under way
  std::int64_t last_global_ = -1;
  std::uint32_t ntasks_ = 1;
  std::vector<ObjectState> objects_;
  std::vector<ChannelState> channels_;
  std::vector<KeyAccess> scratch_;
  std::vector<std::uint32_t> races_found_;
};

}  // namespace lockstep::sim::dpor
