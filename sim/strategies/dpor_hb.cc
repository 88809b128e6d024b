// sim/strategies/dpor_hb.cc: vector clocks and race detection for DPOR (see the header).
#include "sim/strategies/dpor_hb.h"

#include <algorithm>

namespace lockstep::sim::dpor {

namespace {

// Whether an access belongs to the step's leading operation (synchronizes first) rather than
// to the code that ran after it.
bool leading(const Footprint& f, const KeyAccess& a) {
  const std::uint32_t obj = raw(f.object);
  return a.key == obj || a.key == kHeadKey + obj || a.key == kSpawnKey || a.key >= kExitKey;
}

}  // namespace

void HappensBefore::reset() {
  ++generation_;
  events_.clear();
  nclocks_ = 0;
  ntasks_ = 1;
  note_task(TaskId{0});
  for (std::size_t t = 0; t < clock_.size(); ++t) {
    clear(clock_[t]);
    clear(exit_clock_[t]);
    counts_[t] = 0;
  }
  clear(epoch_);
  last_global_ = -1;
}

void HappensBefore::clock_advanced() {
  for (std::uint32_t t = 0; t < ntasks_; ++t) join(epoch_, clock_[t]);
}

HappensBefore::ObjectState& HappensBefore::state(std::uint32_t key) {
  // Slot 0: the spawn counter; 1..64: observation pairs; then, interleaved per index, an
  // object, its receiving end and a task's exit (task ids are unbounded, like object ids).
  constexpr std::size_t kFirst = 1 + 64;
  std::size_t slot;
  if (key < kHeadKey) {
    slot = kFirst + 3 * std::size_t{key};
  } else if (key < kSpawnKey) {
    slot = kFirst + 3 * std::size_t{key - kHeadKey} + 1;
  } else if (key == kSpawnKey) {
    slot = 0;
  } else if (key >= kExitKey) {
    slot = kFirst + 3 * std::size_t{key - kExitKey} + 2;
  } else {
    slot = 1 + (key - kObservationKey);
  }
  if (slot >= objects_.size()) objects_.resize(slot + 1);
  ObjectState& s = objects_[slot];
  if (s.generation != generation_) {
    s.generation = generation_;
    s.last_write = -1;
    s.reads.clear();
    s.releases.clear();
    s.all_writes.clear();
    s.all_reads.clear();
    clear(s.write_clock);
    clear(s.read_clock);
    clear(s.release_clock);
    clear(s.writer_release_clock);
  }
  return s;
}

HappensBefore::ChannelState& HappensBefore::channel(std::uint32_t obj) {
  if (obj >= channels_.size()) channels_.resize(obj + 1);
  ChannelState& ch = channels_[obj];
  if (ch.generation != generation_) {
    ch.generation = generation_;
    ch.nsends = 0;
    ch.received = 0;
    clear(ch.close_clock);
  }
  return ch;
}

// Earlier steps that conflict with an access of task `t` whose clock (before the access's
// own ordering) is `c`, and are not ordered before it.
void HappensBefore::collect_races(const KeyAccess& a, TaskId t, const VClock& c,
                                  std::vector<std::uint32_t>& out) {
  ObjectState& s = state(a.key);
  auto consider = [&](std::int64_t e) {
    if (e < 0) return;
    const auto ev = static_cast<std::uint32_t>(e);
    if (events_[ev].task == t || happens_before(ev, c)) return;
    if (std::find(out.begin(), out.end(), ev) == out.end()) out.push_back(ev);
  };
  switch (a.kind) {
    case Kind::kRead: consider(s.last_write); break;
    case Kind::kTry:
      for (std::uint32_t e : s.releases) consider(e);
      [[fallthrough]];
    case Kind::kWrite:
      consider(s.last_write);
      for (std::uint32_t e : s.reads) consider(e);
      break;
    case Kind::kRelease:
    case Kind::kReleaseShared: break;
  }
  // Under a bound the reordering with the last conflicting step may cost more than the bound
  // allows, and with it the chain of reorderings that would reach the earlier ones: every
  // earlier conflicting step not ordered before this one is a race of its own.
  if (bounded_ && a.kind != Kind::kRelease && a.kind != Kind::kReleaseShared) {
    for (std::uint32_t e : s.all_writes) consider(e);
    if (a.kind != Kind::kRead) {
      for (std::uint32_t e : s.all_reads) consider(e);
    }
  }
}

void HappensBefore::collect_global_races(TaskId t, const VClock& c,
                                         std::vector<std::uint32_t>& out) {
  for (std::uint32_t e = 0; e < events_.size(); ++e) {
    if (events_[e].task != t && !happens_before(e, c) &&
        std::find(out.begin(), out.end(), e) == out.end()) {
      out.push_back(e);
    }
  }
}

// Orders the step (clock c) after the earlier steps its leading operation (lead) or the code
// after it (!lead) conflicts with.
void HappensBefore::order_after(const Footprint& f, bool lead, VClock& c) {
  for (const KeyAccess& a : scratch_) {
    if (leading(f, a) != lead || a.key >= kExitKey) continue;
    ObjectState& s = state(a.key);
    switch (a.kind) {
      case Kind::kRead:
        join(c, s.write_clock);
        join(c, s.writer_release_clock);
        break;
      case Kind::kWrite:
      case Kind::kTry:
        if (a.key >= kHeadKey && a.key < kSpawnKey) break;  // a receive: below
        join(c, s.write_clock);
        join(c, s.read_clock);
        join(c, s.release_clock);
        break;
      case Kind::kRelease:
      case Kind::kReleaseShared: break;
    }
  }
  if (lead && (f.op == OpKind::kRecv || f.op == OpKind::kRecvUntil)) {
    ChannelState& ch = channel(raw(f.object));
    join(c, state(kHeadKey + raw(f.object)).write_clock);  // receives are ordered
    if (f.effects.no_value) {
      join(c, ch.close_clock);
    } else if (!f.effects.timed_out && ch.received < ch.nsends) {
      join(c, ch.sends[ch.received++]);
    }
  }
}

// The step `me` (clock c, final) becomes the latest access of each key it touched.
void HappensBefore::record_accesses(const Footprint& f, std::uint32_t me, const VClock& c) {
  for (const KeyAccess& a : scratch_) {
    if (a.key >= kExitKey) continue;
    ObjectState& s = state(a.key);
    switch (a.kind) {
      case Kind::kRead:
        s.reads.push_back(me);
        if (bounded_) s.all_reads.push_back(me);
        join(s.read_clock, c);
        break;
      case Kind::kWrite:
      case Kind::kTry:
        if (bounded_) s.all_writes.push_back(me);
        s.last_write = me;
        s.write_clock = c;
        s.reads.clear();
        clear(s.read_clock);
        s.releases.clear();
        break;
      case Kind::kRelease:
        join(s.writer_release_clock, c);
        [[fallthrough]];
      case Kind::kReleaseShared:
        join(s.release_clock, c);
        s.releases.push_back(me);
        break;
    }
  }
  if (f.op == OpKind::kSend && !f.effects.no_value) {
    ChannelState& ch = channel(raw(f.object));
    if (ch.nsends == ch.sends.size()) ch.sends.emplace_back();
    ch.sends[ch.nsends++] = c;  // reuses a kept element's capacity
  }
  if (f.op == OpKind::kClose) channel(raw(f.object)).close_clock = c;
}

void HappensBefore::step(const Footprint& f, std::uint32_t node, RaceSink& sink) {
  const TaskId t = f.task;
  note_task(t);
  const auto me = static_cast<std::uint32_t>(events_.size());
  VClock& c = scratch_clock_;
  c = clock_[raw(t)];  // reuses the scratch clock's capacity
  set_entry(c, t, ++counts_[raw(t)]);
  if (f.op == OpKind::kJoin && raw(f.object) < exit_clock_.size()) {
    join(c, exit_clock_[raw(f.object)]);
  }
  accesses_of(f, false, scratch_);
  races_found_.clear();
  if (last_global_ >= 0) {
    const auto g = static_cast<std::uint32_t>(last_global_);
    if (events_[g].task != t && !happens_before(g, c)) races_found_.push_back(g);
    join(c, clocks_[static_cast<std::size_t>(last_global_)]);
  }
  if (is_global(f)) {
    collect_global_races(t, c, races_found_);
    for (std::uint32_t u = 0; u < ntasks_; ++u) join(c, clock_[u]);
  }
  // The leading operation races with what it conflicts with, then is ordered after it; the
  // code after it (arrivals, observations, releases of other locks) races from there, so that
  // what the operation had to wait for is not taken for a race.
  for (const bool lead : {true, false}) {
    if (!is_global(f)) {
      for (const KeyAccess& a : scratch_) {
        if (leading(f, a) != lead || a.key >= kExitKey) continue;
        collect_races(a, t, c, races_found_);
      }
    }
    order_after(f, lead, c);
  }
  if (f.timed) {
    // A step that ran because the clock jumped cannot run before a step taken before the jump
    // (the clock moves only when nothing else can run), so those races are dropped, except
    // that a receive that timed out could have taken a value instead: a send, or a receive
    // that took what it could have got. Races with steps after the jump stay.
    std::erase_if(races_found_, [this, &f](std::uint32_t e) {
      const OpKind op = events_[e].op;
      const bool channel = op == OpKind::kRecv || op == OpKind::kRecvUntil || op == OpKind::kSend;
      return happens_before(e, epoch_) && !(f.effects.timed_out && channel);
    });
  }
  events_.push_back({t, f.op, counts_[raw(t)], node});
  for (std::uint32_t e : races_found_) sink.race(e, me, t, c);
  if (f.timed) join(c, epoch_);
  push_clock(c);
  record_accesses(f, me, c);
  if (is_global(f)) last_global_ = me;
  if (f.op == OpKind::kExit) exit_clock_[raw(t)] = c;
  if (f.op == OpKind::kSpawn && f.effects.spawned != TaskId{0xffffffffu}) {
    const TaskId child = f.effects.spawned;
    note_task(child);
    clock_[raw(child)] = c;
    counts_[raw(child)] = 0;
  }
  clock_[raw(t)] = c;
}

// A task's operation that never ran: it races like a step would, nothing is updated.
void HappensBefore::pending(const Footprint& f, RaceSink& sink) {
  const TaskId t = f.task;
  note_task(t);
  VClock& c = scratch_clock_;
  c = clock_[raw(t)];
  set_entry(c, t, counts_[raw(t)] + 1);
  accesses_of(f, true, scratch_);
  races_found_.clear();
  if (last_global_ >= 0) {
    const auto g = static_cast<std::uint32_t>(last_global_);
    if (events_[g].task != t && !happens_before(g, c)) races_found_.push_back(g);
  }
  for (const KeyAccess& a : scratch_) {
    if (a.key >= kExitKey) continue;
    collect_races(a, t, c, races_found_);
  }
  const auto virtual_event = static_cast<std::uint32_t>(events_.size());
  for (std::uint32_t e : races_found_) sink.race(e, virtual_event, t, c);
}

}  // namespace lockstep::sim::dpor
