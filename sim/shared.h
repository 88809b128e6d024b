// sim/shared.h: Shared<T>, a plain shared variable whose loads and stores the simulator sees.
//
// Contract
// - load() and store() are visible operations: a scheduling point (OpKind kLoad / kStore)
//   precedes each, and the value is read, or replaced, after the point, in the step the point
//   starts. Nothing another task can observe changes before the point.
// - update(f) is TWO operations, a load and then a store of f(old), each with its own point:
//   another task may run between them, exactly as with `x = x + 1` on a plain variable. It is
//   not an atomic read-modify-write (lost updates are found, not hidden).
// - DPOR (sim/strategies/dpor_dependence.h): a load reads the variable, a store writes it;
//   loads commute with loads, a store conflicts with every other access to the variable.
// - Race detection (sim/race.h, on by default: ExecutionOptions::detect_races): two accesses
//   from different tasks, at least one a store, not ordered by happens-before, fail the
//   execution with the property `data-race`, naming both tasks and both source lines. The
//   initial value of a variable constructed inside a run is a store by the constructing task;
//   one constructed outside the run was initialised before every task.
// - Identity: an object like any other (class name and ordinal, "counter#0" in traces). Used
//   in a later execution it resets itself to the value it was constructed with, so a variable
//   may live outside the run (e.g. in a test fixture). T must be copyable.
// - While an execution is being unwound, store() does nothing and load() returns the value
//   without an access (no point is taken then).
// Errors: use outside an execution throws std::logic_error. Threading: the simulator's OS
// thread only. Cost: one scheduling point per access, plus O(1) race bookkeeping (O(tasks) when
// concurrent reads are checked); no allocation after the first executions.
#pragma once

#include <source_location>
#include <string_view>
#include <utility>

#include "sim/sync.h"

namespace lockstep::sim {

template <class T>
class Shared final : public SimObject {
 public:
  explicit Shared(std::string_view name = "shared", T initial = T{},
                  std::source_location site = std::source_location::current())
      : SimObject(ObjectKind::kShared, name), initial_(initial), value_(std::move(initial)) {
    if (Execution* ex = Execution::current(); ex != nullptr && !ex->aborting()) {
      ex->shared_init(bind(*ex), site);
    }
  }

  T load(std::source_location site = std::source_location::current()) {
    Execution& ex = Execution::require_current();
    const ObjectId id = bind(ex);
    if (!ex.point(OpKind::kLoad, this, id, nullptr, site)) return value_;
    LOCKSTEP_EFFECT(ex, id, OpKind::kLoad);
    ex.shared_access(id, false, site);
    return value_;
  }

  void store(T value, std::source_location site = std::source_location::current()) {
    Execution& ex = Execution::require_current();
    const ObjectId id = bind(ex);
    if (!ex.point(OpKind::kStore, this, id, nullptr, site)) return;
    LOCKSTEP_EFFECT(ex, id, OpKind::kStore);
    ex.shared_access(id, true, site);
    value_ = std::move(value);
  }

  // A load, then a store of f(loaded): two operations (see the contract). Returns the value
  // stored.
  template <class F>
  T update(F f, std::source_location site = std::source_location::current()) {
    T next = f(load(site));
    store(next, site);
    return next;
  }

  // The value, read without a scheduling point or race check: for checks after an execution
  // (outside any task), never inside one.
  const T& peek() const { return value_; }

 private:
  void reset_state() override { value_ = initial_; }
  T initial_;
  T value_;
};

}  // namespace lockstep::sim
