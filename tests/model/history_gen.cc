// tests/model/history_gen.cc: simulated executions and perturbed histories.
#include "tests/model/history_gen.h"

#include <algorithm>
#include <array>

namespace lockstep::model::testing {
namespace {

constexpr std::array<OpError, 5> kErrors = {OpError::kNone, OpError::kClosing,
                                            OpError::kUnknownThread, OpError::kNotConnected,
                                            OpError::kNotSubscribed};

Result random_result(const Chooser& choose, const GenConfig& config, OpKind kind) {
  if (kind == OpKind::kSubscribers) {
    return Result{OpError::kNone, static_cast<ConnectionMask>(choose(1u << config.connections))};
  }
  return Result::refused(kErrors[choose(static_cast<std::uint32_t>(kErrors.size()))]);
}

}  // namespace

Op random_op(const Chooser& choose, const GenConfig& config) {
  const auto kind = static_cast<OpKind>(choose(kOpKindCount));
  Op op{kind, {}, {}};
  if (takes_connection(kind)) op.connection = ConnectionId{choose(config.connections)};
  if (takes_thread(kind)) op.thread = ThreadId{choose(config.threads)};
  return op;
}

State random_initial(const Chooser& choose, const GenConfig& config) {
  State s;
  for (std::uint32_t c = 0; c < config.connections; ++c) {
    if (choose(2)) s = apply(s, Op::connect(ConnectionId{c})).state;
  }
  for (std::uint32_t t = 0; t < config.threads; ++t) {
    if (choose(3)) s = apply(s, Op::thread_loaded(ThreadId{t})).state;
  }
  for (std::uint32_t t = 0; t < config.threads; ++t) {
    for (std::uint32_t c = 0; c < config.connections; ++c) {
      if (choose(3) == 0) s = apply(s, Op::subscribe(ConnectionId{c}, ThreadId{t})).state;
    }
  }
  return s;
}

std::vector<Record> generate_execution(const Chooser& choose, const GenConfig& config,
                                       const State& initial) {
  // Each task walks through its script; per op: invoke -> (wait) -> take effect -> (wait)
  // -> respond. One stamp per invoke/respond; taking effect happens between them.
  enum class Phase { kIdle, kInvoked, kApplied, kDone };
  struct Task {
    std::vector<Op> script;
    std::size_t next = 0;
    Phase phase = Phase::kIdle;
    std::uint32_t wait = 0;
    std::size_t record = 0;
    std::uint64_t last_stamp = 0;
    bool stamped = false;
  };
  std::vector<Task> tasks(config.tasks);
  for (std::uint32_t i = 0; i < config.ops; ++i) {
    tasks[choose(config.tasks)].script.push_back(random_op(choose, config));
  }
  std::vector<Record> records;
  State state = initial;
  std::uint64_t stamp = 0;
  auto wait_turns = [&] { return config.max_wait ? choose(config.max_wait + 1) : 0u; };
  while (true) {
    std::vector<std::uint32_t> active;
    for (std::uint32_t t = 0; t < tasks.size(); ++t) {
      if (tasks[t].phase == Phase::kIdle && tasks[t].next == tasks[t].script.size()) {
        tasks[t].phase = Phase::kDone;
      }
      if (tasks[t].phase != Phase::kDone) active.push_back(t);
    }
    if (active.empty()) break;
    const std::uint32_t id = active[choose(static_cast<std::uint32_t>(active.size()))];
    Task& task = tasks[id];
    if (task.wait > 0) {
      --task.wait;
      continue;
    }
    const bool last = task.next + 1 == task.script.size();
    switch (task.phase) {
      case Phase::kIdle: {
        const bool reuse = config.reuse_stamps && task.stamped && choose(3) == 0;
        const std::uint64_t at = reuse ? task.last_stamp : ++stamp;
        records.push_back({id, task.script[task.next], at, std::nullopt, {}});
        task.record = records.size() - 1;
        task.phase = Phase::kInvoked;
        task.wait = wait_turns();
        break;
      }
      case Phase::kInvoked:
        if (last && choose(100) < config.pending_percent / 2) {  // ends before taking effect
          task.phase = Phase::kDone;
          break;
        }
        {
          const Step step = apply(state, records[task.record].op);
          state = step.state;
          records[task.record].observed = step.result;
        }
        task.phase = Phase::kApplied;
        task.wait = wait_turns();
        break;
      case Phase::kApplied:
        if (last && choose(100) < config.pending_percent / 2) {  // took effect, never returned
          records[task.record].observed = {};
          task.phase = Phase::kDone;
          break;
        }
        records[task.record].responded = ++stamp;
        records[task.record].unobserved = choose(100) < config.unobserved_percent;
        task.last_stamp = stamp;
        task.stamped = true;
        task.phase = Phase::kIdle;
        ++task.next;
        break;
      case Phase::kDone:
        break;
    }
  }
  return records;
}

std::vector<Record> generate_random(const Chooser& choose, const GenConfig& config) {
  std::vector<Record> records;
  std::vector<std::uint64_t> task_time(config.tasks, 0);
  std::vector<bool> task_open(config.tasks, false);
  for (std::uint32_t i = 0; i < config.ops; ++i) {
    const std::uint32_t task = choose(config.tasks);
    if (task_open[task]) continue;
    // Stamps: task t uses values congruent to t modulo the task count, so tasks never share.
    auto next_stamp = [&](std::uint64_t after) {
      std::uint64_t s = after + 1 + choose(4);
      while (s % config.tasks != task) ++s;
      return s;
    };
    Record r{task, random_op(choose, config), next_stamp(task_time[task]), std::nullopt, {}};
    if (choose(100) < config.pending_percent) {
      task_open[task] = true;
    } else {
      r.responded = next_stamp(r.invoked + choose(6));
      r.observed = random_result(choose, config, r.op.kind);
      r.unobserved = choose(100) < config.unobserved_percent;
      task_time[task] = *r.responded;
    }
    records.push_back(r);
  }
  std::stable_sort(records.begin(), records.end(),
                   [](const Record& a, const Record& b) { return a.invoked < b.invoked; });
  return records;
}

std::optional<std::size_t> perturb(const Chooser& choose, const GenConfig& config,
                                   std::vector<Record>& records) {
  std::vector<std::size_t> completed;
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (records[i].responded && !records[i].unobserved) completed.push_back(i);
  }
  if (completed.empty()) return std::nullopt;
  const std::size_t i = completed[choose(static_cast<std::uint32_t>(completed.size()))];
  Record& r = records[i];
  if (r.op.kind == OpKind::kSubscribers) {
    r.observed.subscribers ^= static_cast<ConnectionMask>(1u << choose(config.connections));
  } else {
    const auto shift = 1 + choose(static_cast<std::uint32_t>(kErrors.size() - 1));
    const auto at = std::find(kErrors.begin(), kErrors.end(), r.observed.error) - kErrors.begin();
    r.observed.error = kErrors[(static_cast<std::size_t>(at) + shift) % kErrors.size()];
  }
  return i;
}

History build(const std::vector<Record>& records) {
  History h;
  for (const Record& r : records) {
    const OpIndex i = h.invoke(r.task, r.op, r.invoked);
    if (r.responded && r.unobserved) h.respond_unobserved(i, *r.responded);
    if (r.responded && !r.unobserved) h.respond(i, *r.responded, r.observed);
  }
  return h;
}

}  // namespace lockstep::model::testing
