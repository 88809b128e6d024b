#include "sim/deadlock.h"

#include <fmt/format.h>

#include <algorithm>

#include "sim/execution.h"

namespace lockstep::sim {

namespace {

std::string label_text(std::uint32_t thread_label) {
  return thread_label == kNoThreadLabel ? "" : fmt::format(", thread t{}", thread_label);
}

}  // namespace

const BlockedTask* WaitForReport::find(TaskId t) const {
  for (const BlockedTask& b : blocked) {
    if (b.task == t) return &b;
  }
  return nullptr;
}

const FinishedHolder* WaitForReport::find_finished(TaskId t) const {
  for (const FinishedHolder& f : finished_holders) {
    if (f.task == t) return &f;
  }
  return nullptr;
}

std::vector<TaskId> WaitForReport::chain_from(TaskId start) const {
  std::vector<TaskId> chain{start};
  for (const BlockedTask* b = find(start); b != nullptr && !b->holders.empty();) {
    const TaskId next = b->holders.front();
    if (std::find(chain.begin(), chain.end(), next) != chain.end()) {
      chain.push_back(next);
      break;
    }
    chain.push_back(next);
    b = find(next);
  }
  return chain;
}

WaitForReport build_wait_for_report(const Execution& ex) {
  WaitForReport report;
  for (std::size_t i = 0; i < ex.task_count(); ++i) {
    const TaskRecord& t = ex.task(TaskId{static_cast<std::uint32_t>(i)});
    if (t.state == TaskRecord::State::kFinished) continue;
    BlockedTask b;
    b.task = t.id;
    b.name = t.name;
    b.thread_label = t.thread_label;
    b.op = t.pending.kind;
    if (t.pending.kind == OpKind::kJoin) {
      b.object = fmt::format("task#{}", raw(t.pending.object));
      b.lock_class = "task";
    } else {
      b.object = ex.object_name(t.pending.object);
      b.lock_class = t.pending.object == kNoObject
                         ? ""
                         : std::string(ex.object(t.pending.object).class_name);
    }
    b.site = Site::from(t.site);
    if (t.traits != nullptr && t.traits->holders != nullptr) {
      t.traits->holders(t.pending_object, b.holders);
    }
    for (const HeldLock& h : t.held) {
      b.held.push_back({ex.object_name(h.object), h.shared, Site::from(h.site)});
    }
    report.blocked.push_back(std::move(b));
  }
  // Holders that are no longer running: they exited with the lock held.
  std::vector<TaskId> gone;
  for (const BlockedTask& b : report.blocked) {
    for (TaskId h : b.holders) {
      if (raw(h) < ex.task_count() && ex.task(h).state == TaskRecord::State::kFinished &&
          std::find(gone.begin(), gone.end(), h) == gone.end()) {
        gone.push_back(h);
      }
    }
  }
  std::sort(gone.begin(), gone.end());
  for (TaskId h : gone) {
    const TaskRecord& t = ex.task(h);
    FinishedHolder f{h, t.name, t.thread_label, {}};
    for (const HeldLock& l : t.held) {
      f.held.push_back({ex.object_name(l.object), l.shared, Site::from(l.site)});
    }
    report.finished_holders.push_back(std::move(f));
  }
  // A cycle of task -> holder edges, searched from the lowest TaskId.
  for (const BlockedTask& b : report.blocked) {
    const std::vector<TaskId> chain = report.chain_from(b.task);
    const TaskId last = chain.back();
    auto first = std::find(chain.begin(), chain.end() - 1, last);
    if (chain.size() > 1 && first != chain.end() - 1) {
      report.cycle.assign(first, chain.end() - 1);
      break;
    }
  }
  return report;
}

std::string WaitForReport::format() const {
  std::string out = cycle.empty() ? "no task can run (no wait-for cycle):\n"
                                  : "deadlock: a wait-for cycle:\n";
  for (const BlockedTask& b : blocked) {
    out += fmt::format("  task {} ({}{}) waits at {} to {} {}", raw(b.task), b.name,
                       label_text(b.thread_label), b.site.str(), op_kind_name(b.op), b.object);
    if (!b.holders.empty()) {
      out += ", held by";
      for (TaskId h : b.holders) {
        const BlockedTask* hb = find(h);
        const FinishedHolder* fh = find_finished(h);
        out += fmt::format(
            " task {}{}", raw(h),
            hb != nullptr ? fmt::format(" ({}{})", hb->name, label_text(hb->thread_label))
            : fh != nullptr
                ? fmt::format(" ({}{}), which has finished", fh->name, label_text(fh->thread_label))
                : std::string());
      }
    }
    out += "\n";
    for (const HeldLockInfo& h : b.held) {
      out += fmt::format("      holding {}{} taken at {}\n", h.object, h.shared ? " (shared)" : "",
                         h.site.str());
    }
  }
  for (const FinishedHolder& f : finished_holders) {
    out += fmt::format("  task {} ({}{}) finished while holding", raw(f.task), f.name,
                       label_text(f.thread_label));
    for (std::size_t i = 0; i < f.held.size(); ++i) {
      out += fmt::format("{} {}{} taken at {}", i == 0 ? "" : ",", f.held[i].object,
                         f.held[i].shared ? " (shared)" : "", f.held[i].site.str());
    }
    out += ": nobody will release it\n";
  }
  if (!cycle.empty()) {
    out += "  cycle:";
    for (TaskId t : cycle) out += fmt::format(" task {} ->", raw(t));
    out += fmt::format(" task {}\n", raw(cycle.front()));
  }
  return out;
}

}  // namespace lockstep::sim
