// tests/oracles/reference.h: an independent reference semantics of the primitives, and every
// outcome of a Program (program.h) under it.
//
// Written apart from sim/ (it includes nothing of it): an explicit state machine with a program
// counter per task, mutex holders, the reader/writer lock's holders and its queue of arrivals
// in ticket order, the condition variable's FIFO of waiters with a notified flag per task, the
// channel's FIFO, the counters, the label log and each task's observations.
//
// Transitions are the scheduling points of the contract in sim/: one before every visible
// operation, releasing ones included (unlock, notify, send, spawn, join, exit, a labelled
// point). A transition performs its operation, then the task's invisible code up to its next
// point (counter updates, observations, the wait predicate). In detail:
// - mutex lock: enabled when free. unlock: always.
// - rw lock / lock_shared: the ARRIVAL is the lock's own transition (always enabled): the task
//   takes the next ticket; it enters at once if it may, else it queues and a second transition,
//   enabled when it may enter, takes the lock. A writer may enter when nobody holds the lock
//   and no earlier arrival waits; a reader when no writer holds it and no earlier writer waits.
// - condition wait: one transition releases the mutex and joins the waiters' FIFO atomically;
//   the next is enabled once notified (notify_one wakes the oldest waiter, notify_all all of
//   them; no spurious wake-ups); the mutex is then re-locked at a transition of its own.
// - send: appends. recv: enabled when a value is queued; takes the oldest.
// - spawn: the child becomes runnable. join: enabled once the child has exited. exit: the
//   task's last transition.
// A state with no enabled transition is terminal: completed if every task exited, else stuck.
//
// Exploration: depth-first over states, each state visited once (memoized on its full
// encoding, which includes the labels and observations so far, so merged states have equal
// futures). The first path to each outcome is kept as a witness ("t1 lock m0, t0 label, ...");
// paths are counted per state, so the number of interleavings comes for free.
// Cost: the number of distinct states; the oracle's programs have at most some thousands.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "tests/oracles/program.h"

namespace lockstep::oracles {

struct ReferenceOutcomes {
  std::map<std::string, std::string> outcomes;  // Outcome::str() -> witness path
  std::uint64_t states = 0;                     // distinct states visited
  std::uint64_t stuck_states = 0;               // terminal states with a task not exited
  // Maximal paths (interleavings of the transitions), saturating at 2^62: about the number of
  // executions exhaustive DFS needs, which has a point wherever the reference has one.
  std::uint64_t paths = 0;
};

ReferenceOutcomes reference_outcomes(const Program& p);

}  // namespace lockstep::oracles
