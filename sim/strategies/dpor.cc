// sim/strategies/dpor.cc: dynamic partial-order reduction with source sets and sleep sets.
//
// The algorithm is source-DPOR of Abdulla, Aronis, Jonsson and Sagonas, "Optimal Dynamic
// Partial Order Reduction", POPL 2014 (Algorithm 1), on top of the stateless search of
// sim/strategies/dfs.cc: every execution replays the current path, then extends it. While an
// execution runs, each completed step is given a vector clock (happens-before) and compared
// with the earlier steps it conflicts with; for each race (e, e') — steps of different tasks
// that conflict and are not ordered by happens-before — the initials of notdep(e).e' (the
// tasks whose first step after e could run first in a reordering that puts e' before e) are
// computed, and one of them is added to the backtrack set of the state before e unless one
// already is. Sleep sets (Godefroid, 1996) keep the search from re-entering equivalent
// executions: a task explored at a state sleeps in the later siblings' subtrees until a
// conflicting step runs. An execution in which every runnable task sleeps is pruned
// (Outcome::kPruned): it is equivalent to one already explored.
//
// Conflicts and happens-before: sim/strategies/dpor_dependence.h (locks, arrivals, channels,
// spawn and join, observations, virtual time); the vector clocks and race detection:
// sim/strategies/dpor_hb.h. This file is the search.
// Departures from the paper: a backtrack candidate that cannot run at its state (possible
// only if the dependence above missed an enabling) makes all runnable tasks candidates there,
// as in Flanagan and Godefroid's DPOR (POPL 2005); the pending operations of the tasks left
// at the end of an execution (blocked forever, or cut off) race like executed steps, so a
// lock that one task never got is tried first in a reordering. Object ids follow binding
// order, so a sleeping step's objects name the same objects in a later execution only if they
// were bound before that step: a step that bound one is not put to sleep. Any number of tasks
// (sim/strategies/dpor_hb.h: task sets and clocks grow with the largest execution).
//
// Preemption bound (optional). With a bound k only schedules with at most k preemptions are
// run (a preemption: switching away from the task that took the last step while it can go
// on; waking a task after a jump of the clock is free), and the claim on exhaustion becomes
// "every outcome of a schedule with at most k preemptions was reached". Combining the two
// naively misses outcomes (Coons, Musuvathi and McKinley, "Bounded Partial-Order Reduction",
// OOPSLA 2013): a reordering that costs too much at the race's state may be cheap earlier.
// Here, under a bound: sleep sets are off (a sleeper's covering execution may lie outside
// the bound); a race adds its later task itself (or every task, if it cannot run there), not
// any initial; it adds it at every state of the run of the earlier step's task, back to where
// that task took over, too; and every earlier conflicting step not ordered before a step is
// a race, not only the last (the chain of reorderings through the last one may not fit in
// the bound). tests/strategies/dpor_differential_test.cc checks that this reaches exactly the
// outcomes of preemption-bounded DFS on random programs; each rule was needed by a counterexample
// there.
#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "sim/strategies/dpor_dependence.h"
#include "sim/strategies/dpor_hb.h"
#include "sim/strategies/strategy.h"

namespace lockstep::sim {

namespace {

using namespace dpor;

class DporStrategy final : public Strategy, private RaceSink {
 public:
  explicit DporStrategy(const DporOptions& o)
      : options_(o), hb_(o.preemption_bound.has_value()) {}
  std::string_view name() const noexcept override { return "dpor"; }
  bool wants_steps() const override { return true; }

  std::optional<std::uint64_t> begin_execution() override {
    if (done_) return std::nullopt;
    if (options_.max_executions != 0 && executions_ >= options_.max_executions) {
      return std::nullopt;
    }
    depth_ = 0;
    preemptions_ = 0;
    last_sched_ = kNone;
    pruned_now_ = false;
    advanced_ = false;
    error_.clear();
    hb_.reset();
    return executions_++;
  }

  std::optional<TaskId> pick_task(const SchedulingPoint& p) override {
    TaskMask& runnable = runnable_;
    runnable.clear();
    for (const Candidate& c : p.runnable) runnable.set(c.task);
    const bool advanced = advanced_;
    advanced_ = false;
    if (depth_ < path_.size()) {  // replaying the current path
      Node& n = path_[depth_];
      if (n.is_value || n.enabled != runnable) {
        error_ = fmt::format("nondeterminism: at step {} the runnable tasks differ from an "
                             "earlier execution with the same prefix",
                             p.step);
        return std::nullopt;
      }
      pending_node_ = static_cast<std::uint32_t>(depth_);
      last_sched_ = depth_++;
      preemptions_ += preempts(n, n.chosen);
      return n.chosen;
    }
    Node n;
    n.enabled = runnable;
    n.base_preemptions = preemptions_;
    if (p.current && runnable.has(*p.current)) n.running = *p.current;
    if (!bounded() && !advanced && last_sched_ != kNone) {
      inherit_sleep(path_[last_sched_], n.sleep);
    }
    TaskMask& choices = scratch_;
    choices = runnable;
    for (const Footprint& s : n.sleep) choices.reset(s.task);
    if (choices.empty()) {
      pruned_now_ = true;
      return std::nullopt;
    }
    TaskId pick = choices.lowest();
    if (p.current && choices.has(*p.current)) pick = *p.current;
    n.chosen = pick;
    n.backtrack.set(pick);
    n.done.set(pick);
    preemptions_ += preempts(n, pick);
    path_.push_back(std::move(n));
    pending_node_ = static_cast<std::uint32_t>(depth_);
    last_sched_ = depth_++;
    return pick;
  }

