// properties/log_index.cc: building the shared index over an observation log.
#include "properties/log_index.h"

#include <fmt/format.h>

#include <algorithm>

namespace lockstep::properties::detail {

std::string name_of(ThreadId t) { return fmt::format("t{}", impl::raw(t)); }
std::string name_of(ConnectionId c) { return fmt::format("c{}", impl::raw(c)); }

std::string where(const Record& r) { return fmt::format("#{} @{}", r.index, r.stamp); }

std::string call_text(const Record& r) {
  // Ops that act for a connection name it; the others act on a thread only (a queued request
  // still carries its loop's connection).
  bool for_connection = false;
  switch (r.op) {
    case OpKind::kConnect:
    case OpKind::kDisconnect:
    case OpKind::kStart:
    case OpKind::kSubscribe:
    case OpKind::kUnsubscribe:
    case OpKind::kResume:
      for_connection = true;
      break;
    default:
      break;
  }
  std::vector<std::string> args;
  if (r.connection && for_connection) args.push_back(name_of(*r.connection));
  if (r.thread) args.push_back(name_of(*r.thread));
  if (args.empty()) return std::string(impl::op_kind_name(r.op));
  return fmt::format("{}({})", impl::op_kind_name(r.op), fmt::join(args, ", "));
}

std::string time_text(std::int64_t ns) {
  const std::int64_t ms = ns / 1'000'000;
  return fmt::format("{}:{:02}.{:03}", ms / 60'000, (ms / 1000) % 60, ms % 1000);
}

bool is_stage(const Record& r, UnloadStage s) {
  return r.kind == RecordKind::kUnloadStage && r.detail == static_cast<std::uint8_t>(s);
}

LogIndex::LogIndex(const ExecutionView& view) : view_(view) {
  for (const Record& r : view.records) {
    by_task_[r.task].push_back(&r);
    switch (r.kind) {
      case RecordKind::kOpBegin: {
        open_[r.task].push_back(ops_.size());
        ops_.push_back(OpPart{&r, nullptr});
        if (r.request.client != impl::kNoClient) {
          Request& q = requests_[r.request];
          q.ref = r.request;
          (r.phase == Phase::kRequest ? q.part : q.background).begin = &r;
        }
        break;
      }
      case RecordKind::kOpEnd: {
        auto& stack = open_[r.task];
        // The innermost open part of this task with the same operation and phase.
        for (auto it = stack.rbegin(); it != stack.rend(); ++it) {
          OpPart& p = ops_[*it];
          if (p.begin->op == r.op && p.begin->phase == r.phase) {
            p.end = &r;
            stack.erase(std::next(it).base());
            break;
          }
        }
        if (r.request.client != impl::kNoClient) {
          auto q = requests_.find(r.request);
          if (q != requests_.end()) {
            (r.phase == Phase::kRequest ? q->second.part : q->second.background).end = &r;
          }
        }
        break;
      }
      case RecordKind::kRequestQueued: {
        Request& q = requests_[r.request];
        q.ref = r.request;
        q.queued = &r;
        loops_.emplace(r.request.client, r.task);
        break;
      }
      case RecordKind::kSubscriberAdded:
      case RecordKind::kSubscriberRemoved:
        if (r.thread && r.connection) subs_[{*r.thread, *r.connection}].emplace_back(r.index, &r);
        break;
      case RecordKind::kEmitted:
        if (r.thread) emitted_.emplace(std::make_pair(*r.thread, r.seq), &r);
        break;
      default:
        break;
    }
  }
}

std::uint64_t LogIndex::last_index() const {
  return view_.records.empty() ? 0 : view_.records.back().index;
}

bool LogIndex::subscribed_before(ThreadId t, ConnectionId c, std::uint64_t index) const {
  const Record* r = last_change(t, c, index);
  return r != nullptr && r->kind == RecordKind::kSubscriberAdded;
}

std::set<ConnectionId> LogIndex::subscribers_before(ThreadId t, std::uint64_t index) const {
  std::set<ConnectionId> out;
  for (const auto& [key, changes] : subs_) {
    if (key.first == t && subscribed_before(t, key.second, index)) out.insert(key.second);
  }
  return out;
}

const Record* LogIndex::first_change(ThreadId t, ConnectionId c, std::uint64_t after,
                                     std::uint64_t before, std::optional<bool> added) const {
  auto it = subs_.find({t, c});
  if (it == subs_.end()) return nullptr;
  const auto& v = it->second;
  auto pos = std::upper_bound(v.begin(), v.end(), after,
                              [](std::uint64_t x, const auto& e) { return x < e.first; });
  for (; pos != v.end() && pos->first < before; ++pos) {
    const bool is_add = pos->second->kind == RecordKind::kSubscriberAdded;
    if (!added || *added == is_add) return pos->second;
  }
  return nullptr;
}

const Record* LogIndex::last_change(ThreadId t, ConnectionId c, std::uint64_t before) const {
  auto it = subs_.find({t, c});
  if (it == subs_.end()) return nullptr;
  const auto& v = it->second;
  auto pos = std::lower_bound(v.begin(), v.end(), before,
                              [](const auto& e, std::uint64_t x) { return e.first < x; });
  return pos == v.begin() ? nullptr : std::prev(pos)->second;
}

std::set<std::pair<ThreadId, ConnectionId>> LogIndex::subscription_pairs() const {
  std::set<std::pair<ThreadId, ConnectionId>> out;
  for (const auto& [key, changes] : subs_) out.insert(key);
  return out;
}

std::vector<ListenerLife> LogIndex::listener_lives() const {
  std::vector<ListenerLife> out;
  std::map<ThreadId, std::uint64_t> last_stop;
  for (const Record& r : view_.records) {
    if (!r.thread) continue;
    if (r.kind == RecordKind::kListenerStopped) last_stop[*r.thread] = r.index;
    if (r.kind != RecordKind::kListenerStarted) continue;
    auto s = last_stop.find(*r.thread);
    out.push_back({&r, s == last_stop.end() ? 0 : s->second});
  }
  return out;
}

const Record* LogIndex::emitted(ThreadId t, EventSeq seq) const {
  auto it = emitted_.find({t, seq});
  return it == emitted_.end() ? nullptr : it->second;
}

const Record* LogIndex::previous_of_task(std::uint32_t task, std::uint64_t index) const {
  const auto& v = of_task(task);
  auto pos = std::lower_bound(v.begin(), v.end(), index,
                              [](const Record* r, std::uint64_t x) { return r->index < x; });
  return pos == v.begin() ? nullptr : *std::prev(pos);
}

const std::vector<const Record*>& LogIndex::of_task(std::uint32_t task) const {
  static const std::vector<const Record*> kNone;
  auto it = by_task_.find(task);
  return it == by_task_.end() ? kNone : it->second;
}

std::optional<std::uint32_t> LogIndex::loop_task(std::uint32_t client) const {
  auto it = loops_.find(client);
  if (it == loops_.end()) return std::nullopt;
  return it->second;
}

std::string LogIndex::describe_task(std::uint32_t task) const {
  auto it = view_.tasks.find(task);
  if (it == view_.tasks.end()) return fmt::format("task {}", task);
  const impl::TaskInfo& info = it->second;
  std::string what = info.name;
  if (info.name == "client" && !info.detail.empty()) {
    what = fmt::format("request loop of {}", info.detail);
  } else if (info.label != impl::kNoLabel) {
    what = fmt::format("{} of t{}", info.name, info.label);
    if (!info.detail.empty()) what += fmt::format(" for {}", info.detail);
  } else if (!info.detail.empty()) {
    what += fmt::format(" {}", info.detail);
  }
  return fmt::format("task {} ({})", task, what);
}

const OpPart* LogIndex::open_part(std::uint32_t task) const {
  auto it = open_.find(task);
  if (it == open_.end() || it->second.empty()) return nullptr;
  return &ops_[it->second.back()];
}

}  // namespace lockstep::properties::detail
