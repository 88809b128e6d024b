// tests/impl/choreo.h: force an interleaving on OS threads through the probe's observer.
//
// A rule "hold(when, until)" makes the task that writes a record matching `when` wait, right
// after writing it, until some record matching `until` has been written (before or after).
// Rules fire once. Only records written with no lock held may be held (impl/probe.h). A hold
// that is never satisfied gives up after `kHoldLimit` and is reported by `timed_out()`, so a
// wrong scenario fails instead of hanging the suite.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "impl/probe.h"

namespace lockstep::impl::testing {

using Pred = std::function<bool(const Record&)>;

class Choreo {
 public:
  static constexpr std::chrono::seconds kHoldLimit{20};

  explicit Choreo(Probe& probe) {
    probe.set_observer([this](const Record& r) { on_record(r); });
  }

  void hold(Pred when, Pred until) {
    std::lock_guard lock(mu_);
    rules_.push_back(Rule{std::move(when), std::move(until), false});
  }

  // Test thread: waits until a record matching `p` was written (false after `limit`).
  bool wait_for(const Pred& p, std::chrono::seconds limit = kHoldLimit) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return seen_locked(p); });
  }

  bool seen(const Pred& p) {
    std::lock_guard lock(mu_);
    return seen_locked(p);
  }

  bool timed_out() {
    std::lock_guard lock(mu_);
    return timed_out_;
  }

 private:
  struct Rule {
    Pred when;
    Pred until;
    bool fired;
  };

  void on_record(const Record& r) {
    std::unique_lock lock(mu_);
    seen_.push_back(r);
    cv_.notify_all();
    for (auto& rule : rules_) {
      if (rule.fired || !rule.when(r)) continue;
      rule.fired = true;
      Pred until = rule.until;
      if (!cv_.wait_for(lock, kHoldLimit, [&] { return seen_locked(until); })) timed_out_ = true;
    }
  }

  bool seen_locked(const Pred& p) const {
    for (const auto& r : seen_) {
      if (p(r)) return true;
    }
    return false;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Record> seen_;
  std::vector<Rule> rules_;
  bool timed_out_ = false;
};

// Predicates.
inline Pred op_begin(OpKind op, ThreadId t, Phase phase = Phase::kRequest) {
  return [=](const Record& r) {
    return r.kind == RecordKind::kOpBegin && r.op == op && r.thread == t && r.phase == phase;
  };
}
inline Pred op_end(OpKind op, std::optional<ThreadId> t, Phase phase = Phase::kRequest) {
  return [=](const Record& r) {
    return r.kind == RecordKind::kOpEnd && r.op == op && (!t || r.thread == t) && r.phase == phase;
  };
}
inline Pred op_begin_conn(OpKind op, ConnectionId c) {
  return [=](const Record& r) {
    return r.kind == RecordKind::kOpBegin && r.op == op && r.connection == c;
  };
}
inline Pred op_end_conn(OpKind op, ConnectionId c) {
  return [=](const Record& r) {
    return r.kind == RecordKind::kOpEnd && r.op == op && r.connection == c;
  };
}
inline Pred kind_for(RecordKind k, ThreadId t) {
  return [=](const Record& r) { return r.kind == k && r.thread == t; };
}
inline Pred unload_stage(ThreadId t, UnloadStage s) {
  return [=](const Record& r) {
    return r.kind == RecordKind::kUnloadStage && r.thread == t &&
           r.detail == static_cast<std::uint8_t>(s);
  };
}

}  // namespace lockstep::impl::testing
