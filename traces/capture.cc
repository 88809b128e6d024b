#include "traces/capture.h"

#include "sim/lock_order.h"
#include "sim/scheduler.h"

namespace lockstep::traces {

void capture_execution(const sim::Execution& ex, Trace& out) {
  out.outcome = std::string(sim::outcome_name(ex.outcome()));
  out.tasks.clear();
  for (std::size_t i = 0; i < ex.task_count(); ++i) {
    const sim::TaskRecord& t = ex.task(sim::TaskId{static_cast<std::uint32_t>(i)});
    out.tasks.push_back({t.name, t.thread_label == sim::kNoThreadLabel
                                     ? -1
                                     : static_cast<std::int64_t>(t.thread_label)});
  }
  out.objects.clear();
  for (std::size_t i = 0; i < ex.object_count(); ++i) {
    out.objects.push_back(ex.object_name(sim::ObjectId{static_cast<std::uint32_t>(i)}));
  }
  const sim::Scheduler& sched = ex.scheduler();
  out.steps.clear();
  out.steps.reserve(sched.steps().size());
  for (const sim::StepRecord& s : sched.steps()) {
    out.steps.push_back({sim::raw(s.task), s.op.kind,
                         s.op.object == sim::kNoObject ? -1 : static_cast<std::int64_t>(raw(s.op.object)),
                         s.time, sim::Site::from(s.site).str()});
  }
  out.values = sched.values();
  if (sched.seed()) out.seed = *sched.seed();
}

sim::ReplayOptions replay_options(const Trace& trace) {
  sim::ReplayOptions o;
  o.steps.reserve(trace.steps.size());
  for (const TraceStep& s : trace.steps) {
    const sim::ObjectId obj =
        s.object < 0 ? sim::kNoObject : sim::ObjectId{static_cast<std::uint32_t>(s.object)};
    o.steps.push_back({sim::TaskId{s.task}, {s.op, obj}, s.time, std::source_location()});
  }
  o.values = trace.values;
  return o;
}

}  // namespace lockstep::traces
