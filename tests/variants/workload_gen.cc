// tests/variants/workload_gen.cc: the biased workload generator (see the header).
#include "tests/variants/workload_gen.h"

#include <chrono>
#include <map>

namespace lockstep::traces {

using impl::DesignVariant;
using impl::EventKind;
using impl::OpKind;
using impl::Stall;
using impl::StallKind;
using impl::Workload;
using impl::WorkloadOp;

Bias bias_for(DesignVariant v) {
  Bias b;
  std::map<OpKind, std::size_t> w;
  for (int k = 0; k <= static_cast<int>(OpKind::kCleanupIdle); ++k) w[static_cast<OpKind>(k)] = 1;
  std::map<StallKind, std::size_t> s{{StallKind::kNone, 6},
                                     {StallKind::kHangForever, 1},
                                     {StallKind::kHangFor, 1},
                                     {StallKind::kAgentDies, 1}};
  switch (v) {
    case DesignVariant::kCurrent:
      break;
    case DesignVariant::kSplitLockDomains:  // a start's late auto-attach races a disconnect
      w[OpKind::kStart] = 6;
      w[OpKind::kDisconnect] = 5;
      w[OpKind::kSubscribe] = 2;
      w[OpKind::kEmit] = 2;
      s[StallKind::kNone] = 12;
      break;
    case DesignVariant::kBlockingStart:  // a hung start, then the loop's next request
    case DesignVariant::kSingleWorker:   // a hung start, another thread's turn
      w[OpKind::kStart] = 6;
      w[OpKind::kEmit] = 3;
      w[OpKind::kSubscribe] = 2;
      s[StallKind::kHangForever] = 4;
      break;
    case DesignVariant::kLeakyWorkers:  // start, then unload: the worker must go
      w[OpKind::kStart] = 5;
      w[OpKind::kUnload] = 5;
      w[OpKind::kEmit] = 2;
      break;
    case DesignVariant::kGlobalPoolLock:       // an endless prompt, a session for another thread
    case DesignVariant::kReadLockAcrossAwait:  // a busy session's lookup, then a new session
      w[OpKind::kGetOrCreate] = 8;
      w[OpKind::kPrompt] = 5;
      s[StallKind::kHangForever] = 5;
      break;
    case DesignVariant::kCleanupUnderWriteLock:  // cleanup while a prompt holds its connection
      w[OpKind::kGetOrCreate] = 6;
      w[OpKind::kPrompt] = 5;
      w[OpKind::kCleanupIdle] = 4;
      s[StallKind::kHangForever] = 5;
      b.cleanup_tick_weight = 3;
      break;
    case DesignVariant::kNoUnloadGuard:  // subscribe or resume races an unload
      w[OpKind::kStart] = 3;
      w[OpKind::kUnload] = 4;
      w[OpKind::kSubscribe] = 4;
      w[OpKind::kResume] = 3;
      w[OpKind::kUnsubscribe] = 3;
      break;
  }
  for (const auto& [kind, weight] : w) b.kinds.emplace_back(weight, kind);
  for (const auto& [kind, weight] : s) b.stalls.emplace_back(weight, kind);
  return b;
}

namespace {

// A value picked by weight; `shrinks(x)` lists simpler values to try instead of x.
template <class T, class Shrinks>
rc::Gen<T> weighted(const std::vector<std::pair<std::size_t, T>>& choices, Shrinks shrinks) {
  std::vector<std::size_t> weights;
  std::vector<T> values;
  for (const auto& [w, v] : choices) {
    weights.push_back(w);
    values.push_back(v);
  }
  return [=](const rc::Random& random, int) {
    std::size_t total = 0;
    for (std::size_t w : weights) total += w;
    std::uint64_t r = rc::Random(random).next() % total;
    std::size_t i = 0;
    while (r >= weights[i]) r -= weights[i++];
    return rc::shrinkable::shrinkRecur(values[i], shrinks);
  };
}

// Shrinks to `simplest` only.
template <class T>
auto to(T simplest) {
  return [simplest](const T& x) { return x == simplest ? rc::Seq<T>() : rc::seq::just(simplest); };
}

// Uniform in [low, high] whatever RapidCheck's size; shrinks toward low.
rc::Gen<std::uint32_t> uniform(std::uint32_t low, std::uint32_t high) {
  return rc::gen::resize(rc::kNominalSize, rc::gen::inRange<std::uint32_t>(low, high + 1));
}

// `low`..`high` elements (uniform whatever RapidCheck's size). Shrinks first remove chunks of
// elements (below `low` too: a smaller counterexample is welcome), then shrink one element.
template <class T>
rc::Gen<std::vector<T>> vector_of(std::size_t low, std::size_t high, rc::Gen<T> element) {
  using Items = std::vector<rc::Shrinkable<T>>;
  return [=](const rc::Random& random, int size) {
    rc::Random r = random;
    const std::size_t count = low + r.split().next() % (high - low + 1);
    Items items;
    for (std::size_t i = 0; i < count; ++i) items.push_back(element(r.split(), size));
    return rc::shrinkable::map(
        rc::shrinkable::shrinkRecur(
            std::move(items),
            [](const Items& xs) {
              return rc::seq::concat(rc::shrink::removeChunks(xs),
                                     rc::shrink::eachElement(xs, [](const rc::Shrinkable<T>& x) {
                                       return x.shrinks();
                                     }));
            }),
        [](const Items& xs) {
          std::vector<T> out;
          out.reserve(xs.size());
          for (const auto& x : xs) out.push_back(x.value());
          return out;
        });
  };
}

rc::Gen<Stall> stall_gen(const Bias& b) {
  return rc::gen::mapcat(weighted(b.stalls, to(StallKind::kNone)),
                         [](StallKind k) -> rc::Gen<Stall> {
                           if (k != StallKind::kHangFor) return rc::gen::just(Stall{k, {}});
                           return rc::gen::map(uniform(1, 45), [](std::uint32_t minutes) {
                             return Stall{StallKind::kHangFor, std::chrono::minutes(minutes)};
                           });
                         });
}

// One operation: its kind by the variant's weights (kept while shrinking: a different kind is
// not a smaller workload), then only the fields that kind uses, so no shrink is a no-op.
rc::Gen<WorkloadOp> op_gen(const Bias& b, std::uint32_t threads) {
  const rc::Gen<impl::ThreadId> thread =
      rc::gen::map(uniform(0, threads - 1), [](std::uint32_t t) { return impl::ThreadId{t}; });
  const rc::Gen<Stall> stall = stall_gen(b);
  return rc::gen::mapcat(
      weighted(b.kinds, [](OpKind) { return rc::Seq<OpKind>(); }),
      [=](OpKind kind) -> rc::Gen<WorkloadOp> {
        if (!impl::op_needs_thread(kind)) return rc::gen::just(impl::make_op(kind));
        if (impl::op_may_stall(kind)) {
          return rc::gen::map(rc::gen::pair(thread, stall), [kind](const auto& ts) {
            return impl::make_op(kind, ts.first, ts.second);
          });
        }
        if (kind == OpKind::kEmit) {
          const rc::Gen<EventKind> event = rc::gen::map(
              uniform(0, 3), [](std::uint32_t e) { return static_cast<EventKind>(e); });
          return rc::gen::map(rc::gen::pair(thread, event), [](const auto& te) {
            return impl::make_op(OpKind::kEmit, te.first, Stall{}, te.second);
          });
        }
        return rc::gen::map(thread, [kind](impl::ThreadId t) { return impl::make_op(kind, t); });
      });
}

// A client's request loop: most connect first, then 2-6 operations.
rc::Gen<std::vector<WorkloadOp>> script_gen(const Bias& b, std::uint32_t threads) {
  const rc::Gen<bool> connects = weighted<bool>({{3, true}, {1, false}}, to(false));
  return rc::gen::map(rc::gen::pair(connects, vector_of(2, 6, op_gen(b, threads))),
                      [](const std::pair<bool, std::vector<WorkloadOp>>& p) {
                        std::vector<WorkloadOp> ops;
                        if (p.first) ops.push_back(impl::make_op(OpKind::kConnect));
                        ops.insert(ops.end(), p.second.begin(), p.second.end());
                        return ops;
                      });
}

}  // namespace

// 1-3 threads (not shrunk: fewer threads would draw every later choice anew), 2-4 clients
// (connections numbered by position), 0-2 background cleanup ticks.
rc::Gen<Workload> workload_gen(const Bias& b) {
  const std::vector<std::pair<std::size_t, std::uint32_t>> ticks{
      {3, 0}, {b.cleanup_tick_weight, 1}, {b.cleanup_tick_weight, 2}};
  return rc::gen::mapcat(rc::gen::noShrink(uniform(1, 3)), [=](std::uint32_t threads) {
    return rc::gen::map(
        rc::gen::pair(vector_of(2, 4, script_gen(b, threads)),
                      weighted(ticks, [](std::uint32_t n) { return rc::shrink::towards(n, 0u); })),
        [](const std::pair<std::vector<std::vector<WorkloadOp>>, std::uint32_t>& p) {
          Workload w;
          for (std::size_t c = 0; c < p.first.size(); ++c) {
            w.clients.push_back({impl::ConnectionId{static_cast<std::uint32_t>(c)}, p.first[c]});
          }
          w.cleanup.ticks = p.second;
          return w;
        });
  });
}

}  // namespace lockstep::traces