  std::uint64_t pick_value(std::uint64_t bound) override {
    if (depth_ < path_.size()) return path_[depth_++].value;
    Node n;
    n.is_value = true;
    n.value_bound = bound;
    path_.push_back(std::move(n));
    ++depth_;
    return 0;
  }

  void on_step(const StepRecord& step) override {
    step_task_ = step.task;
    step_op_ = step.op;
  }

  void on_step_done(const StepEffects& effects) override {
    Footprint f = footprint_of(step_task_, step_op_, effects);
    if (options_.records_commute) f.effects.observed = 0;
    path_[pending_node_].chosen_fp = f;
    hb_.step(f, pending_node_, *this);
  }

  void on_clock_advance() override {
    advanced_ = true;
    hb_.clock_advanced();
  }

  void on_pending(std::span<const Candidate> tasks) override {
    for (const Candidate& c : tasks) {
      Footprint f;
      f.task = c.task;
      f.op = c.next.kind;
      f.object = c.next.object;
      hb_.pending(f, *this);
    }
  }

  void end_execution(const ExecutionOutcome& outcome) override {
    if (outcome.outcome == Outcome::kPruned) ++pruned_;
    path_.resize(depth_);
    while (!path_.empty()) {
      Node& n = path_.back();
      if (n.is_value) {
        if (++n.value < n.value_bound) return;
        path_.pop_back();
        continue;
      }
      n.explored.push_back(n.chosen_fp);
      TaskMask& next = scratch_;
      next = n.backtrack;
      next &= n.enabled;
      next.remove(n.done);
      for (const Footprint& s : n.sleep) next.reset(s.task);
      if (bounded()) {  // choices that would exceed the bound are never taken
        next.for_each([&](TaskId q) {
          if (n.base_preemptions + preempts(n, q) > *options_.preemption_bound) {
            next.reset(q);
            n.done.set(q);
          }
        });
      }
      if (!next.empty()) {
        n.chosen = next.lowest();
        n.done.set(n.chosen);
        return;
      }
      path_.pop_back();
    }
    done_ = true;
  }

  bool pruned() const override { return pruned_now_; }
  std::string abandon_reason() const override { return error_; }
  bool exhausted() const override { return done_; }
  std::vector<std::pair<std::string, std::string>> options() const override {
    return {{"max-executions", std::to_string(options_.max_executions)},
            {"preemption-bound",
             bounded() ? std::to_string(*options_.preemption_bound) : "none"},
            {"records", options_.records_commute ? "commute" : "ordered"},
            {"pruned-by-sleep-sets", std::to_string(pruned_)},
            {"races", std::to_string(races_)},
            {"all-runnable-fallbacks", std::to_string(fallbacks_)}};
  }

 private:
  static constexpr std::size_t kNone = ~std::size_t{0};

  struct Node {
    bool is_value = false;
    std::uint64_t value_bound = 0;
    std::uint64_t value = 0;
    TaskMask enabled;
    TaskMask backtrack;
    TaskMask done;
    TaskId chosen{};
    // The task that took the previous step, if it can go on: switching to it is no preemption.
    std::optional<TaskId> running;
    std::uint32_t base_preemptions = 0;  // preemptions on the path before this state
    Footprint chosen_fp;
    std::vector<Footprint> sleep;     // asleep on arrival here
    std::vector<Footprint> explored;  // steps already explored from here (asleep for siblings)
  };

  bool bounded() const { return options_.preemption_bound.has_value(); }
  // Switching away from the task that took the previous step while it can still go on.
  static std::uint32_t preempts(const Node& n, TaskId q) {
    return n.running && *n.running != q ? 1 : 0;
  }

