// traces/recovery.h: a fatal signal inside the system under test (a segfault, an abort from a
// failed assertion, a stack overflow into a fiber's guard page) still leaves the running
// execution's trace on disk.
//
// Contract
// - While armed, SIGSEGV, SIGBUS, SIGABRT, SIGFPE and SIGILL run a handler, on an alternate
//   signal stack, that writes the trace of the execution in progress to `path` (the steps and
//   values so far, the task and object tables, and a failure with property "crash"), prints
//   one line on stderr naming the signal, the step and the trace's path, then restores the default action and re-raises the signal, so the process still dies of it.
// - The handler allocates nothing: everything but the steps was formatted when armed or is
//   read from buffers the execution owns; numbers are formatted by hand into a static buffer.
// - One recorder per process; arm() replaces a previous arming. disarm() restores the
//   previous handlers.
// Threading: the simulator runs executions on one OS thread; arm from that thread.
#pragma once

#include <string>

#include "sim/execution.h"
#include "traces/trace.h"

namespace lockstep::traces {

class CrashRecorder {
 public:
  // `header` supplies design, program, strategy, options and workload; `ex` is the execution
  // whose steps (through its scheduler) are written if a fatal signal arrives.
  static void arm(const std::string& path, const Trace& header, const sim::Execution& ex);
  static void disarm();
};

}  // namespace lockstep::traces
