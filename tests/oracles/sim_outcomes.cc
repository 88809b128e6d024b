#include "tests/oracles/sim_outcomes.h"

#include <functional>
#include <optional>
#include <string_view>
#include <utility>

#include "sim/explore.h"
#include "sim/sim_runtime.h"
#include "tests/oracles/run_program.h"

namespace lockstep::oracles {
namespace {

struct SimBackend {
  using Mutex = sim::Mutex;
  using SharedMutex = sim::SharedMutex;
  using Channel = sim::Channel<int>;
  using Task = sim::JoinHandle;
  struct CondVar {
    explicit CondVar(std::string_view name) : cv(name) {}
    template <class Pred>
    void wait(Mutex& m, Pred pred) {
      cv.wait(m, pred);
    }
    void notify_one() { cv.notify_one(); }
    void notify_all() { cv.notify_all(); }
    sim::CondVar cv;
  };
  struct Ctx {
    Ctx child(std::size_t) const { return {}; }
    void delay() {}
    void point() { sim::yield_now(); }
    template <class F>
    Task spawn(F body) {
      return sim::spawn("task", std::function<void()>(std::move(body)));
    }
  };
};

std::string schedule_of(const sim::Execution& ex) {
  std::string s;
  for (const sim::StepRecord& step : ex.scheduler().steps()) {
    if (!s.empty()) s += ", ";
    s += "t" + std::to_string(sim::raw(step.task)) + " ";
    s += sim::op_kind_name(step.op.kind);
    if (step.op.object != sim::kNoObject && step.op.kind != sim::OpKind::kJoin &&
        sim::raw(step.op.object) < ex.object_count()) {
      s += " " + ex.object_name(step.op.object);
    }
  }
  return s;
}

}  // namespace

SimOutcomes dfs_outcomes(const Program& p, std::uint64_t max_executions) {
  std::optional<World<SimBackend>> world;
  SimOutcomes out;
  auto check = [&](const sim::Execution& ex) -> std::optional<std::string> {
    End end = End::kOther;
    if (ex.outcome() == sim::Outcome::kCompleted) end = End::kCompleted;
    if (ex.outcome() == sim::Outcome::kStuck) {
      end = End::kStuck;
      ++out.stuck;
    }
    Outcome o = world->outcome(end);
    if (end == End::kOther) {
      o.other = std::string(sim::outcome_name(ex.outcome())) + ": " + ex.failure();
    }
    out.outcomes.try_emplace(o.str(), schedule_of(ex));
    return std::nullopt;
  };
  auto root = [&] {
    SimBackend::Ctx ctx;
    run_task<SimBackend>(*world, p, 0, ctx);
  };
  auto dfs = sim::make_dfs_strategy({std::nullopt, max_executions});
  sim::ExploreOptions options;
  options.stop_on_failure = false;
  options.before_each = [&] { world.emplace(p); };
  const sim::ExploreResult r = sim::explore(*dfs, root, options, check);
  out.executions = r.executions;
  out.exhausted = r.exhausted;
  return out;
}

}  // namespace lockstep::oracles