  // Race (e, later), `later` by task p with clock c (`later` may be one past the last event:
  // a pending operation). Makes sure the state before e will also try a task that can start a
  // reordering in which `later` runs before e.
  void race(std::uint32_t e, std::uint32_t later, TaskId p, const VClock& c) override {
    ++races_;
    const Event& ev = hb_.event(e);
    Node& n = path_[ev.node];
    const std::uint32_t et = raw(ev.task);
    // First step after e of each task, and whether it is independent of e (not after it).
    // Task-local index, or ~0u; only tasks below ntasks() are read (grows with the largest
    // execution only).
    if (first_free_.size() < hb_.ntasks()) first_free_.resize(hb_.ntasks());
    std::fill_n(first_free_.begin(), hb_.ntasks(), ~0u);
    TaskMask& seen = seen_;
    TaskMask& initials = initials_;
    seen.clear();
    initials.clear();
    candidates_.clear();
    for (std::uint32_t k = e + 1; k < later; ++k) {
      const Event& x = hb_.event(k);
      if (seen.has(x.task)) continue;
      seen.set(x.task);
      if (entry(hb_.clock(k), et) >= ev.index) continue;  // after e: not in notdep(e)
      first_free_[raw(x.task)] = x.index;
      candidates_.push_back(k);
    }
    auto is_initial = [&](TaskId task, const VClock& kc) {
      for (std::uint32_t u = 0; u < hb_.ntasks(); ++u) {
        if (u != raw(task) && first_free_[u] != ~0u && entry(kc, u) >= first_free_[u]) {
          return false;
        }
      }
      return true;
    };
    for (std::uint32_t k : candidates_) {
      if (is_initial(hb_.event(k).task, hb_.clock(k))) initials.set(hb_.event(k).task);
    }
    if (!seen.has(p) && is_initial(p, c)) initials.set(p);
    // Under a bound, another initial's subtree may not reach the reordering within it: p
    // itself, or every task where p cannot run (Flanagan and Godefroid's rule).
    if (bounded()) {
      initials.clear();
      initials.set(p);
    }
    offer(n, initials, p);
    if (bounded()) {
      // Bounded partial-order reduction (Coons, Musuvathi and McKinley, OOPSLA 2013): the
      // reordering may cost a preemption at e's state that it would not cost earlier in the
      // run of e's task, and may need fewer preemptions later when it starts earlier, so every
      // state of that run (back to where e's task took over) is a backtrack point as well.
      for (std::uint32_t k = ev.node; k-- > 0;) {
        if (path_[k].is_value) continue;
        if (path_[k].chosen != ev.task) break;
        offer(path_[k], initials, p);
      }
    }
  }

  // Makes sure `n` will try one of `initials` (p first), or every task if none can run there.
  void offer(Node& n, const TaskMask& initials, TaskId p) {
    if (initials.intersects(n.backtrack)) return;
    std::optional<TaskId> add;
    if (initials.has(p)) {
      add = p;
    } else if (!initials.empty()) {
      add = initials.lowest();
    }
    if (!add || !n.enabled.has(*add)) {
      n.backtrack |= n.enabled;  // cannot start there: all
      ++fallbacks_;
      return;
    }
    n.backtrack.set(*add);
  }

  // A sleeper is a step taken in an earlier execution: its objects must name the same objects
  // here. Those bound before the step do (the prefix is the same); one bound during the step
  // may not (ids follow binding order), so such a step is not put to sleep.
  static bool portable(const Footprint& f) {
    for (int i = 0; i < f.effects.count; ++i) {
      if (raw(f.effects.accesses[i].object) >= f.effects.objects_before) return false;
    }
    return true;
  }

  void inherit_sleep(const Node& parent, std::vector<Footprint>& out) {
    const Footprint& step = parent.chosen_fp;
    auto keep = [&](const Footprint& s) {
      if (s.task == step.task) return;
      if (independent(s, step, sleep_a_, sleep_b_)) out.push_back(s);
    };
    for (const Footprint& s : parent.sleep) keep(s);
    for (const Footprint& s : parent.explored) {
      if (portable(s)) keep(s);
    }
  }

  DporOptions options_;
  std::vector<Node> path_;
  std::size_t depth_ = 0;
  std::size_t last_sched_ = kNone;  // path index of the latest scheduling node this execution
  std::uint32_t pending_node_ = 0;  // node of the step under way
  TaskId step_task_{};
  PendingOp step_op_{OpKind::kYield, kNoObject};
  std::uint32_t preemptions_ = 0;  // on the path so far, this execution
  bool advanced_ = false;
  bool pruned_now_ = false;
  bool done_ = false;
  std::uint64_t executions_ = 0;
  std::uint64_t pruned_ = 0;
  std::uint64_t races_ = 0;
  std::uint64_t fallbacks_ = 0;
  std::string error_;

  HappensBefore hb_;  // of the current execution
  std::vector<KeyAccess> sleep_a_;
  std::vector<KeyAccess> sleep_b_;
  std::vector<std::uint32_t> candidates_;
  // Scratch space, kept across steps and executions (grows with the largest execution only).
  TaskMask runnable_;
  TaskMask scratch_;
  TaskMask seen_;
  TaskMask initials_;
  std::vector<std::uint32_t> first_free_;
};

}  // namespace

std::unique_ptr<Strategy> make_dpor_strategy(const DporOptions& options) {
  return std::make_unique<DporStrategy>(options);
}

}  // namespace lockstep::sim
