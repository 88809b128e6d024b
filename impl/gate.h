// impl/gate.h: a stall gate: what a hung start or an endless prompt waits on.
//
// Contract: a Gate is made from a Stall. kNone: wait() returns true at once without a
// scheduling point. kAgentDies: the channel is closed from the start, so wait() returns false
// (the agent died). kHangForever/kHangFor: wait() blocks until open() (true) or release()
// (false). kTestCrash (tests only): wait() dereferences a null pointer. The workload opens
// kHangFor gates from a timer task; it releases every gate only when a run on OS threads is
// torn down. One waiter per gate.
// Threading: open()/release() from any task (or, on OS threads, any OS thread).
#pragma once

#include "impl/stall.h"

namespace lockstep::impl {

// A fatal signal in the system under test, on purpose (StallKind::kTestCrash). The pointer is
// read through a volatile object, so the compiler cannot see that it is null and drop the
// store; not instrumented by UBSan, so it is a real SIGSEGV in sanitized builds too (UBSan
// would report the null store and exit instead).
inline int* volatile null_for_testing = nullptr;
__attribute__((noinline, no_sanitize("undefined"))) inline void crash_for_testing() {
  *null_for_testing = 1;
}

template <class R>
class Gate {
 public:
  explicit Gate(Stall stall) : stall_(stall) {
    if (stall_.kind == StallKind::kAgentDies) ch_.close();
  }
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;

  const Stall& stall() const { return stall_; }
  bool stalls() const { return stall_.kind != StallKind::kNone; }

  // true: opened; false: closed (agent died, or released at teardown).
  bool wait() {
    if (!stalls()) return true;
    if (stall_.kind == StallKind::kTestCrash) crash_for_testing();
    return ch_.recv().has_value();
  }
  void open() { ch_.send(1); }
  void release() { ch_.close(); }

 private:
  Stall stall_;
  typename R::template Channel<int> ch_{"stall_gate"};
};

}  // namespace lockstep::impl
