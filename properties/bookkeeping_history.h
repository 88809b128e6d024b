// properties/bookkeeping_history.h: the bookkeeping operations of one execution as a
// model::History, for property 5 (internal to properties/).
//
// Contract
// - Each operation's interval is bounded by records that surely come before and after the
//   critical section where it takes effect (stamps are record indices), so the real order is
//   always one the checker may choose: a loose interval can hide a violation, never invent one.
// - Operations: connect, disconnect, subscribe, resume, unsubscribe (their request parts);
//   the late auto-attach (a start's background part); thread_loaded (ends at the listener's
//   first record); each unload as begin_unload / drop_thread_state / finish_unload /
//   end_unload (bounded by its stage records); and one subscribers(t) query per thread for
//   the final snapshot (bounded by the end of the client loops and the end of the log).
// - Where a result cannot be tied to one point of its interval it is left unobserved (an
//   explicit subscribe refused "not connected": its two critical sections can straddle a whole
//   unload), and where it may not have taken effect at all it is pending (an auto-attach that
//   ended "closing", which also means the queue was closed; anything that never returned).
// - Assumes what the workload guarantees: the connection ops of c (connect, disconnect,
//   subscribe, resume, unsubscribe) run on one task, c's request loop.
// - Returns nullopt (nothing to check) when an id is out of the model's range.
// Threading: pure. Cost: O(n log n).
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "model/history.h"
#include "properties/log_index.h"

namespace lockstep::properties::detail {

struct BookkeepingHistory {
  model::History history;
  std::map<model::OpIndex, const Record*> source;  // the record each operation ends at
};

std::optional<BookkeepingHistory> bookkeeping_history(const LogIndex& log);

}  // namespace lockstep::properties::detail
