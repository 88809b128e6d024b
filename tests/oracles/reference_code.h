// tests/oracles/reference_code.h: the reference semantics' instruction set (reference.h), and
// the compiler from a Program's ops to one list of instructions per task.
//
// Contract: a task's list ends with kExit. Instructions up to kExit are points (transitions);
// the rest are local code, run right after a transition up to the task's next point. Each op
// compiles to the points the contract in sim/ puts before its visible operations (reference.h
// lists them); a condition wait compiles to a loop: check the predicate, wait, wake, re-lock.
#pragma once

#include <cstdint>
#include <vector>

#include "tests/oracles/program.h"

namespace lockstep::oracles::reference {

// Points (transitions) and local code (run right after a transition, up to the next point).
enum class In : std::uint8_t {
  // points
  kLock,       // a: mutex (0 m0, 1 m1, 2 mc)
  kUnlock,     // a: mutex
  kRwArrive,   // a: 1 writer, 0 reader; enters at once or queues (then the next is kRwEnter)
  kRwEnter,    // a: as kRwArrive; enabled when the queued request may enter
  kRwRelease,  // a: as kRwArrive
  kLabel,      // a: label code
  kSend,       // a: value
  kRecv,
  kNotify,
  kWait,   // release mc, join the waiters' FIFO
  kWake,   // enabled once notified
  kSpawn,  // a: child
  kJoin,   // a: child
  kExit,
  // local code
  kUpdate,     // a: counter (0 c0, 1 c1, 2 crw)
  kObserveRw,  // seen += crw
  kIfTokens,   // a: target pc if tokens > 0
  kJump,       // a: target pc
  kTakeToken,  // --tokens; seen += tokens
  kAddToken,   // ++tokens
};

inline bool is_point(In k) { return k < In::kUpdate; }

struct Instr {
  In kind;
  std::uint16_t a = 0;
};

const char* point_name(In k);
std::vector<Instr> compile(const Program& p, std::size_t k);

}  // namespace lockstep::oracles::reference
