#include "tests/oracles/reference.h"

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "tests/oracles/reference_code.h"

namespace lockstep::oracles {
namespace {

using reference::compile;
using reference::In;
using reference::Instr;
using reference::is_point;
using reference::point_name;

// ---------------------------------------------------------------- state
constexpr std::int8_t kNobody = -1;
enum class Status : std::uint8_t { kNotStarted, kRunning, kExited };

struct TaskState {
  std::uint16_t pc = 0;
  Status status = Status::kNotStarted;
  bool notified = false;
};

struct RwArrival {
  std::int8_t task;
  bool writer;
};

struct State {
  std::vector<TaskState> tasks;
  std::int8_t holder[3] = {kNobody, kNobody, kNobody};
  std::int8_t rw_writer = kNobody;
  std::uint32_t rw_readers = 0;          // bit per task holding it shared
  std::vector<RwArrival> rw_queue;       // queued arrivals in ticket order
  std::vector<std::int8_t> waiters;      // condition variable FIFO
  std::vector<int> channel;              // FIFO
  std::uint32_t counter[3] = {0, 0, 0};  // c0, c1, crw
  std::uint32_t tokens = 0;
  std::vector<std::uint16_t> labels;
  std::vector<std::vector<int>> seen;

  std::string key() const {
    std::string s;
    auto put = [&s](std::uint32_t v) { s.append(reinterpret_cast<const char*>(&v), sizeof v); };
    for (const TaskState& t : tasks) {
      put(t.pc);
      put(static_cast<std::uint32_t>(t.status) * 2 + (t.notified ? 1 : 0));
    }
    for (std::int8_t h : holder) put(static_cast<std::uint32_t>(h + 1));
    put(static_cast<std::uint32_t>(rw_writer + 1));
    put(rw_readers);
    for (const RwArrival& a : rw_queue) put(static_cast<std::uint32_t>(a.task * 2 + a.writer));
    put(0xffffffffu);
    for (std::int8_t w : waiters) put(static_cast<std::uint32_t>(w));
    put(0xffffffffu);
    for (int v : channel) put(static_cast<std::uint32_t>(v));
    put(0xffffffffu);
    for (std::uint32_t c : counter) put(c);
    put(tokens);
    for (std::uint16_t l : labels) put(l);
    put(0xffffffffu);
    for (const auto& list : seen) {
      for (int v : list) put(static_cast<std::uint32_t>(v));
      put(0xffffffffu);
    }
    return s;
  }
};

// May the request of `task` (writer or reader) enter now? `position` is its place in the
// queue, or the queue's size for a request arriving now.
bool may_enter(const State& s, std::size_t position, bool writer) {
  if (s.rw_writer != kNobody || (writer && s.rw_readers != 0)) return false;
  for (std::size_t i = 0; i < position; ++i) {
    if (writer || s.rw_queue[i].writer) return false;
  }
  return true;
}

std::size_t queue_position(const State& s, std::size_t task) {
  for (std::size_t i = 0; i < s.rw_queue.size(); ++i) {
    if (static_cast<std::size_t>(s.rw_queue[i].task) == task) return i;
  }
  return s.rw_queue.size();
}

void take_rw(State& s, std::size_t task, bool writer) {
  if (writer) {
    s.rw_writer = static_cast<std::int8_t>(task);
  } else {
    s.rw_readers |= 1u << task;
  }
}

class Explorer {
 public:
  explicit Explorer(const Program& p) : p_(p) {
    for (std::size_t k = 0; k < p.tasks.size(); ++k) code_.push_back(compile(p, k));
  }

  ReferenceOutcomes run() {
    State s;
    s.tasks.resize(p_.tasks.size());
    s.seen.resize(p_.tasks.size());
    s.tasks[0].status = Status::kRunning;
    out_.paths = visit(s);
    out_.states = visited_.size();
    return std::move(out_);
  }

 private:
  bool enabled(const State& s, std::size_t k) const {
    const TaskState& t = s.tasks[k];
    if (t.status != Status::kRunning) return false;
    const Instr& in = code_[k][t.pc];
    switch (in.kind) {
      case In::kLock:
        return s.holder[in.a] == kNobody;
      case In::kRwEnter:
        return may_enter(s, queue_position(s, k), in.a == 1);
      case In::kRecv:
        return !s.channel.empty();
      case In::kWake:
        return t.notified;
      case In::kJoin:
        return s.tasks[in.a].status == Status::kExited;
      default:
        return true;
    }
  }

