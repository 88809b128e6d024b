// sim/strategies/strategy.h: THE search seam. A strategy decides which runnable task performs
// the next visible operation, and which value a data choice takes. It only searches: it never
// sees fibers, clocks or traces; the Scheduler (sim/scheduler.h) is its only caller.
//
// Contract
// - begin_execution() returns the seed of the next execution (written to traces), or nullopt
//   when the exploration is done. end_execution() reports how that execution ended.
// - pick_task() is called at every scheduling point with the runnable tasks in TaskId order
//   (never empty); it returns one of them, or nullopt to abandon the execution (the
//   Scheduler then asks abandon_reason()).
// - pick_value(bound) returns a value in [0, bound) for a data choice of the program.
// - Determinism: every strategy owns its one seeded generator; equal options give equal picks.
// A new strategy is one .cc with one factory, one row in strategy_table(), and its tests.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <source_location>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/strategies/rng.h"
#include "sim/task.h"

namespace lockstep::sim {

struct Candidate {
  TaskId task;
  PendingOp next;
};

struct SchedulingPoint {
  std::span<const Candidate> runnable;  // never empty, ordered by TaskId
  std::optional<TaskId> current;        // the task that ran the last step; empty at first and
                                        // after virtual time jumped (every task was blocked)
  std::uint32_t step;                   // index of the step about to be taken
};

// One scheduling step as recorded: who ran, what it did, at which virtual time, from where.
struct StepRecord {
  TaskId task;
  PendingOp op;
  std::int64_t time;
  std::source_location site;
};

// What a step did besides its leading operation, for strategies that reason about which steps
// commute (DPOR). Filled only for strategies whose wants_steps() is true, and handed over when
// the step is complete (its task reached its next scheduling point or ended).
enum class AccessMode : std::uint8_t {
  kRead,           // a shared acquisition, or a reader's arrival at a reader/writer lock
  kWrite,          // an exclusive acquisition, or a writer's arrival
  kRelease,        // an exclusive release
  kReleaseShared,  // a shared release
};
struct Access {
  ObjectId object;
  AccessMode mode;
};
struct StepEffects {
  static constexpr int kMaxAccesses = 6;
  Access accesses[kMaxAccesses];
  std::uint8_t count = 0;
  bool overflow = false;   // more accesses than fit, or a data choice: depends on everything
  bool timed_out = false;  // a recv-until gave up at its deadline
  bool no_value = false;   // a receive found the channel closed and drained, or a send found
                           // it closed
  std::uint64_t observed = 0;  // observation footprint (sim::observation_mask), 0: none
  TaskId spawned{0xffffffffu};  // the task a spawn step created
  // Objects bound in the execution before the step. Ids are numbered in binding order, so an
  // id at or above this was bound during the step and may name another object in an
  // execution that diverged before it.
  std::uint32_t objects_before = 0;
  void add(ObjectId o, AccessMode m) {
    if (count < kMaxAccesses) {
      accesses[count++] = {o, m};
    } else {
      overflow = true;
    }
  }
  void clear() { *this = StepEffects{}; }
};

enum class Outcome : std::uint8_t {
  kCompleted,
  kStuck,
  kStepBound,
  kFailed,
  kAbandoned,    // the strategy gave up on it (nondeterminism, a replay divergence, a limit)
  kPruned,       // cut short by the strategy: equivalent to an execution already explored
  kInvalidPick,  // the strategy picked a task that cannot run: a bug of the tool, an error
};
std::string_view outcome_name(Outcome o);

struct ExecutionOutcome {
  Outcome outcome;
  std::uint32_t steps;
  bool property_failed;  // set by the caller when a property check failed on this execution
};

class Strategy {
 public:
  virtual ~Strategy() = default;
  virtual std::string_view name() const noexcept = 0;
  virtual std::optional<std::uint64_t> begin_execution() = 0;
  virtual std::optional<TaskId> pick_task(const SchedulingPoint& point) = 0;
  // The form the Scheduler calls: the position of the picked task in point.runnable,
  // kAbandon to abandon, or point.runnable.size() when the picked task is not runnable (its
  // id is then left in `picked`). The default asks pick_task and looks its answer up; a
  // strategy that picks by position overrides it and skips the lookup.
  static constexpr std::size_t kAbandon = ~std::size_t{0};
  virtual std::size_t pick_index(const SchedulingPoint& point, TaskId& picked);
  // A strategy whose every task pick is rng.below(runnable.size()) on one generator of its own
  // may return that generator (asked once per execution): the Scheduler then draws from it
  // itself, the same draws, without a virtual call per step.
  virtual Rng* uniform_task_picks() { return nullptr; }
  virtual std::uint64_t pick_value(std::uint64_t bound) = 0;
  // Called after every step when wants_steps() (asked once per execution) is true.
  virtual bool wants_steps() const { return false; }
  virtual void on_step(const StepRecord&) {}
  // With wants_steps(): the effects of the step last passed to on_step, once it is complete;
  // the virtual clock jumping forward (no task could run); and, at the end of every
  // execution (pruned ones too), the pending operation of every unfinished task, runnable or not.
  virtual void on_step_done(const StepEffects&) {}
  virtual void on_clock_advance() {}
  virtual void on_pending(std::span<const Candidate>) {}
  // Whether the last pick_task that returned nullopt pruned the execution (an equivalent one
  // was explored) rather than abandoning it.
  virtual bool pruned() const { return false; }
  virtual void end_execution(const ExecutionOutcome&) {}
  // Why pick_task returned nullopt (e.g. where a replay diverged).
  virtual std::string abandon_reason() const { return {}; }
  // Set after an execution when a replayed schedule did not match it (replay only).
  virtual std::string divergence() const { return {}; }
  // Whether the strategy has covered its whole space (systematic strategies only).
  virtual bool exhausted() const { return false; }
  // Options as "key=value" pairs, for traces and reports.
  virtual std::vector<std::pair<std::string, std::string>> options() const { return {}; }
};

// --- options and factories (one per strategy file) ---
// Sharding: shard K of N runs the executions whose index is K mod N of the unsharded series
// (same seeds), so N jobs together cover exactly what one job would, disjointly.
struct RandomOptions {
  std::uint64_t seed = 0;
  std::uint64_t executions = 1000;
  std::uint64_t shard = 0;
  std::uint64_t shards = 1;
};
struct PctOptions {
  std::uint64_t seed = 0;
  std::uint64_t executions = 1000;
  std::uint32_t depth = 3;            // d: the bug depth targeted (d - 1 change points)
  std::uint32_t steps_estimate = 0;   // k: 0 = learn from the executions so far
  std::uint64_t shard = 0;
  std::uint64_t shards = 1;
};
struct DfsOptions {
  std::optional<std::uint32_t> preemption_bound;  // none: unbounded
  std::uint64_t max_executions = 0;               // 0: until exhausted
};
// Dynamic partial-order reduction (sim/strategies/dpor.cc).
struct DporOptions {
  std::uint64_t max_executions = 0;  // 0: until exhausted
  // Explore only schedules with at most this many preemptions (bounded partial-order
  // reduction; sleep sets are then off). none: unbounded.
  std::optional<std::uint32_t> preemption_bound;
  // Treat the probe's records as commuting with each other: two steps then conflict only
  // through synchronisation (locks, channels, spawn and join, time). The claim on exhaustion
  // becomes "every class of schedules that differ in synchronisation order", and it covers
  // every schedule only if no property's verdict depends on the order of records that nothing
  // orders. That fails for some designs (tests/variants/commutation_test.cc shows a variant
  // whose verdict changes with such an order); for `current` none has been found.
  bool records_commute = false;
};
struct ReplayOptions {
  std::vector<StepRecord> steps;  // op, object and task per step (time and site ignored)
  std::vector<std::uint64_t> values;
};

std::unique_ptr<Strategy> make_random_strategy(const RandomOptions& options);
std::unique_ptr<Strategy> make_pct_strategy(const PctOptions& options);
std::unique_ptr<Strategy> make_dfs_strategy(const DfsOptions& options);
std::unique_ptr<Strategy> make_dpor_strategy(const DporOptions& options);
struct GuidedOptions {
  std::vector<TaskId> preferred;  // the task to pick at each step, when it can run
  std::vector<std::uint64_t> values;
};

std::unique_ptr<Strategy> make_replay_strategy(ReplayOptions options);
std::unique_ptr<Strategy> make_guided_strategy(GuidedOptions options);

// The name table: strategies selectable by name (CLI, traces).
struct StrategyConfig {
  explicit StrategyConfig(std::string strategy_name = "random") : name(std::move(strategy_name)) {}
  std::string name;                 // "random", "pct", "dfs", ...
  std::uint64_t seed = 0;
  std::uint64_t executions = 1000;  // budget (0 for dfs: until exhausted)
  std::uint32_t depth = 3;
  std::uint32_t steps_estimate = 0;
  std::optional<std::uint32_t> preemption_bound;
  bool records_commute = false;  // dpor only (DporOptions)
  std::uint64_t shard = 0;  // random and pct only
  std::uint64_t shards = 1;
};
struct StrategyEntry {
  std::string_view name;
  std::string_view summary;
  std::unique_ptr<Strategy> (*make)(const StrategyConfig&);
};
std::span<const StrategyEntry> strategy_table();
// nullptr for an unknown name.
std::unique_ptr<Strategy> make_strategy(const StrategyConfig& config);

}  // namespace lockstep::sim
