// impl/probe.cc: the observation log and its one-line formatting.
#include "impl/probe.h"

#include <fmt/format.h>

#include <utility>

#include "impl/stall.h"

namespace lockstep::impl {

std::string_view record_kind_name(RecordKind k) {
  switch (k) {
    case RecordKind::kTaskStart:
      return "task-start";
    case RecordKind::kTaskEnd:
      return "task-end";
    case RecordKind::kRequestQueued:
      return "request-queued";
    case RecordKind::kOpBegin:
      return "begin";
    case RecordKind::kOpEnd:
      return "end";
    case RecordKind::kEmitted:
      return "emitted";
    case RecordKind::kDelivered:
      return "delivered";
    case RecordKind::kResumeSnapshot:
      return "resume-snapshot";
    case RecordKind::kResolveDelivered:
      return "resolve-delivered";
    case RecordKind::kSubscriberAdded:
      return "subscriber-added";
    case RecordKind::kSubscriberRemoved:
      return "subscriber-removed";
    case RecordKind::kAttachPoint:
      return "attach-point";
    case RecordKind::kCommandQueued:
      return "command-queued";
    case RecordKind::kCommandRun:
      return "command-run";
    case RecordKind::kStallBegin:
      return "stall-begin";
    case RecordKind::kStallEnd:
      return "stall-end";
    case RecordKind::kListenerStarted:
      return "listener-started";
    case RecordKind::kListenerStopped:
      return "listener-stopped";
    case RecordKind::kUnloadStage:
      return "unload";
    case RecordKind::kWorkerCreated:
      return "worker-created";
    case RecordKind::kWorkerTornDown:
      return "worker-torn-down";
    case RecordKind::kPoolEntryAdded:
      return "pool-entry-added";
    case RecordKind::kPoolEntryRemoved:
      return "pool-entry-removed";
    case RecordKind::kPoolWait:
      return "pool-wait";
    case RecordKind::kFinalState:
      return "final-state";
    case RecordKind::kSessionReturned:
      return "session-returned";
    case RecordKind::kPromptBegin:
      return "prompt-begin";
    case RecordKind::kPromptEnd:
      return "prompt-end";
  }
  return "?";
}

std::string_view unload_stage_name(UnloadStage s) {
  switch (s) {
    case UnloadStage::kMarked:
      return "marked-pending";
    case UnloadStage::kStateRemoved:
      return "state-removed";
    case UnloadStage::kShutDown:
      return "shut-down";
    case UnloadStage::kThreadRemoved:
      return "thread-removed";
    case UnloadStage::kWorkerTornDown:
      return "worker-torn-down";
    case UnloadStage::kClosedAnnounced:
      return "closed-announced";
    case UnloadStage::kUnmarked:
      return "unmarked";
  }
  return "?";
}

void Probe::record(Record r) {
  std::function<void(const Record&)> observer;
  {
    std::lock_guard lock(mu_);
    r.index = log_.size();
    auto it = tasks_.find(r.task);
    r.task_label = it == tasks_.end() ? kNoLabel : it->second.label;
    log_.push_back(std::move(r));
    if (!observer_) return;
    observer = observer_;
    r = log_.back();
  }
  observer(r);
}

void Probe::task_started(std::uint32_t task, std::string_view name, std::uint32_t label,
                         std::string detail, std::uint64_t stamp) {
  {
    std::lock_guard lock(mu_);
    tasks_[task] = TaskInfo{task, std::string(name), label, std::move(detail), false};
  }
  Record r;
  r.kind = RecordKind::kTaskStart;
  r.task = task;
  r.stamp = stamp;
  record(std::move(r));
}

void Probe::task_ended(std::uint32_t task, std::uint64_t stamp) {
  Record r;
  r.kind = RecordKind::kTaskEnd;
  r.task = task;
  r.stamp = stamp;
  record(std::move(r));
  std::lock_guard lock(mu_);
  if (auto it = tasks_.find(task); it != tasks_.end()) it->second.ended = true;
}

void Probe::set_observer(std::function<void(const Record&)> observer) {
  std::lock_guard lock(mu_);
  observer_ = std::move(observer);
}

void Probe::set_snapshot_source(std::function<StateSnapshot()> source) {
  std::lock_guard lock(mu_);
  snapshot_source_ = std::move(source);
}

void Probe::clear_snapshot_source() {
  std::lock_guard lock(mu_);
  snapshot_source_ = nullptr;
}

void Probe::capture_snapshot() {
  std::function<StateSnapshot()> source;
  {
    std::lock_guard lock(mu_);
    if (final_ || !snapshot_source_) return;
    source = snapshot_source_;
  }
  set_final_state(source());
}

void Probe::set_final_state(StateSnapshot s) {
  std::lock_guard lock(mu_);
  final_ = std::move(s);
}

std::vector<Record> Probe::records() const {
  std::lock_guard lock(mu_);
  return log_;
}

std::map<std::uint32_t, TaskInfo> Probe::tasks() const {
  std::lock_guard lock(mu_);
  return tasks_;
}

std::optional<StateSnapshot> Probe::final_state() const {
  std::lock_guard lock(mu_);
  return final_;
}

std::size_t Probe::size() const {
  std::lock_guard lock(mu_);
  return log_.size();
}

std::string Probe::format(const Record& r) const {
  auto table = tasks();
  return format_record(r, &table);
}

std::string Probe::dump() const {
  auto table = tasks();
  std::string out;
  for (const auto& r : records()) {
    out += format_record(r, &table);
    out += '\n';
  }
  return out;
}

namespace {

std::string thread_text(const Record& r) {
  return r.thread ? fmt::format("t{}", raw(*r.thread)) : std::string("-");
}
std::string conn_text(const Record& r) {
  return r.connection ? fmt::format("c{}", raw(*r.connection)) : std::string("-");
}

std::string task_text(const Record& r, const std::map<std::uint32_t, TaskInfo>* tasks) {
  std::string out = fmt::format("task {}", r.task);
  if (tasks == nullptr) return out;
  auto it = tasks->find(r.task);
  if (it == tasks->end()) return out;
  out += " " + it->second.name;
  if (it->second.label != kNoLabel) out += fmt::format("[t{}]", it->second.label);
  if (!it->second.detail.empty()) out += "(" + it->second.detail + ")";
  return out;
}

std::string body_text(const Record& r) {
  const std::string t = thread_text(r);
  const std::string c = conn_text(r);
  switch (r.kind) {
    case RecordKind::kTaskStart:
    case RecordKind::kTaskEnd:
      return std::string(record_kind_name(r.kind));
    case RecordKind::kRequestQueued:
    case RecordKind::kOpBegin:
    case RecordKind::kOpEnd: {
      std::string out =
          fmt::format("{} {}{} thread={} conn={}", record_kind_name(r.kind), op_kind_name(r.op),
                      r.phase == Phase::kBackground ? " (background)" : "", t, c);
      if (r.request.client != kNoClient) {
        out += fmt::format(" req=c{}:{}", r.request.client, r.request.index);
      }
      if (r.kind == RecordKind::kOpEnd) out += fmt::format(" -> {}", op_error_name(r.error));
      if (r.kind == RecordKind::kOpEnd && r.seq != 0) out += fmt::format(" seq={}", r.seq);
      return out;
    }
    case RecordKind::kEmitted:
      return fmt::format("emitted {}#{} ({})", t, r.seq, event_kind_name(r.event));
    case RecordKind::kDelivered:
      return fmt::format("delivered {}#{} -> {}", t, r.seq, c);
    case RecordKind::kResumeSnapshot:
      return fmt::format("resume snapshot of {} for {}: [{}]", t, c, fmt::join(r.seqs, ","));
    case RecordKind::kResolveDelivered:
      return fmt::format("resolved {} request #{} -> {}", t, r.seq, c);
    case RecordKind::kStallBegin:
      return fmt::format("stall-begin {} of {} ({})", op_kind_name(r.op), t,
                         stall_kind_name(static_cast<StallKind>(r.detail)));
    case RecordKind::kStallEnd:
      return fmt::format("stall-end {} of {} -> {}", op_kind_name(r.op), t,
                         r.error == OpError::kNone ? "opened" : "closed");
    case RecordKind::kUnloadStage:
      return fmt::format("unload {}: {}", t, unload_stage_name(static_cast<UnloadStage>(r.detail)));
    case RecordKind::kCommandQueued:
    case RecordKind::kCommandRun:
      return fmt::format("{} {} #{} for {}", record_kind_name(r.kind), r.note, r.seq, t);
    case RecordKind::kPoolEntryAdded:
    case RecordKind::kPoolEntryRemoved:
    case RecordKind::kSessionReturned:
    case RecordKind::kPromptBegin:
      return fmt::format("{} {} session #{}", record_kind_name(r.kind), t, r.seq);
    case RecordKind::kPromptEnd:
      return fmt::format("prompt-end {} session #{} -> {}", t, r.seq, op_error_name(r.error));
    default:
      break;
  }
  return fmt::format("{} thread={} conn={}", record_kind_name(r.kind), t, c);
}

}  // namespace

std::string format_record(const Record& r, const std::map<std::uint32_t, TaskInfo>* tasks) {
  std::string out =
      fmt::format("#{} @{} {}: {}", r.index, r.stamp, task_text(r, tasks), body_text(r));
  if (!r.note.empty() && r.kind != RecordKind::kCommandQueued &&
      r.kind != RecordKind::kCommandRun) {
    out += fmt::format(" ({})", r.note);
  }
  return out;
}

}  // namespace lockstep::impl
