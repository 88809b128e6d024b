#include "sim/explore.h"

namespace lockstep::sim {

ExploreResult explore(Strategy& strategy, const std::function<void()>& body,
                      const ExploreOptions& options, const CheckFn& check) {
  return explore_tasks(strategy, {body}, options, check);
}

ExploreResult explore_tasks(Strategy& strategy, const std::vector<std::function<void()>>& tasks,
                            const ExploreOptions& options, const CheckFn& check) {
  Scheduler scheduler(strategy);
  Execution execution(scheduler, options.lock_order);
  ExploreResult result;
  while (const std::optional<std::uint64_t> seed = scheduler.begin_execution()) {
    if (options.before_each) options.before_each();
    const Outcome outcome = execution.run_tasks(tasks, options.execution);
    std::optional<std::string> failure;
    if (outcome == Outcome::kAbandoned) {
      // Not a verdict on the program: the strategy gave up on this schedule. Counted, and the
      // exploration can no longer claim to be exhausted.
      if (result.abandoned++ == 0) result.first_abandon_reason = execution.failure();
    } else if (outcome == Outcome::kPruned) {
      // Cut short as equivalent to an execution already explored.
    } else if (outcome == Outcome::kInvalidPick) {
      failure = "strategy error: " + execution.failure();
    } else if (check) {
      failure = check(execution);
      if (!failure && outcome == Outcome::kFailed) failure = execution.failure();
    } else if (outcome != Outcome::kCompleted) {
      failure = execution.failure().empty() ? std::string(outcome_name(outcome))
                                            : execution.failure();
      if (outcome == Outcome::kStuck && execution.wait_for()) {
        failure = execution.wait_for()->format();
      }
    }
    scheduler.end_execution({outcome, execution.step(), failure.has_value()});
    ++result.executions;
    if (failure) {
      ++result.failures;
      if (!result.first_failure) {
        result.first_failure = FailingExecution{result.executions - 1, *seed, outcome,
                                                *failure, scheduler.steps(), scheduler.values(),
                                                execution.wait_for(),
                                                std::string(execution.failure_property())};
      }
      if (options.stop_on_failure) break;
    }
  }
  result.exhausted = strategy.exhausted() && result.abandoned == 0;
  result.metrics = scheduler.metrics();
  return result;
}

}  // namespace lockstep::sim
