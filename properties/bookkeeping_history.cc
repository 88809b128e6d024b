// properties/bookkeeping_history.cc: mapping the observation log to a model::History.
#include "properties/bookkeeping_history.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <vector>

namespace lockstep::properties::detail {
namespace {

using model::Op;
using model::Result;

constexpr std::uint32_t kSyntheticTask = model::kCheckerTaskBase;

enum class Obs : std::uint8_t { kResult, kUnobserved, kPending };

struct Planned {
  std::uint32_t task = 0;
  Op op;
  std::uint64_t invoked = 0;
  std::uint64_t responded = 0;
  Obs obs = Obs::kPending;
  Result result;
  const Record* source = nullptr;
};

class Planner {
 public:
  explicit Planner(const LogIndex& log) : log_(log) {}

  void add(std::uint32_t task, Op op, std::uint64_t invoked, const Record* end, Obs obs,
           Result result = Result::ok()) {
    add_at(task, op, invoked, end ? std::optional(end->index) : std::nullopt, obs, result, end);
  }
  void add_at(std::uint32_t task, Op op, std::uint64_t invoked,
              std::optional<std::uint64_t> responded, Obs obs, Result result,
              const Record* source) {
    if (!model::in_range(op)) in_range_ = false;
    if (!responded) obs = Obs::kPending;
    plan_.push_back(Planned{task, op, invoked, responded.value_or(0), obs, result, source});
  }
  // An operation that returned `e`, or is pending if `end` is null.
  void add_observed(std::uint32_t task, Op op, const Record& begin, const Record* end) {
    add(task, op, begin.index, end, Obs::kResult,
        end && end->error != OpError::kNone ? Result::refused(end->error) : Result::ok());
  }
  void out_of_range() { in_range_ = false; }
  std::uint32_t synthetic() { return kSyntheticTask + next_synthetic_++; }
  void pending(Op op, std::uint64_t invoked) {
    add(synthetic(), op, invoked, nullptr, Obs::kPending);
  }

  std::optional<BookkeepingHistory> build() {
    if (!in_range_) return std::nullopt;
    std::stable_sort(plan_.begin(), plan_.end(), [](const Planned& a, const Planned& b) {
      return std::tie(a.invoked, a.task) < std::tie(b.invoked, b.task);
    });
    BookkeepingHistory out;
    for (const Planned& p : plan_) {
      const model::OpIndex i = out.history.invoke(p.task, p.op, p.invoked);
      if (p.obs == Obs::kResult) out.history.respond(i, p.responded, p.result);
      if (p.obs == Obs::kUnobserved) out.history.respond_unobserved(i, p.responded);
      if (p.source != nullptr) out.source[i] = p.source;
    }
    return out;
  }

  const LogIndex& log() const { return log_; }

