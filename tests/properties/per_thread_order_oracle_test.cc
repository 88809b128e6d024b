// tests/properties/per_thread_order_oracle_test.cc: the per-thread-order checker's verdict on
// event deliveries against a brute-force definition, on small generated logs.
//
// The generator plays one or two threads and two connections: emits, a listener that takes
// its queue in order (an event goes to the subscribers of that moment, a resume attaches and
// hands over the history), subscribes, unsubscribes and disconnects, resumes. Then it may
// corrupt the log: duplicate, drop or swap deliveries, damage or move a resume's history,
// drop an unsubscribe, or let a resume subscribe before it takes the history (the mistake the
// old checker missed). Emitted records are never corrupted and stay in emission order.
//
// brute_force() below is the property written out directly over every pair and every window
// (quadratic, no shared code with the checker): the checker's verdict must equal it.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <random>

#include "tests/properties/log_builder.h"

namespace lockstep::properties::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// The brute-force definition. For each thread t and connection c:
// (1) c's live deliveries of t strictly increase;
// (2) two consecutive live deliveries x then y > x+1 are a gap unless c left t (a removed
//     record) after x was emitted and before y arrived (x and x+1 must have been emitted);
// (3) the first delivery after c joined t (with no removal in between) is no later than the
//     first event emitted after the join;
// (4) each resume snapshot S has an attach point A: the last add of (t, c) noted "resume"
//     after both the latest resume(c, t) begin and the previous snapshot of (t, c) before S
//     (if either exists), else S. Its window is: live deliveries in (A, S), then the history,
//     then live deliveries after S and before the next snapshot's attach point. In a window,
//     every earlier item is below every later one; and an item y after x with y > x+1 is a gap,
//     always when y is in the history, and when y is live unless c left t between A (x in the
//     history) or x's emission (x live) and y, or x+1 was never emitted.
// A log violates the property iff one of these fails.

bool is(const Record& r, RecordKind k, ThreadId th, ConnectionId cn) {
  return r.kind == k && r.thread == th && r.connection == cn;
}

std::optional<std::uint64_t> emitted_at(const std::vector<Record>& log, ThreadId th,
                                        std::uint64_t seq) {
  for (const Record& r : log) {
    if (r.kind == RecordKind::kEmitted && r.thread == th && r.seq == seq) return r.index;
  }
  return std::nullopt;
}

bool left_between(const std::vector<Record>& log, ThreadId th, ConnectionId cn, std::uint64_t lo,
                  std::uint64_t hi) {
  for (const Record& r : log) {
    if (r.index > lo && r.index < hi && is(r, RecordKind::kSubscriberRemoved, th, cn)) return true;
  }
  return false;
}

struct Item {
  std::uint64_t seq;
  bool live;
  std::uint64_t index;
};

