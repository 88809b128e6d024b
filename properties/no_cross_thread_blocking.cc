// properties/no_cross_thread_blocking.cc: property 3, no cross-thread blocking.
//
// When the execution can go no further (stuck, or completed), every operation of every
// thread that the workload does not stall (impl::stalled_threads) must have returned: each
// queued client request, each background part (a start's), each direct call. Operations that
// name no thread (connect, disconnect, cleanup-idle) belong to no stalled thread, so they
// count too.
//
// One exemption, from how work arrives (SPEC.md): a connection's requests run in order on its
// own request loop, so a request of a stalled thread that legitimately waits for that thread's
// work (a prompt on its session, a get-or-create of its busy session, an emit, resume, resolve
// or unload waiting for its command on the thread's ordered queue) holds up the requests
// behind it on the same loop: that is the client's own ordering. A start is the exception:
// the current design hands the startup to a background task (codex #13033), so a start that
// keeps its loop (blocking-start) blocks the other threads' requests behind it.
//
// A violation names the first such operation and the wait-for chain from the task that holds
// it up, down to the stall (properties/wait_chain.h).
// The ways the property can be violated, each caught here (a test per way in
// tests/properties/no_cross_thread_blocking_test.cc): when the execution can go no further,
// (a) a request of an unstalled thread began and never returned; (b) a request of an
// unstalled thread never ran, its loop held by a stalled thread's request that must not hold
// it (an inline start); (c) a request naming no thread (connect, disconnect) never ran or never
// returned; (d) the background part of an unstalled thread's start never returned; (e) a
// direct call, such as the cleanup tick's cleanup-idle, never returned.
// Cost: O(requests + chain).
#include <fmt/format.h>

#include <set>

#include "properties/checkers.h"
#include "properties/wait_chain.h"

namespace lockstep::properties::detail {
namespace {

constexpr Property kProp = Property::kNoCrossThreadBlocking;

struct Victim {
  const Record* record = nullptr;  // its queued or begin record
  std::uint32_t task = 0;          // where the chain starts
  std::string what;                // sentence: what never returned, and why
};

std::string stalled_text(const std::set<ThreadId>& stalled) {
  if (stalled.empty()) return "no thread's work is stalled";
  std::vector<std::string> names;
  for (ThreadId t : stalled) names.push_back(name_of(t));
  return fmt::format("only the work of {} is stalled", fmt::join(names, ", "));
}

std::string request_text(const Request& q) {
  const Record& r = q.queued != nullptr ? *q.queued : *q.part.begin;
  return fmt::format("request {} of c{} ({})", q.ref.index, q.ref.client, call_text(r));
}

bool returned(const OpPart& p) { return p.begin != nullptr && p.end != nullptr; }

std::vector<Victim> find_victims(const LogIndex& log, const std::set<ThreadId>& stalled) {
  auto other = [&](const std::optional<ThreadId>& t) { return !t || !stalled.contains(*t); };
  std::vector<Victim> out;
  // Client requests, loop by loop.
  const Request* head = nullptr;
  bool exempt_behind = false;
  for (const auto& [ref, q] : log.requests()) {
    if (head != nullptr && head->ref.client != ref.client) head = nullptr;
    if (q.queued == nullptr && q.part.begin == nullptr) continue;
    const Record& first = q.queued != nullptr ? *q.queued : *q.part.begin;
    if (head == nullptr) {
      if (returned(q.part)) continue;
      head = &q;
      exempt_behind = !other(first.thread) && first.op != OpKind::kStart;
      if (!other(first.thread)) continue;
      const auto loop = log.loop_task(ref.client);
      const std::uint32_t task = q.part.begin ? q.part.begin->task : loop.value_or(first.task);
      out.push_back({q.part.begin ? q.part.begin : &first, task,
                     q.part.begin ? fmt::format("{} began at {} and never returned",
                                                request_text(q), where(*q.part.begin))
                                  : fmt::format("{} never ran", request_text(q))});
      continue;
    }
    if (exempt_behind || !other(first.thread)) continue;
    const auto loop = log.loop_task(ref.client);
    const std::uint32_t task = head->part.begin ? head->part.begin->task : loop.value_or(0);
    out.push_back({&first, task,
                   fmt::format("{} never ran: c{}'s request loop is still in {}, which {}",
                               request_text(q), ref.client, request_text(*head),
                               head->part.begin ? "never returned" : "never ran either")});
  }
  // Background parts and direct calls.
  for (const OpPart& p : log.ops()) {
    const Record& b = *p.begin;
    if (p.end != nullptr || !other(b.thread)) continue;
    if (b.phase == Phase::kRequest && b.request.client != impl::kNoClient) continue;
    out.push_back({&b, b.task,
                   fmt::format("{}{} began at {} and never returned",
                               b.phase == Phase::kBackground ? "the background part of " : "",
                               call_text(b), where(b))});
  }
  return out;
}

}  // namespace

void check_no_cross_thread_blocking(const LogIndex& log, std::vector<Violation>& out) {
  const EndState& end = log.view().end;
  if (end.kind != EndKind::kStuck && end.kind != EndKind::kCompleted) return;
  const std::set<ThreadId> stalled = impl::stalled_threads(log.view().workload);
  const std::vector<Victim> victims = find_victims(log, stalled);
  if (victims.empty()) return;
  const Victim& v = victims.front();
  const WaitChain chain = wait_chain(log, v.task);
  std::string message = fmt::format("When the execution could go no further ({}), {}, yet {}.",
                                    end_kind_name(end.kind), stalled_text(stalled), v.what);
  if (chain.stall) {
    message += fmt::format(" It waits, through the chain below, for {}.", *chain.stall);
  } else if (!chain.lines.empty()) {
    message += " The chain below shows what it waits for.";
  }
  if (victims.size() > 1) {
    message += fmt::format(" {} other operation(s) of unstalled threads never returned either.",
                           victims.size() - 1);
  }
  Violation violation = violation_at(kProp, v.record, std::move(message));
  violation.chain = chain.lines;
  out.push_back(std::move(violation));
}

}  // namespace lockstep::properties::detail