 private:
  const LogIndex& log_;
  std::vector<Planned> plan_;
  std::uint32_t next_synthetic_ = 0;
  bool in_range_ = true;
};

// The kMarked record a forced unload wrote inside its critical section, if any.
const Record* forced_mark(const LogIndex& log, const OpPart& p) {
  for (const Record* r : log.of_task(p.begin->task)) {
    if (r->index <= p.begin->index) continue;
    if (p.end != nullptr && r->index >= p.end->index) break;
    if (is_stage(*r, UnloadStage::kMarked) && r->thread == p.begin->thread) return r;
  }
  return nullptr;
}

// Forced unloads: the marks they wrote, and those undone at once (closed listener queue).
struct ForcedMarks {
  std::set<const Record*> marks;
  std::set<const Record*> undone;
};

void plan_requests(Planner& plan, ForcedMarks& forced) {
  const LogIndex& log = plan.log();
  for (const OpPart& p : log.ops()) {
    const Record& b = *p.begin;
    const std::uint32_t task = b.task;
    const bool request = b.phase == Phase::kRequest;
    if (b.op == OpKind::kConnect && request && b.connection) {
      plan.add_observed(task, Op::connect(*b.connection), b, p.end);
    } else if (b.op == OpKind::kDisconnect && request && b.connection) {
      plan.add_observed(task, Op::disconnect(*b.connection), b, p.end);
    } else if (b.op == OpKind::kUnsubscribe && request && b.connection && b.thread) {
      plan.add_observed(task, Op::unsubscribe(*b.connection, *b.thread), b, p.end);
    } else if (b.op == OpKind::kResume && request && b.connection && b.thread) {
      plan.add_observed(task, Op::resume(*b.connection, *b.thread), b, p.end);
    } else if (b.op == OpKind::kSubscribe && request && b.connection && b.thread) {
      const Op op = Op::subscribe(*b.connection, *b.thread);
      if (p.end != nullptr && p.end->error == OpError::kNotConnected) {
        plan.add(task, op, b.index, p.end, Obs::kUnobserved);
      } else {
        plan.add_observed(task, op, b, p.end);
      }
    } else if (b.op == OpKind::kStart && !request && b.connection && b.thread) {
      // The late auto-attach; on a synthetic task, since it may be pending.
      const Op op = Op::auto_attach(*b.connection, *b.thread);
      if (p.end == nullptr || p.end->error == OpError::kClosing) {
        plan.pending(op, b.index);
      } else if (p.end->error != OpError::kAgentDead) {
        plan.add_observed(plan.synthetic(), op, b, p.end);
      }
    } else if (b.op == OpKind::kUnload && request && b.thread) {
      const Op op = Op::begin_unload(*b.thread);
      const Record* mark = forced_mark(log, p);
      if (mark == nullptr) {
        plan.add_observed(task, op, b, p.end);
        continue;
      }
      forced.marks.insert(mark);
      plan.add(task, op, b.index, mark, Obs::kResult);
      if (p.end != nullptr && p.end->error == OpError::kClosing) {
        // The listener's queue was closed: the mark was undone at once, with no stages.
        plan.add(task, Op::end_unload(*b.thread), mark->index, p.end, Obs::kResult);
        forced.undone.insert(mark);
      }
    }
  }
}

// The stages of the unload marked at `mark`, until its kUnmarked or the next mark of t.
void plan_stages(Planner& plan, const Record& mark) {
  const LogIndex& log = plan.log();
  const ThreadId t = *mark.thread;
  const Record* stage[4] = {nullptr, nullptr, nullptr, nullptr};
  constexpr UnloadStage kStages[4] = {UnloadStage::kStateRemoved, UnloadStage::kShutDown,
                                      UnloadStage::kThreadRemoved, UnloadStage::kUnmarked};
  for (const Record& r : log.records()) {
    if (r.index <= mark.index || r.thread != t) continue;
    if (is_stage(r, UnloadStage::kMarked)) break;
    for (int s = 0; s < 4; ++s) {
      if (stage[s] == nullptr && is_stage(r, kStages[s])) stage[s] = &r;
    }
    if (stage[3] != nullptr) break;
  }
  auto lower = [&](const Record& r, std::uint64_t floor) {
    const Record* prev = log.previous_of_task(r.task, r.index);
    return std::max(floor, prev != nullptr ? prev->index : 0);
  };
  std::uint64_t last = mark.index;
  const Op ops[3] = {Op::drop_thread_state(t), Op::finish_unload(t), Op::end_unload(t)};
  const Record* ends[3] = {stage[0], stage[2], stage[3]};
  for (int i = 0; i < 3; ++i) {
    const Record* end = ends[i];
    if (end == nullptr) {
      plan.pending(ops[i], last);
      continue;
    }
    const std::uint64_t invoked =
        i == 1 && stage[1] != nullptr ? stage[1]->index : lower(*end, last);
    plan.add(end->task, ops[i], invoked, end, Obs::kResult);
    last = end->index;
  }
}

void plan_unloads(Planner& plan, const ForcedMarks& forced) {
  const LogIndex& log = plan.log();
  for (const Record& r : log.records()) {
    if (!is_stage(r, UnloadStage::kMarked) || !r.thread) continue;
    if (!forced.marks.contains(&r)) {  // an idle unload, marked by the listener
      const Record* prev = log.previous_of_task(r.task, r.index);
      plan.add(r.task, Op::begin_unload(*r.thread), prev ? prev->index : 0, &r, Obs::kResult);
    }
    if (!forced.undone.contains(&r)) plan_stages(plan, r);
  }
}

void plan_loads(Planner& plan) {
  for (const ListenerLife& life : plan.log().listener_lives()) {
    plan.add(plan.synthetic(), Op::thread_loaded(*life.started->thread), life.prev_stop,
             life.started, Obs::kResult);
  }
}

// When the final snapshot was taken: at the driver's kFinalState record (after every client
// loop ended and the background settled). A log without one (the run ended with a client
// stuck, or a hand-made log): after every client loop ended, or, when some never did, at the
// very end. The record, unlike the clients' task ends, is an observation the simulator's DPOR
// orders against every other, so where it falls among the responses is the same in every
// equivalent schedule.
std::uint64_t final_snapshot_index(const LogIndex& log) {
  for (const Record& r : log.records()) {
    if (r.kind == RecordKind::kFinalState) return r.index;
  }
  std::uint64_t lower = 0;
  for (const auto& [task, info] : log.view().tasks) {
    if (info.name != "client") continue;
    const Record* end = nullptr;
    for (const Record* r : log.of_task(task)) {
      if (r->kind == RecordKind::kTaskEnd) end = r;
    }
    if (end == nullptr) return log.last_index();
    lower = std::max(lower, end->index);
  }
  return lower;
}

// One query per thread for the final snapshot.
void plan_final_queries(Planner& plan) {
  const LogIndex& log = plan.log();
  const auto& fs = log.view().final_state;
  if (!fs) return;
  const std::uint64_t lower = final_snapshot_index(log);
  std::set<ThreadId> threads = impl::workload_threads(log.view().workload);
  for (const auto& [t, subs] : fs->subscribers) threads.insert(t);
  for (ThreadId t : threads) {
    std::vector<ConnectionId> list;
    if (auto it = fs->subscribers.find(t); it != fs->subscribers.end()) {
      list.assign(it->second.begin(), it->second.end());
    }
    bool fits = model::in_range(Op::subscribers(t));
    for (ConnectionId c : list) fits = fits && impl::raw(c) < model::kMaxConnections;
    if (!fits) {
      plan.out_of_range();
      return;
    }
    plan.add_at(plan.synthetic(), Op::subscribers(t), lower, log.last_index() + 1, Obs::kResult,
                Result::subscriber_list(list), nullptr);
  }
}

}  // namespace

std::optional<BookkeepingHistory> bookkeeping_history(const LogIndex& log) {
  Planner plan(log);
  ForcedMarks forced;
  plan_requests(plan, forced);
  plan_unloads(plan, forced);
  plan_loads(plan);
  plan_final_queries(plan);
  return plan.build();
}

}  // namespace lockstep::properties::detail