bool brute_force(const std::vector<Record>& log, std::uint32_t threads) {
  for (std::uint32_t ti = 0; ti < threads; ++ti) {
    for (std::uint32_t ci = 0; ci < 2; ++ci) {
      const ThreadId th = t(ti);
      const ConnectionId cn = c(ci);
      std::vector<Item> live;
      for (const Record& r : log) {
        if (is(r, RecordKind::kDelivered, th, cn)) live.push_back({r.seq, true, r.index});
      }
      // (1)
      for (std::size_t i = 0; i < live.size(); ++i) {
        for (std::size_t j = i + 1; j < live.size(); ++j) {
          if (live[i].seq >= live[j].seq) return true;
        }
      }
      // (2)
      for (std::size_t i = 0; i + 1 < live.size(); ++i) {
        if (live[i + 1].seq <= live[i].seq + 1) continue;
        const auto e = emitted_at(log, th, live[i].seq);
        const auto m = emitted_at(log, th, live[i].seq + 1);
        if (e && m && !left_between(log, th, cn, *e, live[i + 1].index)) return true;
      }
      // (3)
      for (const Record& a : log) {
        if (!is(a, RecordKind::kSubscriberAdded, th, cn)) continue;
        const Item* d = nullptr;
        for (const Item& x : live) {
          if (x.index > a.index) {
            d = &x;
            break;
          }
        }
        if (d == nullptr || left_between(log, th, cn, a.index, d->index)) continue;
        for (const Record& e : log) {
          if (e.index > a.index && e.kind == RecordKind::kEmitted && e.thread == th &&
              e.seq < d->seq) {
            return true;
          }
        }
      }
      // (4)
      std::vector<const Record*> snaps;
      for (const Record& r : log) {
        if (is(r, RecordKind::kResumeSnapshot, th, cn)) snaps.push_back(&r);
      }
      std::vector<std::uint64_t> attach(snaps.size());
      for (std::size_t k = 0; k < snaps.size(); ++k) {
        std::optional<std::uint64_t> lo;
        if (k > 0) lo = snaps[k - 1]->index;
        for (const Record& r : log) {
          if (r.index < snaps[k]->index && r.kind == RecordKind::kOpBegin &&
              r.op == OpKind::kResume && r.thread == th && r.connection == cn) {
            lo = std::max(lo.value_or(0), r.index);
          }
        }
        attach[k] = snaps[k]->index;
        if (!lo) continue;
        for (const Record& r : log) {
          if (r.index > *lo && r.index < snaps[k]->index &&
              is(r, RecordKind::kSubscriberAdded, th, cn) && r.note == "resume") {
            attach[k] = r.index;
          }
        }
      }
      for (std::size_t k = 0; k < snaps.size(); ++k) {
        const std::uint64_t a = attach[k];
        const std::uint64_t s = snaps[k]->index;
        const std::uint64_t end = k + 1 < snaps.size() ? attach[k + 1] : ~0ull;
        std::vector<Item> w;
        for (const Item& x : live) {
          if (x.index > a && x.index < s) w.push_back(x);
        }
        for (std::uint64_t h : snaps[k]->seqs) w.push_back({h, false, s});
        for (const Item& x : live) {
          if (x.index > s && x.index < end) w.push_back(x);
        }
        for (std::size_t i = 0; i < w.size(); ++i) {
          for (std::size_t j = i + 1; j < w.size(); ++j) {
            if (w[i].seq >= w[j].seq) return true;
          }
        }
        for (std::size_t i = 0; i + 1 < w.size(); ++i) {
          if (w[i + 1].seq <= w[i].seq + 1) continue;
          if (!w[i + 1].live) return true;
          const auto from = w[i].live ? emitted_at(log, th, w[i].seq) : std::optional(a);
          const auto m = emitted_at(log, th, w[i].seq + 1);
          if (from && m && !left_between(log, th, cn, *from, w[i + 1].index)) return true;
        }
      }
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The generator. `choose(n)` returns a number in [0, n].

using Choose = std::function<std::uint32_t(std::uint32_t)>;

enum Corruption : std::uint32_t {
  kNone,
  kDuplicateDelivery,
  kDropDelivery,
  kSwapDeliveries,
  kDamageHistory,
  kMoveSnapshot,
  kDropRemoval,
  kSubscribeBeforeHistory,
  kCorruptionCount,
};

struct Generated {
  std::vector<Record> records;
  std::uint32_t threads = 1;
  std::uint32_t corruption = kNone;
};

struct ThreadSim {
  std::uint64_t next = 1;
  std::vector<std::uint64_t> history;
  bool subscribed[2] = {false, false};
  // Queue entries: event seq, or a resume of connection (1000 + c).
  std::deque<std::uint64_t> queue;
};

Generated generate(const Choose& choose) {
  Generated g;
  g.threads = 1 + choose(1);
  g.corruption = choose(kCorruptionCount - 1);
  LogBuilder b;
  const auto loop0 = b.client_loop(0);
  const auto loop1 = b.client_loop(1);
  const std::uint32_t loops[2] = {loop0, loop1};
  std::vector<std::uint32_t> listeners;
  std::vector<ThreadSim> sims(g.threads);
  for (std::uint32_t i = 0; i < g.threads; ++i) listeners.push_back(b.task("listener", t(i)));
  const bool early_attach = g.corruption == kSubscribeBeforeHistory;
  const std::uint32_t steps = 6 + choose(34);
  for (std::uint32_t step = 0; step < steps; ++step) {
    const std::uint32_t ti = choose(g.threads - 1);
    const std::uint32_t ci = choose(1);
    ThreadSim& s = sims[ti];
    switch (choose(9)) {
      case 0:
      case 1:
        b.emitted(listeners[ti], t(ti), s.next);
        s.queue.push_back(s.next++);
        break;
      case 2:
      case 3:
      case 8: {  // the listener takes one queue entry
        if (s.queue.empty()) break;
        const std::uint64_t q = s.queue.front();
        s.queue.pop_front();
        if (q < 1000) {
          s.history.push_back(q);
          for (std::uint32_t k = 0; k < 2; ++k) {
            if (s.subscribed[k]) b.delivered(listeners[ti], t(ti), c(k), q);
          }
          break;
        }
        const std::uint32_t k = static_cast<std::uint32_t>(q - 1000);
        if (!s.subscribed[k]) {
          b.added(listeners[ti], t(ti), c(k), "resume");
          s.subscribed[k] = true;
        }
        b.snapshot(listeners[ti], t(ti), c(k), s.history);
        b.end(loops[k], OpKind::kResume, t(ti), c(k));
        break;
      }
      case 4:
        if (!s.subscribed[ci]) {
          b.added(loops[ci], t(ti), c(ci), "subscribe");
          s.subscribed[ci] = true;
        }
        break;
      case 5:
      case 9:
        if (s.subscribed[ci]) {
          b.removed(loops[ci], t(ti), c(ci), choose(1) == 0 ? "unsubscribe" : "disconnect");
          s.subscribed[ci] = false;
        }
        break;
      case 6:
      case 7: {
        const bool pending = std::any_of(s.queue.begin(), s.queue.end(),
                                         [&](std::uint64_t q) { return q == 1000 + ci; });
        if (pending) break;
        b.begin(loops[ci], OpKind::kResume, t(ti), c(ci));
        if (early_attach && !s.subscribed[ci]) {
          b.added(loops[ci], t(ti), c(ci), "resume");
          s.subscribed[ci] = true;
        }
        s.queue.push_back(1000 + ci);
        break;
      }
    }
  }
  std::vector<Record>& log = b.records;
  auto indices_of = [&log](RecordKind k) {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < log.size(); ++i) {
      if (log[i].kind == k) out.push_back(i);
    }
    return out;
  };
  const auto deliveries = indices_of(RecordKind::kDelivered);
  const auto snaps = indices_of(RecordKind::kResumeSnapshot);
  const auto removals = indices_of(RecordKind::kSubscriberRemoved);
  auto pick = [&choose](const std::vector<std::size_t>& v) {
    return v[choose(static_cast<std::uint32_t>(v.size() - 1))];
  };
  switch (g.corruption) {
    case kDuplicateDelivery:
      if (!deliveries.empty()) {
        const std::size_t i = pick(deliveries);
        const Record copy = log[i];
        const std::size_t at = i + 1 + choose(static_cast<std::uint32_t>(log.size() - i - 1));
        log.insert(log.begin() + static_cast<std::ptrdiff_t>(at), copy);
      }
      break;
    case kDropDelivery:
      if (!deliveries.empty())
        log.erase(log.begin() + static_cast<std::ptrdiff_t>(pick(deliveries)));
      break;
    case kSwapDeliveries:
      if (deliveries.size() >= 2) std::swap(log[pick(deliveries)], log[pick(deliveries)]);
      break;
    case kDamageHistory:
      if (!snaps.empty()) {
        auto& h = log[pick(snaps)].seqs;
        const std::uint32_t how = choose(3);
        if (h.empty() || how == 0) {
          h.push_back(h.empty() ? 1 : h.back() + 1);
        } else if (how == 1) {
          h.erase(h.begin() + choose(static_cast<std::uint32_t>(h.size() - 1)));
        } else if (how == 2) {
          const std::size_t i = choose(static_cast<std::uint32_t>(h.size() - 1));
          h.insert(h.begin() + static_cast<std::ptrdiff_t>(i), h[i]);
        } else {
          h.pop_back();
        }
      }
      break;
    case kMoveSnapshot:
      if (!snaps.empty()) {
        const std::size_t i = pick(snaps);
        const Record r = log[i];
        log.erase(log.begin() + static_cast<std::ptrdiff_t>(i));
        const std::size_t at = choose(static_cast<std::uint32_t>(log.size()));
        log.insert(log.begin() + static_cast<std::ptrdiff_t>(at), r);
      }
      break;
    case kDropRemoval:
      if (!removals.empty()) log.erase(log.begin() + static_cast<std::ptrdiff_t>(pick(removals)));
      break;
    default:
      break;
  }
  for (std::size_t i = 0; i < log.size(); ++i) log[i].index = log[i].stamp = i;
  g.records = std::move(log);
  return g;
}

bool checker_violates(const std::vector<Record>& records) {
  impl::Workload workload;
  const std::map<std::uint32_t, impl::TaskInfo> tasks;
  const std::optional<impl::StateSnapshot> none;
  const ExecutionView view{workload, impl::DesignVariant::kCurrent, records, tasks, none, {}};
  CheckOptions o;
  o.properties = {Property::kPerThreadOrder};
  return !check_execution(view, o).empty();
}

std::uint32_t rc_choose(std::uint32_t bound) {
  return *rc::gen::resize(100, rc::gen::inRange<std::uint32_t>(0, bound + 1));
}

RC_GTEST_PROP(PerThreadOrderOracle, CheckerAgreesWithBruteForce, ()) {
  const Generated g = generate(rc_choose);
  const bool expected = brute_force(g.records, g.threads);
  RC_CLASSIFY(expected, "violates");
  RC_CLASSIFY(!expected, "holds");
  RC_TAG(g.corruption);
  RC_ASSERT(checker_violates(g.records) == expected);
}

// The same agreement on a fixed series, which also shows that the generator reaches both
// verdicts under every corruption, and that the uncorrupted logs (the listener as the current
// design runs it) all pass.
TEST(PerThreadOrderOracle, FixedSeriesReachesBothVerdictsAndAgrees) {
  std::mt19937_64 rng(20261205);
  const Choose choose = [&rng](std::uint32_t bound) {
    return static_cast<std::uint32_t>(rng() % (static_cast<std::uint64_t>(bound) + 1));
  };
  std::uint32_t holds[kCorruptionCount] = {};
  std::uint32_t violates[kCorruptionCount] = {};
  for (int i = 0; i < 3000; ++i) {
    const Generated g = generate(choose);
    const bool expected = brute_force(g.records, g.threads);
    ASSERT_EQ(checker_violates(g.records), expected) << "case " << i;
    ++(expected ? violates : holds)[g.corruption];
  }
  EXPECT_EQ(violates[kNone], 0u);
  EXPECT_GT(holds[kNone], 100u);
  for (std::uint32_t k = kDuplicateDelivery; k < kCorruptionCount; ++k) {
    EXPECT_GT(violates[k], 10u) << "corruption " << k;
  }
}

}  // namespace
}  // namespace lockstep::properties::testing
