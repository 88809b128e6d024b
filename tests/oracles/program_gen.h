// tests/oracles/program_gen.h: a RapidCheck generator of oracle Programs (program.h).
//
// Contract: 2..max_tasks tasks, each with 1..max_ops ops of its own (the root's spawns and joins
// come on top); op kinds are drawn from the menu (rw ops twice as often), three in four with a
// labelled point, then make_deadlock_free re-homes receives and waits, adds the root's spawns and
// joins, and picks notify_one only for a single waiting task. Shrinks towards fewer tasks, fewer
// ops and earlier kinds.
#pragma once

#include <rapidcheck.h>

#include <cstddef>
#include <vector>

#include "tests/oracles/program.h"

namespace lockstep::oracles {

inline rc::Gen<Op> gen_op() {
  return rc::gen::exec([] {
    // The reader/writer lock twice over: its fairness is where a simulator can most easily
    // lose real orders.
    static const std::vector<OpKind> kMenu = {OpKind::kSection, OpKind::kRead,  OpKind::kWrite,
                                              OpKind::kLabel,   OpKind::kSend,  OpKind::kRecv,
                                              OpKind::kPost,    OpKind::kAwait, OpKind::kNested,
                                              OpKind::kRead,    OpKind::kWrite};
    Op op{*rc::gen::elementOf(kMenu), 0, false};
    if (op.kind == OpKind::kSection) op.arg = *rc::gen::inRange<std::uint8_t>(0, 2);
    if (op.kind != OpKind::kLabel) op.label = *rc::gen::inRange(0, 4) != 0;
    return op;
  });
}

inline rc::Gen<Program> gen_program(std::size_t max_tasks, std::size_t max_ops) {
  // Full size from the first case: RapidCheck would otherwise start with near-empty programs.
  return rc::gen::resize(100, rc::gen::exec([max_tasks, max_ops] {
                           Program p;
                           const auto n = *rc::gen::inRange<std::size_t>(2, max_tasks + 1);
                           p.tasks.resize(n);
                           for (std::size_t k = 0; k < n; ++k) {
                             const auto len = *rc::gen::inRange<std::size_t>(1, max_ops + 1);
                             for (std::size_t i = 0; i < len; ++i) p.tasks[k].push_back(*gen_op());
                           }
                           const auto chan_split = *rc::gen::inRange<std::size_t>(1, n);
                           const auto cv_split = *rc::gen::inRange<std::size_t>(1, n);
                           const auto spawn_at = *rc::gen::container<std::vector<std::size_t>>(
                               n - 1, rc::gen::inRange<std::size_t>(0, p.tasks[0].size() + 1));
                           p.notify_all = *rc::gen::arbitrary<bool>();
                           make_deadlock_free(p, chan_split, cv_split, spawn_at);
                           return p;
                         }));
}

}  // namespace lockstep::oracles
