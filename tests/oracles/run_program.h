// tests/oracles/run_program.h: runs a Program (program.h) on a backend: the simulator's
// primitives or the OS-thread ones. The program's code is written once, here.
//
// Contract
// - A backend B provides: Mutex, SharedMutex and Channel types (constructible from a name),
//   CondVar with wait(Mutex&, pred) / notify_one() / notify_all(), Task with join(), and a
//   per-task context Ctx with spawn(name, body) -> Task, point() (the labelled point: a yield
//   under the simulator) and delay() (a random pause on OS threads, nothing in the simulator).
// - World<B> is the state of one run. Counters are plain integers written under their lock;
//   the label log is an atomic counter plus atomic slots, so OS threads record their order
//   without any further synchronization; each task writes only its own `seen` list.
// - run_task<B>(w, p, k, ctx) runs task k's ops; the root (k == 0) also spawns and joins the
//   other tasks. Ctx::child(k) builds a child's context.
// Threading: World<B> is shared by the run's tasks; read it only after the root returned.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "tests/oracles/program.h"

namespace lockstep::oracles {

inline constexpr std::size_t kMaxLabels = 64;

template <class B>
struct World {
  explicit World(const Program& p) : seen(p.tasks.size()) {
    std::size_t ops = 0;
    for (const auto& task : p.tasks) ops += task.size();
    // Every label fits in the log (one per op at most), and label codes stay distinct.
    if (ops > kMaxLabels || p.tasks.size() > 64) throw std::invalid_argument("program too big");
  }
  typename B::Mutex m0{"m0"};
  typename B::Mutex m1{"m1"};
  typename B::Mutex mc{"mc"};
  typename B::SharedMutex rw{"rw"};
  typename B::CondVar cv{"cv"};
  typename B::Channel ch{"ch"};
  std::uint32_t c0 = 0, c1 = 0, crw = 0, tokens = 0;
  std::atomic<std::uint32_t> label_count{0};
  std::array<std::atomic<std::uint16_t>, kMaxLabels> label_slots{};
  std::vector<std::vector<int>> seen;

  void pass_label(std::uint16_t code) {
    const std::uint32_t i = label_count.fetch_add(1);
    if (i < kMaxLabels) label_slots[i].store(code);
  }
  Outcome outcome(End end) const {
    Outcome o;
    o.end = end;
    o.c0 = c0;
    o.c1 = c1;
    o.crw = crw;
    o.tokens = tokens;
    const std::uint32_t n = std::min<std::uint32_t>(label_count.load(), kMaxLabels);
    for (std::uint32_t i = 0; i < n; ++i) o.labels.push_back(label_slots[i].load());
    o.seen = seen;
    return o;
  }
};

template <class B>
void run_task(World<B>& w, const Program& p, std::size_t k, typename B::Ctx& ctx) {
  std::vector<typename B::Task> children;
  const auto& ops = p.tasks[k];
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Op& op = ops[i];
    auto label = [&] {
      if (!op.label) return;
      ctx.delay();
      ctx.point();
      w.pass_label(label_code(k, i));
    };
    ctx.delay();
    switch (op.kind) {
      case OpKind::kSection: {
        auto& m = op.arg == 0 ? w.m0 : w.m1;
        auto& c = op.arg == 0 ? w.c0 : w.c1;
        m.lock();
        c = updated(c, k);
        label();
        ctx.delay();
        m.unlock();
        break;
      }
      case OpKind::kNested:
        w.m0.lock();
        ctx.delay();
        w.m1.lock();
        w.c0 = updated(w.c0, k);
        w.c1 = updated(w.c1, k);
        label();
        ctx.delay();
        w.m1.unlock();
        ctx.delay();
        w.m0.unlock();
        break;
      case OpKind::kRead:
        w.rw.lock_shared();
        w.seen[k].push_back(static_cast<int>(w.crw));
        label();
        ctx.delay();
        w.rw.unlock_shared();
        break;
      case OpKind::kWrite:
        w.rw.lock();
        w.crw = updated(w.crw, k);
        label();
        ctx.delay();
        w.rw.unlock();
        break;
      case OpKind::kLabel:
        ctx.point();
        w.pass_label(label_code(k, i));
        break;
      case OpKind::kSend:
        w.ch.send(sent_value(k, i));
        label();
        break;
      case OpKind::kRecv: {
        const auto v = w.ch.recv();
        w.seen[k].push_back(v ? *v : -1);
        label();
        break;
      }
      case OpKind::kPost:
        w.mc.lock();
        ++w.tokens;
        ctx.delay();
        if (p.notify_all) {
          w.cv.notify_all();
        } else {
          w.cv.notify_one();
        }
        label();
        ctx.delay();
        w.mc.unlock();
        break;
      case OpKind::kAwait:
        w.mc.lock();
        w.cv.wait(w.mc, [&w] { return w.tokens > 0; });
        --w.tokens;
        w.seen[k].push_back(static_cast<int>(w.tokens));
        label();
        ctx.delay();
        w.mc.unlock();
        break;
      case OpKind::kSpawn: {
        const std::size_t child = op.arg;
        children.push_back(ctx.spawn(
            [&w, &p, child, c = ctx.child(child)]() mutable { run_task<B>(w, p, child, c); }));
        label();
        break;
      }
      case OpKind::kJoin:
        children[op.arg - 1].join();  // children are spawned in index order
        label();
        break;
    }
  }
}

}  // namespace lockstep::oracles
