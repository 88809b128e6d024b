// model/history.cc: building a history and ordering its events.
#include "model/history.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <tuple>

namespace lockstep::model {

History::TaskCursor& History::cursor(std::uint32_t task) {
  auto it = std::lower_bound(tasks_.begin(), tasks_.end(), task,
                             [](const TaskCursor& c, std::uint32_t t) { return c.task < t; });
  if (it == tasks_.end() || it->task != task) it = tasks_.insert(it, TaskCursor{task, 0, 0, {}});
  return *it;
}

OpIndex History::invoke(std::uint32_t task, const Op& op, std::uint64_t stamp) {
  if (!in_range(op)) {
    throw std::invalid_argument(
        fmt::format("history: {} names an id out of the model's range", to_string(op)));
  }
  if (entries_.size() >= kMaxOperations) {
    throw std::invalid_argument("history: more than kMaxOperations operations");
  }
  TaskCursor& c = cursor(task);
  if (c.open) {
    throw std::invalid_argument(
        fmt::format("history: task {} invokes {} at {} while {} is still open", task, to_string(op),
                    stamp, describe(*c.open)));
  }
  if (c.count > 0 && stamp < c.last_stamp) {
    throw std::invalid_argument(
        fmt::format("history: task {} invokes {} at {}, before its "
                    "previous response at {}",
                    task, to_string(op), stamp, c.last_stamp));
  }
  entries_.push_back(HistoryEntry{task, op, stamp, std::nullopt, Result{}});
  program_order_.push_back(c.count++);
  c.last_stamp = stamp;
  c.open = entries_.size() - 1;
  positions_.clear();
  return entries_.size() - 1;
}

void History::respond(OpIndex index, std::uint64_t stamp, const Result& observed) {
  if (index >= entries_.size()) {
    throw std::invalid_argument(fmt::format("history: no operation #{}", index));
  }
  HistoryEntry& e = entries_[index];
  if (!e.pending()) {
    throw std::invalid_argument(fmt::format("history: {} responds twice", describe(index)));
  }
  if (stamp < e.invoked) {
    throw std::invalid_argument(
        fmt::format("history: {} responds at {}, before its invocation", describe(index), stamp));
  }
  if (stamp == kNeverReturned || stamp == ~std::uint64_t{0}) {
    throw std::invalid_argument(fmt::format("history: response stamp {} is reserved", stamp));
  }
  TaskCursor& c = cursor(e.task);
  e.responded = stamp;
  e.observed = observed;
  if (e.op.kind != OpKind::kSubscribers) e.observed.subscribers = 0;
  c.last_stamp = stamp;
  c.open.reset();
  positions_.clear();
}

void History::respond_unobserved(OpIndex index, std::uint64_t stamp) {
  respond(index, stamp, Result{});
  entries_[index].unobserved = true;
}

OpIndex History::add_completed(std::uint32_t task, const Op& op, std::uint64_t invoked,
                               std::uint64_t responded, const Result& observed) {
  const OpIndex i = invoke(task, op, invoked);
  respond(i, responded, observed);
  return i;
}

const std::vector<EventPositions>& History::positions() const {
  if (positions_.size() == entries_.size()) return positions_;
  // One record per event: (stamp, task, rank in the task's event sequence, entry, is_return).
  // Within a task, events alternate call, return, call, ...; rank 2k is the call of the
  // task's k-th operation and 2k+1 its return.
  struct Event {
    std::uint64_t stamp;
    std::uint32_t task;
    std::uint32_t rank;
    OpIndex entry;
    bool is_return;
  };
  std::vector<Event> events;
  events.reserve(2 * entries_.size());
  for (OpIndex i = 0; i < entries_.size(); ++i) {
    const HistoryEntry& e = entries_[i];
    events.push_back({e.invoked, e.task, 2 * program_order_[i], i, false});
    if (!e.pending()) events.push_back({*e.responded, e.task, 2 * program_order_[i] + 1, i, true});
  }
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return std::tie(a.stamp, a.task, a.rank) < std::tie(b.stamp, b.task, b.rank);
  });
  positions_.assign(entries_.size(), EventPositions{0, kNeverReturned});
  for (std::uint32_t p = 0; p < events.size(); ++p) {
    EventPositions& pos = positions_[events[p].entry];
    (events[p].is_return ? pos.ret : pos.call) = p;
  }
  return positions_;
}

bool History::precedes(OpIndex a, OpIndex b) const {
  const auto& pos = positions();
  return a != b && pos[a].ret < pos[b].call;
}

std::string History::describe(OpIndex i) const {
  const HistoryEntry& e = entries_[i];
  // Operations a checker adds (a final-state query, a request still pending) run on tasks
  // numbered from kCheckerTaskBase: name them so, never by that internal number.
  const std::string task = e.task >= kCheckerTaskBase
                               ? fmt::format("checker query {}", e.task - kCheckerTaskBase)
                               : fmt::format("task {}", e.task);
  if (e.pending()) {
    return fmt::format("#{} {} [{}, -] {} -> ? (pending)", i, task, e.invoked, to_string(e.op));
  }
  return fmt::format("#{} {} [{}, {}] {} -> {}", i, task, e.invoked, *e.responded,
                     to_string(e.op),
                     e.unobserved ? "? (not observed)" : to_string(e.op.kind, e.observed));
}

void History::check_invariants() const {
  const auto& pos = positions();
  std::map<std::uint32_t, OpIndex> last_of_task;
  for (OpIndex i = 0; i < entries_.size(); ++i) {
    const HistoryEntry& e = entries_[i];
    if (!in_range(e.op)) throw std::logic_error("history: " + describe(i) + " is out of range");
    if (!e.pending() && *e.responded < e.invoked) {
      throw std::logic_error("history: " + describe(i) + " returns before it is invoked");
    }
    if (pos[i].call >= pos[i].ret) {
      throw std::logic_error("history: " + describe(i) + " has its return before its call");
    }
    auto [it, first] = last_of_task.try_emplace(e.task, i);
    if (!first) {
      if (!precedes(it->second, i)) {
        throw std::logic_error("history: " + describe(it->second) + " does not precede " +
                               describe(i) + " of the same task");
      }
      it->second = i;
    }
  }
}

}  // namespace lockstep::model
