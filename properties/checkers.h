// properties/checkers.h: the seven checkers behind check_execution() (internal to properties/).
//
// Contract: each appends the violations of its property that the log proves to `out`, in log
// order, and nothing else; each has its own .cc with the reasoning that makes it sound.
// Threading: pure. Cost: see each file.
#pragma once

#include <vector>

#include "properties/log_index.h"
#include "properties/property.h"

namespace lockstep::properties::detail {

void check_no_phantom_subscribers(const LogIndex& log, std::vector<Violation>& out);
void check_per_thread_order(const LogIndex& log, std::vector<Violation>& out);
void check_no_cross_thread_blocking(const LogIndex& log, std::vector<Violation>& out);
void check_no_deadlock(const LogIndex& log, std::vector<Violation>& out);
void check_linearizable(const LogIndex& log, const CheckOptions& options,
                        std::vector<Violation>& out);
void check_liveness(const LogIndex& log, const CheckOptions& options, std::vector<Violation>& out);
void check_pool_integrity(const LogIndex& log, std::vector<Violation>& out);

// Builds a Violation found at record `r` (nullptr: at the end).
Violation violation_at(Property p, const Record* r, std::string message);

}  // namespace lockstep::properties::detail
