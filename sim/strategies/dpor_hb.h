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
// At most kMaxTasks tasks. Cost per step: one pass over its accesses, vector-clock joins of
// kMaxTasks entries (only the first ntasks() are used).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "sim/strategies/dpor_dependence.h"

namespace lockstep::sim::dpor {

constexpr std::uint32_t kMaxTasks = 64;
using Mask = std::uint64_t;
using VClock = std::array<std::uint32_t, kMaxTasks>;

constexpr Mask bit_of(TaskId t) { return Mask{1} << raw(t); }

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
  const VClock& clock(std::uint32_t e) const { return clocks_[e]; }
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
    std::vector<VClock> sends;  // clock of each value sent, in order
    std::size_t received = 0;   // values taken so far
    VClock close_clock{};
  };

  void join(VClock& a, const VClock& b) const {
    for (std::uint32_t i = 0; i < ntasks_; ++i) a[i] = std::max(a[i], b[i]);
  }
  bool happens_before(std::uint32_t event, const VClock& c) const {
    const Event& e = events_[event];
    return c[raw(e.task)] >= e.index;
  }
  void note_task(TaskId t) {
    ntasks_ = std::max(ntasks_, raw(t) + 1);
    used_ = std::max(used_, ntasks_);
  }
  void clear(VClock& c) const { std::fill_n(c.begin(), used_, 0u); }
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
  std::vector<VClock> clocks_;
  std::array<VClock, kMaxTasks> clock_{};
  std::array<VClock, kMaxTasks> exit_clock_{};
  std::array<std::uint32_t, kMaxTasks> counts_{};
  VClock epoch_{};
  std::int64_t last_global_ = -1;
  std::uint32_t ntasks_ = 1;
  // Tasks of the largest execution so far. Clock entries are written only below ntasks_, so
  // in every clock the entries from used_ on are zero, and clearing one clears used_ entries.
  std::uint32_t used_ = 1;
  std::vector<ObjectState> objects_;
  std::vector<ChannelState> channels_;
  std::vector<KeyAccess> scratch_;
  std::vector<std::uint32_t> races_found_;
};

}  // namespace lockstep::sim::dpor
