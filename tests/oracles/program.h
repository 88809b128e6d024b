// tests/oracles/program.h: the small concurrent programs the fidelity oracles run, and what a
// run of one yields.
//
// Contract
// - A Program is 2-4 tasks over the primitives: two mutexes (m0, m1), a reader/writer lock
//   (rw), a condition variable with its mutex (cv, mc) guarding a token count, a channel (ch),
//   and labelled points. Task 0 is the root: it spawns every other task (in index order) and
//   joins them all at its end. One representation is run three ways: under the simulator
//   (run_program.h, sim_outcomes.h), on OS threads (threads_outcomes.h), and by the reference
//   semantics (reference.h).
// - Shared counters are written only under their lock: c0 under m0, c1 under m1, crw under rw
//   (exclusive; readers record the value they see). An update is c = c * 5 + (task + 1) (mod
//   2^32), so a final value spells the order of the sections that wrote it.
// - A labelled point is a scheduling point of its own (a yield under the simulator), so "task k
//   passed label L" is ordered against every other step; L is the op's index in its task.
// - Programs are deadlock-free by construction (make_deadlock_free): locks nest only as m0
//   then m1, nothing blocks while holding a lock (a condition wait holds only mc, which it
//   releases), and a receive or a condition wait in task i is only ever fed by tasks of higher
//   index, which send or post at least as often as all takers take. The task of highest index
//   that is stuck would therefore wait for a finished task: no reachable state is stuck. (The
//   oracles still compare stuck outcomes: a hang is never assumed away.)
// - A condition wait loops on its predicate (tokens > 0), so a spurious wake-up on OS threads
//   only re-checks it. notify_one is used only when a single task waits on the variable, so
//   which waiter a notify picks cannot change an outcome; otherwise posts notify_all.
// - Outcome: how the run ended, the final counters, the label order, and what each task
//   observed (values received, the rw counter seen by reads, tokens left after a wait).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace lockstep::oracles {

enum class OpKind : std::uint8_t {
  kSection,  // lock m[arg]; update c[arg]; [label]; unlock
  kNested,   // lock m0; lock m1; update c0, c1; [label]; unlock m1; unlock m0
  kRead,     // lock_shared rw; observe crw; [label]; unlock_shared
  kWrite,    // lock rw; update crw; [label]; unlock
  kLabel,    // a labelled point
  kSend,     // send 100 * task + op index on ch
  kRecv,     // receive from ch; observe the value
  kPost,     // lock mc; ++tokens; notify; unlock mc
  kAwait,    // lock mc; wait until tokens > 0; --tokens; observe tokens; unlock mc
  kSpawn,    // root only: spawn task arg
  kJoin,     // root only: join task arg
};

struct Op {
  OpKind kind;
  std::uint8_t arg = 0;  // mutex index for kSection, task index for kSpawn / kJoin
  bool label = false;    // a labelled point inside the critical section
};

struct Program {
  std::vector<std::vector<Op>> tasks;  // tasks[0] is the root
  bool notify_all = true;              // posts notify_all (else notify_one)
};

// The label recorded when task `task` passes the labelled point of its op `op`.
constexpr std::uint16_t label_code(std::size_t task, std::size_t op) {
  return static_cast<std::uint16_t>(task * 64 + op);
}
constexpr std::uint32_t updated(std::uint32_t c, std::size_t task) {
  return c * 5u + static_cast<std::uint32_t>(task + 1);
}
constexpr int sent_value(std::size_t task, std::size_t op) {
  return static_cast<int>(100 * task + op);
}

enum class End : std::uint8_t { kCompleted, kStuck, kOther };

struct Outcome {
  End end = End::kCompleted;
  std::uint32_t c0 = 0, c1 = 0, crw = 0, tokens = 0;
  std::vector<std::uint16_t> labels;   // label codes in passing order
  std::vector<std::vector<int>> seen;  // per task, in program order
  std::string other;                   // End::kOther: what happened
  // One line, e.g. "completed c0=6 c1=0 crw=1 tokens=0 labels=1.2,0.1 seen=[;0,1]".
  std::string str() const;
};

std::string to_string(const Program& p);
// RapidCheck prints counterexamples with this.
void showValue(const Program& p, std::ostream& os);

// Rewrites `p` so that it satisfies the contract above: re-homes receives / waits that are not
// fed by higher-index tasks, adds sends / posts to the last task when takers outnumber them,
// places the root's spawns before its first blocking operation and its joins at its end, and
// picks notify_one only for a single waiting task. Ops without those concerns are unchanged.
void make_deadlock_free(Program& p, std::size_t chan_split, std::size_t cv_split,
                        const std::vector<std::size_t>& spawn_at);

}  // namespace lockstep::oracles
