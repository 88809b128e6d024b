// properties/wait_chain.cc: following a blocked task to what it ultimately waits for.
#include "properties/wait_chain.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "impl/stall.h"

namespace lockstep::properties::detail {
namespace {

constexpr std::size_t kMaxLinks = 16;
constexpr std::uint32_t kNoTask = 0xffffffffu;

std::string class_of(const BlockedTaskView& b) {
  if (!b.lock_class.empty()) return b.lock_class;
  return b.object.substr(0, b.object.find('#'));
}

// The kStallBegin of `task` not followed by its kStallEnd, or nullptr.
const Record* open_stall(const LogIndex& log, std::uint32_t task) {
  const Record* open = nullptr;
  for (const Record* r : log.of_task(task)) {
    if (r->kind == RecordKind::kStallBegin) open = r;
    if (r->kind == RecordKind::kStallEnd) open = nullptr;
  }
  return open;
}

const Record* last_of_task(const LogIndex& log, std::uint32_t task, RecordKind kind) {
  const auto& v = log.of_task(task);
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    if ((*it)->kind == kind) return *it;
  }
  return nullptr;
}

std::string command_text(const Record& q) {
  return fmt::format("{} command #{} of {}", q.note, q.seq,
                     q.thread ? name_of(*q.thread) : std::string("no thread"));
}

// The blocked task that would run `queued` next: t's worker, the shared worker, t's listener.
const BlockedTaskView* runner_of(const LogIndex& log, const Record& queued) {
  for (const BlockedTaskView& b : log.view().end.blocked) {
    const bool for_thread = queued.thread && b.thread_label == impl::raw(*queued.thread);
    if (queued.note == "worker" &&
        ((b.name == "worker" && for_thread) || b.name == "shared-worker")) {
      return &b;
    }
    if (queued.note == "listener" && b.name == "listener" && for_thread) return &b;
  }
  return nullptr;
}

struct Link {
  std::string text;
  std::optional<std::uint32_t> next;
};

// Where a task waiting on a reply channel is led: the task running its last command.
Link follow_reply(const LogIndex& log, std::uint32_t task) {
  const Record* q = last_of_task(log, task, RecordKind::kCommandQueued);
  if (q == nullptr) return {"", std::nullopt};
  for (const Record& r : log.records()) {
    if (r.index > q->index && r.kind == RecordKind::kCommandRun && r.note == q->note &&
        r.seq == q->seq) {
      return {fmt::format(": its {} (queued at {}) runs on {} since {}", command_text(*q),
                          where(*q), log.describe_task(r.task), where(r)),
              r.task};
    }
  }
  if (const BlockedTaskView* b = runner_of(log, *q)) {
    return {fmt::format(": its {} (queued at {}) waits in the queue of {}, which is busy",
                        command_text(*q), where(*q), log.describe_task(b->task)),
            b->task};
  }
  return {fmt::format(": its {} (queued at {}) was never run", command_text(*q), where(*q)),
          std::nullopt};
}

std::optional<std::uint32_t> joined_task(const BlockedTaskView& b) {
  const auto hash = b.object.find('#');
  if (hash == std::string::npos) return std::nullopt;
  std::uint32_t id = 0;
  const char* first = b.object.data() + hash + 1;
  const char* last = b.object.data() + b.object.size();
  if (std::from_chars(first, last, id).ec != std::errc{}) return std::nullopt;
  return id;
}

}  // namespace

const BlockedTaskView* find_blocked(const LogIndex& log, std::uint32_t task) {
  for (const BlockedTaskView& b : log.view().end.blocked) {
    if (b.task == task) return &b;
  }
  return nullptr;
}

std::string doing(const LogIndex& log, std::uint32_t task) {
  if (const OpPart* p = log.open_part(task)) {
    const Record& r = *p->begin;
    const std::string part = r.phase == Phase::kBackground ? "the background part of " : "";
    if (r.request.client == impl::kNoClient) return fmt::format("in {}{}", part, call_text(r));
    return fmt::format("in {}request {} of c{} {}", part, r.request.index, r.request.client,
                       call_text(r));
  }
  if (const Record* run = last_of_task(log, task, RecordKind::kCommandRun)) {
    return fmt::format("running {}", command_text(*run));
  }
  return "";
}

std::string blocked_line(const LogIndex& log, const BlockedTaskView& b) {
  const std::string cls = class_of(b);
  const bool idle = cls == "worker_queue" || cls == "listener_queue";
  const std::string what = idle ? std::string("idle") : doing(log, b.task);
  std::string line = fmt::format("{}{}{} waits ({}) for {} at {}", log.describe_task(b.task),
                                 what.empty() ? "" : " ", what, b.op, b.object, b.site);
  if (!b.held.empty()) line += fmt::format(", holding {}", fmt::join(b.held, ", "));
  return line;
}

WaitChain wait_chain(const LogIndex& log, std::uint32_t start) {
  WaitChain chain;
  std::set<std::uint32_t> seen;
  std::uint32_t cur = start;
  while (cur != kNoTask && chain.lines.size() < kMaxLinks) {
    const std::uint32_t task = cur;
    cur = kNoTask;
    if (!seen.insert(task).second) {
      chain.lines.push_back(fmt::format("... back to {}: a cycle", log.describe_task(task)));
      break;
    }
    chain.tasks.push_back(task);
    const BlockedTaskView* b = find_blocked(log, task);
    if (b == nullptr) {
      const auto& gone = log.view().end.finished_holders;
      auto f = std::find_if(gone.begin(), gone.end(),
                            [task](const FinishedHolderView& v) { return v.task == task; });
      if (f != gone.end()) {
        chain.lines.push_back(
            fmt::format("{} has already finished, still holding {}: nobody will release it",
                        log.describe_task(task),
                        f->held.empty() ? "it" : fmt::format("{}", fmt::join(f->held, ", "))));
      } else {
        chain.lines.push_back(fmt::format("{} is not blocked", log.describe_task(task)));
      }
      break;
    }
    std::string line = blocked_line(log, *b);
    const std::string cls = class_of(*b);
    if (!b->holders.empty()) {
      std::vector<std::string> names;
      for (std::uint32_t h : b->holders) {
        names.push_back(fmt::format("task {}", h));
        if (cur == kNoTask && h != task) cur = h;
      }
      line += fmt::format(", held by {}", fmt::join(names, ", "));
    } else if (cls == "stall_gate") {
      if (const Record* s = open_stall(log, task)) {
        chain.stall =
            fmt::format("the stall of {}({}) ({}), begun at {}", impl::op_kind_name(s->op),
                        s->thread ? name_of(*s->thread) : "?",
                        impl::stall_kind_name(static_cast<impl::StallKind>(s->detail)), where(*s));
      } else {
        chain.stall = "a stall gate";
      }
      line += fmt::format(": {}", *chain.stall);
    } else if (cls == "reply") {
      Link l = follow_reply(log, task);
      line += l.text;
      cur = l.next.value_or(kNoTask);
    } else if (b->op == "join") {
      cur = joined_task(*b).value_or(kNoTask);
    }
    chain.lines.push_back(std::move(line));
  }
  return chain;
}

}  // namespace lockstep::properties::detail
