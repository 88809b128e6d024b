#include "sim/sim_runtime.h"

#include "sim/scheduler.h"

namespace lockstep::sim {

namespace {

bool joined_finished(const void* target, const TaskRecord&, std::int64_t) {
  return static_cast<const TaskRecord*>(target)->state == TaskRecord::State::kFinished;
}
void joined_holder(const void* target, std::vector<TaskId>& out) {
  out.push_back(static_cast<const TaskRecord*>(target)->id);
}
constexpr OpTraits kJoinTraits{&joined_finished, &joined_holder};

bool sleep_due(const void*, const TaskRecord& t, std::int64_t now) { return now >= t.deadline; }
constexpr OpTraits kSleepTraits{&sleep_due, nullptr};
constexpr std::uint32_t kSleepGate = 0;  // a sleep is enabled by its deadline alone

}  // namespace

SimClock::time_point SimClock::now() {
  return time_point(duration(Execution::require_current().now()));
}

void JoinHandle::join(std::source_location site) {
  if (!valid_) return;
  Execution& ex = Execution::require_current();
  // For a join, the step's object is the joined task's id.
  if (ex.point(OpKind::kJoin, &ex.record(task_), ObjectId{raw(task_)}, &kJoinTraits, site)) {
    ex.hb_join(task_);
  }
}

JoinHandle spawn(std::string_view name, std::uint32_t thread_label, std::function<void()> body,
                 std::source_location site) {
  Execution& ex = Execution::require_current();
  const TaskId t = ex.spawn(name, thread_label, std::move(body), site);
  if (ex.aborting()) return JoinHandle();
  return JoinHandle(t);
}

void yield_now(std::source_location site) {
  Execution::require_current().point(OpKind::kYield, nullptr, kNoObject, nullptr, site);
}

void sleep_until(TimePoint deadline, std::source_location site) {
  Execution::require_current().point(OpKind::kSleep, nullptr, kNoObject, &kSleepTraits, site,
                                     deadline.time_since_epoch().count(), &kSleepGate);
}

std::uint64_t choose(std::uint64_t bound) {
  Execution& ex = Execution::require_current();
  if (bound > 1) ex.note_data_choice();
  return ex.scheduler().pick_value(bound);
}

void fail(std::string message) { Execution::require_current().fail(std::move(message)); }

std::uint64_t SimRuntime::stamp() { return Execution::require_current().step(); }

void SimRuntime::observe(std::uint32_t thread, std::uint32_t connection) {
  Execution::require_current().note_observation(observation_mask(thread, connection));
}

std::uint32_t SimRuntime::current_task() {
  return raw(Execution::require_current().current_task());
}

}  // namespace lockstep::sim