  // Performs task k's transition, then its local code up to its next point.
  void step(State& s, std::size_t k) const {
    TaskState& t = s.tasks[k];
    const Instr in = code_[k][t.pc];
    ++t.pc;
    switch (in.kind) {
      case In::kLock:
        s.holder[in.a] = static_cast<std::int8_t>(k);
        break;
      case In::kUnlock:
        s.holder[in.a] = kNobody;
        break;
      case In::kRwArrive:
        if (may_enter(s, s.rw_queue.size(), in.a == 1)) {
          take_rw(s, k, in.a == 1);
          ++t.pc;  // skip kRwEnter
        } else {
          s.rw_queue.push_back({static_cast<std::int8_t>(k), in.a == 1});
        }
        break;
      case In::kRwEnter:
        s.rw_queue.erase(s.rw_queue.begin() + static_cast<std::ptrdiff_t>(queue_position(s, k)));
        take_rw(s, k, in.a == 1);
        break;
      case In::kRwRelease:
        if (in.a == 1) {
          s.rw_writer = kNobody;
        } else {
          s.rw_readers &= ~(1u << k);
        }
        break;
      case In::kLabel:
        s.labels.push_back(in.a);
        break;
      case In::kSend:
        s.channel.push_back(in.a);
        break;
      case In::kRecv:
        s.seen[k].push_back(s.channel.front());
        s.channel.erase(s.channel.begin());
        break;
      case In::kNotify:
        if (p_.notify_all) {
          for (std::int8_t w : s.waiters) s.tasks[static_cast<std::size_t>(w)].notified = true;
          s.waiters.clear();
        } else if (!s.waiters.empty()) {
          s.tasks[static_cast<std::size_t>(s.waiters.front())].notified = true;
          s.waiters.erase(s.waiters.begin());
        }
        break;
      case In::kWait:
        s.holder[2] = kNobody;
        s.waiters.push_back(static_cast<std::int8_t>(k));
        t.notified = false;
        break;
      case In::kWake:
        t.notified = false;
        break;
      case In::kSpawn:
        s.tasks[in.a].status = Status::kRunning;
        break;
      case In::kJoin:
        break;
      case In::kExit:
        t.status = Status::kExited;
        return;
      default:
        break;
    }
    for (;;) {
      const Instr& local = code_[k][t.pc];
      if (is_point(local.kind)) return;
      switch (local.kind) {
        case In::kUpdate:
          s.counter[local.a] = updated(s.counter[local.a], k);
          ++t.pc;
          break;
        case In::kObserveRw:
          s.seen[k].push_back(static_cast<int>(s.counter[2]));
          ++t.pc;
          break;
        case In::kIfTokens:
          t.pc = s.tokens > 0 ? local.a : t.pc + 1;
          break;
        case In::kJump:
          t.pc = local.a;
          break;
        case In::kTakeToken:
          --s.tokens;
          s.seen[k].push_back(static_cast<int>(s.tokens));
          ++t.pc;
          break;
        case In::kAddToken:
          ++s.tokens;
          ++t.pc;
          break;
        default:
          return;
      }
    }
  }

  // Returns the number of maximal paths from `s` (saturating): how many executions an
  // exhaustive search over the same points would run.
  std::uint64_t visit(const State& s) {
    const std::string key = s.key();
    if (auto it = visited_.find(key); it != visited_.end()) return it->second;
    std::uint64_t paths = 0;
    bool any = false;
    for (std::size_t k = 0; k < s.tasks.size(); ++k) {
      if (!enabled(s, k)) continue;
      any = true;
      State next = s;
      const Instr& in = code_[k][s.tasks[k].pc];
      path_.push_back("t" + std::to_string(k) + " " + point_name(in.kind) +
                      (in.kind == In::kLock || in.kind == In::kUnlock
                           ? (in.a == 2 ? " mc" : " m" + std::to_string(in.a))
                           : ""));
      step(next, k);
      paths = std::min(kPathLimit, paths + visit(next));
      path_.pop_back();
    }
    if (!any) {
      record(s);
      paths = 1;
    }
    visited_.emplace(key, paths);
    return paths;
  }

  void record(const State& s) {
    Outcome o;
    o.end = std::all_of(s.tasks.begin(), s.tasks.end(),
                        [](const TaskState& t) { return t.status == Status::kExited; })
                ? End::kCompleted
                : End::kStuck;
    if (o.end == End::kStuck) ++out_.stuck_states;
    o.c0 = s.counter[0];
    o.c1 = s.counter[1];
    o.crw = s.counter[2];
    o.tokens = s.tokens;
    o.labels = s.labels;
    o.seen = s.seen;
    if (out_.outcomes.count(o.str()) != 0) return;
    std::string w;
    for (const std::string& step : path_) w += (w.empty() ? "" : ", ") + step;
    out_.outcomes.emplace(o.str(), w);
  }

  const Program& p_;
  std::vector<std::vector<Instr>> code_;
  static constexpr std::uint64_t kPathLimit = std::uint64_t{1} << 62;
  std::unordered_map<std::string, std::uint64_t> visited_;  // state -> paths from it
  std::vector<std::string> path_;
  ReferenceOutcomes out_;
};

}  // namespace

ReferenceOutcomes reference_outcomes(const Program& p) { return Explorer(p).run(); }

}  // namespace lockstep::oracles
