// tests/model/brute_force.h: the test oracle for the linearizability checker.
//
// Contract: brute_force_linearizable() tries every subset of the pending records and every
// permutation of the chosen records, keeps those that respect real-time order (a returned
// before b was invoked, or a comes first in the same task), and replays each through
// model::apply. It shares no code with the checker beyond apply(). It assumes stamps of
// different tasks never coincide (history_gen.h guarantees it). A pending record may take
// effect once anywhere after its invocation, with any result, or not at all; a `relaxed`
// record (the flags may be empty) keeps its interval but may take effect or not, with any
// result; an unobserved record must take effect within its interval, with any result. Cost:
// O(2^optional x n! x n^2); keep n <= 8.
#pragma once

#include <vector>

#include "model/reference_model.h"
#include "tests/model/history_gen.h"

namespace lockstep::model::testing {

bool brute_force_linearizable(const std::vector<Record>& records, const State& initial,
                              const std::vector<bool>& relaxed = {});

}  // namespace lockstep::model::testing
