// sim/race.cc: FastTrack over the simulator's synchronization (see the header).
#include "sim/race.h"

#include <algorithm>

namespace lockstep::sim {

void RaceDetector::reset(bool enabled) {
  for (std::size_t i = 0; i < ntasks_; ++i) tasks_[i].clear();
  ntasks_ = 0;
  enabled_ = enabled;
}

VectorClock& RaceDetector::task_clock(TaskId t) {
  if (raw(t) >= tasks_.size()) tasks_.resize(raw(t) + 1);
  ntasks_ = std::max<std::size_t>(ntasks_, raw(t) + 1);
  return tasks_[raw(t)];
}

RaceDetector::ObjectState& RaceDetector::object(ObjectId o) {
  if (raw(o) >= objects_.size()) objects_.resize(raw(o) + 1);
  return objects_[raw(o)];
}

void RaceDetector::on_task_start(TaskId child, std::optional<TaskId> parent) {
  VectorClock& c = task_clock(child);
  if (parent) {
    VectorClock& p = task_clock(*parent);
    c.assign(p);
    p.tick(*parent);
  } else {
    c.clear();
  }
  c.tick(child);
}

void RaceDetector::on_object(ObjectId o) {
  ObjectState& s = object(o);
  s.release.clear();
  s.shared_release.clear();
  s.head = 0;
  s.queued = 0;
  s.close.clear();
  s.write = {};
  s.read = {};
  s.read_shared = false;
  s.reads.clear();
}

void RaceDetector::on_acquire(TaskId t, ObjectId lock, bool shared) {
  ObjectState& s = object(lock);
  VectorClock& c = task_clock(t);
  c.join(s.release);
  if (!shared) c.join(s.shared_release);
}

void RaceDetector::on_release(TaskId t, ObjectId lock, bool shared) {
  ObjectState& s = object(lock);
  VectorClock& c = task_clock(t);
  // An exclusive holder acquired after every earlier release: its clock covers them.
  if (shared) {
    s.shared_release.join(c);
  } else {
    s.release.assign(c);
  }
  c.tick(t);
}

void RaceDetector::on_send(TaskId t, ObjectId channel) {
  ObjectState& s = object(channel);
  if (s.head + s.queued == s.messages.size() && s.head > 0) {
    // Move the queued clocks to the front (swaps: the elements keep their capacity).
    std::rotate(s.messages.begin(), s.messages.begin() + static_cast<std::ptrdiff_t>(s.head),
                s.messages.end());
    s.head = 0;
  }
  if (s.head + s.queued == s.messages.size()) s.messages.emplace_back();
  VectorClock& c = task_clock(t);
  s.messages[s.head + s.queued].assign(c);
  ++s.queued;
  c.tick(t);
}

void RaceDetector::on_receive(TaskId t, ObjectId channel) {
  ObjectState& s = object(channel);
  if (s.queued == 0) return;
  task_clock(t).join(s.messages[s.head]);
  ++s.head;
  if (--s.queued == 0) s.head = 0;
}

void RaceDetector::on_close(TaskId t, ObjectId channel) {
  VectorClock& c = task_clock(t);
  object(channel).close.join(c);
  c.tick(t);
}

void RaceDetector::on_receive_closed(TaskId t, ObjectId channel) {
  task_clock(t).join(object(channel).close);
}

void RaceDetector::on_notify(TaskId t, TaskId woken) {
  // The woken task is blocked until it runs again: joining now is joining at its wake-up.
  VectorClock& c = task_clock(t);
  task_clock(woken).join(c);
  c.tick(t);
}

void RaceDetector::on_join(TaskId t, TaskId joined) {
  // A finished task's clock no longer changes: it is its clock at its last step.
  if (raw(joined) < ntasks_) task_clock(t).join(tasks_[raw(joined)]);
}

void RaceDetector::on_init(TaskId t, ObjectId var, std::source_location site) {
  object(var).write = {t, task_clock(t).get(t), site, true};
}

std::optional<Race> RaceDetector::on_access(TaskId t, ObjectId var, bool write,
                                            std::source_location site) {
  ObjectState& s = object(var);
  const VectorClock& c = task_clock(t);
  const RaceAccess me{t, c.get(t), site, write};
  std::optional<Race> race;
  auto check = [&](const RaceAccess& earlier) {
    if (!race && earlier.clock != 0 && earlier.task != t && !before(earlier, c)) {
      race = Race{var, earlier, me};
    }
  };
  if (!write) {
    // [FT READ SAME EPOCH]
    if (!s.read_shared && s.read.clock == me.clock && s.read.task == t) return std::nullopt;
    if (s.read_shared && raw(t) < s.reads.size() && s.reads[raw(t)].clock == me.clock) {
      return std::nullopt;
    }
    check(s.write);  // write-read
    if (s.read_shared) {
      // [FT READ SHARED]
      if (raw(t) >= s.reads.size()) s.reads.resize(raw(t) + 1);
      s.reads[raw(t)] = me;
    } else if (s.read.clock == 0 || before(s.read, c)) {
      s.read = me;  // [FT READ EXCLUSIVE]
    } else {
      // [FT READ SHARE]: two concurrent reads; from now on one entry per task.
      s.read_shared = true;
      s.reads.assign(std::max<std::size_t>(ntasks_, raw(t) + 1), RaceAccess{});
      s.reads[raw(s.read.task)] = s.read;
      s.reads[raw(t)] = me;
    }
    return race;
  }
  // [FT WRITE SAME EPOCH]
  if (s.write.clock == me.clock && s.write.task == t) return std::nullopt;
  check(s.write);  // write-write
  if (s.read_shared) {
    for (const RaceAccess& r : s.reads) check(r);  // read-write, [FT WRITE SHARED]
    std::fill(s.reads.begin(), s.reads.end(), RaceAccess{});
    s.read_shared = false;
  } else {
    check(s.read);  // read-write, [FT WRITE EXCLUSIVE]
  }
  // Every earlier read is ordered before this write (or raced with it): later accesses that
  // are ordered after the write are ordered after them too, so they can be forgotten.
  s.read = {};
  s.write = me;
  return race;
}

}  // namespace lockstep::sim
