// properties/property.h: the seven properties of SPEC.md, checked over one execution's
// observation log (impl/probe.h) and, for the lock order, over a whole exploration.
//
// Contract
// - check_execution() reads an ExecutionView (the workload, the design, the probe's records,
//   task table and final state, and how the simulator says the execution ended) and returns
//   every violation it can prove, empty when the execution passes. Properties are listed in
//   kAllProperties order except linearizable, which comes last: it is a cross-check many of
//   the other failures also break, so the first violation is the most specific one.
//   A checker flags only what the log decides soundly: whatever it cannot decide (a truncated
//   execution, ids out of the model's range, a search budget spent) passes. `current` must
//   pass every property under every schedule; each design variant fails the one it breaks.
// - check_lock_order() reads the lock-class graph and the locks held across waits recorded
//   across an exploration (sim/'s LockOrder, converted to plain data by traces/): every
//   class cycle, and every hold that lock_hold_allow_list() does not list, is a violation.
// - Identity: tasks are the ids of impl::Record::task and Probe::tasks(); threads, connections
//   print as t<n> / c<n>; records are named by index (#i) and stamp (@s). Output is a function
//   of the view alone (no addresses, no clock, no unordered iteration).
// - Failure: never throws for a well-formed log; an inconsistent log (an end without a begin)
//   is reported as a violation of the property that reads it only when that is sound.
// - Threading: pure functions; concurrent calls on different views are safe.
// - Cost: linear in the log, except linearizability (bounded by CheckOptions' node budgets).
// This header sees only impl/probe.h, impl/types.h, impl/workload.h, impl/design_variant.h:
// the simulator's view of the end (EndState) is plain data filled in by traces/.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "impl/design_variant.h"
#include "impl/probe.h"
#include "impl/types.h"
#include "impl/workload.h"

namespace lockstep::properties {

enum class Property : std::uint8_t {
  kNoPhantomSubscribers,
  kPerThreadOrder,
  kNoCrossThreadBlocking,
  kNoDeadlock,
  kLinearizable,
  kLiveness,
  kPoolIntegrity,
};

inline constexpr std::array<Property, 7> kAllProperties = {
    Property::kNoPhantomSubscribers, Property::kPerThreadOrder, Property::kNoCrossThreadBlocking,
    Property::kNoDeadlock,           Property::kLinearizable,   Property::kLiveness,
    Property::kPoolIntegrity,
};

// Kebab-case, as in SPEC.md: "no-phantom-subscribers", "per-thread-order",
// "no-cross-thread-blocking", "no-deadlock", "linearizable", "liveness", "pool-integrity".
std::string_view property_name(Property p);
std::optional<Property> parse_property(std::string_view name);
// "no-phantom-subscribers, per-thread-order, ...": for error lines.
std::string property_names();

// One task the simulator found blocked when the execution could go no further.
struct BlockedTaskView {
  std::uint32_t task = 0;  // same ids as impl::Record::task / Probe::tasks()
  std::string name;
  std::uint32_t thread_label = impl::kNoLabel;
  std::string op;                      // "lock", "lock-shared", "recv", "recv-until", "join", ...
  std::string object;                  // "pool#0", "thread_state#2", "task#7" for a join
  std::string lock_class;              // class (or channel name) of the object; "" if none
  std::string site;                    // "session_pool.h:88"
  std::vector<std::uint32_t> holders;  // tasks holding the object waited on
  std::vector<std::string> held;       // "pool#0 (shared) at session_pool.h:80"
};

enum class EndKind : std::uint8_t { kCompleted, kStuck, kStepBound, kFailed };
std::string_view end_kind_name(EndKind k);  // "completed", "stuck", "step-bound", "failed"

// A task that finished while holding a lock a blocked task waits for.
struct FinishedHolderView {
  std::uint32_t task = 0;
  std::vector<std::string> held;  // "manager#0 at state_manager.h:40", as BlockedTaskView::held
};

struct EndState {
  EndKind kind = EndKind::kCompleted;
  std::string message;                   // the simulator's failure text, if any
  std::vector<BlockedTaskView> blocked;  // when kStuck: every unfinished task, what it waits on
  std::vector<std::uint32_t> cycle;      // a wait-for cycle among them, if any
  std::vector<FinishedHolderView> finished_holders;  // holders of awaited locks that exited
};

struct ExecutionView {
  const impl::Workload& workload;
  impl::DesignVariant design;
  const std::vector<impl::Record>& records;  // in index order
  const std::map<std::uint32_t, impl::TaskInfo>& tasks;
  const std::optional<impl::StateSnapshot>& final_state;
  EndState end;
};

struct Violation {
  Property property = Property::kNoPhantomSubscribers;
  std::string message;             // one readable paragraph
  std::vector<std::string> chain;  // wait-for chain, one line per link (properties 3, 4)
  std::int64_t step = -1;          // stamp of the record where it was found; -1: at the end
};

struct CheckOptions {
  // Which properties check_execution() runs (all by default).
  std::vector<Property> properties{kAllProperties.begin(), kAllProperties.end()};
  // Linearizability: model steps for the verdict, and for minimising a violation. A spent
  // budget is "inconclusive", which passes.
  std::uint64_t node_budget = 500'000;
  std::uint64_t explain_budget = 200'000;
  // Liveness: how much later than its deadline an idle unload may be seen. Virtual time is
  // exact, so 0 under the simulator; runs on OS threads need the scheduler's jitter here.
  std::chrono::nanoseconds unload_slack{0};

  bool enabled(Property p) const;
};

std::vector<Violation> check_execution(const ExecutionView& view, const CheckOptions& options = {});

// Across a whole exploration: property 4's lockdep half.
struct LockEdgeView {
  std::string from, to, held_site, acquire_site;
  std::uint64_t count = 0;
};
struct HeldAcrossWaitView {
  std::string held_class, wait /*op name*/, waited /*class or ""*/, held_site, wait_site;
  std::uint64_t count = 0, blocked = 0;
};
struct LockOrderView {
  std::vector<std::string> classes;
  std::vector<LockEdgeView> edges;
  std::vector<std::vector<std::size_t>> cycles;  // each: indices into edges, in cycle order
  std::vector<HeldAcrossWaitView> waits;
};

// A lock the current design holds across a wait on purpose, and why. An empty waited_class
// matches any waited object.
struct AllowedHold {
  std::string_view held_class, wait, waited_class, reason;
};
std::span<const AllowedHold> lock_hold_allow_list();
// The entry that allows `w`, if any.
const AllowedHold* find_allowed_hold(const HeldAcrossWaitView& w);

std::vector<Violation> check_lock_order(const LockOrderView& view);

}  // namespace lockstep::properties
