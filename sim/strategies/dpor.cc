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
// spawn and join, observations, virtual time).
// Departures from the paper: a backtrack candidate that cannot run at its state (possible
// only if the dependence above missed an enabling) makes all runnable tasks candidates there,
// as in Flanagan and Godefroid's DPOR (POPL 2005); the pending operations of the tasks left
// at the end of an execution (blocked forever, or cut off) race like executed steps, so a
// lock that one task never got is tried first in a reordering. Object ids follow binding
// order, so a sleeping step's objects name the same objects in a later execution only if they
// were bound before that step: a step that bound one is not put to sleep. At most 64 tasks
// per execution.
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
// the bound). tests/strategies/dpor_test.cc checks that this reaches exactly the outcomes of
// preemption-bounded DFS on random programs; each rule was needed by a counterexample there.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <vector>

#include "sim/strategies/dpor_dependence.h"
#include "sim/strategies/strategy.h"

namespace lockstep::sim {

namespace {

using namespace dpor;

constexpr std::uint32_t kMaxTasks = 64;
using Mask = std::uint64_t;
using VClock = std::array<std::uint32_t, kMaxTasks>;

constexpr Mask bit_of(TaskId t) { return Mask{1} << raw(t); }

class DporStrategy final : public Strategy {
 public:
  explicit DporStrategy(const DporOptions& o) : options_(o) {}
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
    reset_analysis();
    return executions_++;
  }

  std::optional<TaskId> pick_task(const SchedulingPoint& p) override {
    Mask runnable = 0;
    for (const Candidate& c : p.runnable) {
      if (raw(c.task) >= kMaxTasks) {
        error_ = fmt::format("dpor: task {} exceeds the limit of {} tasks per execution",
                             raw(c.task), kMaxTasks);
        return std::nullopt;
      }
      runnable |= bit_of(c.task);
    }
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
    if (p.current && (runnable & bit_of(*p.current)) != 0) n.running = bit_of(*p.current);
    if (!bounded() && !advanced && last_sched_ != kNone) {
      inherit_sleep(path_[last_sched_], n.sleep);
    }
    Mask asleep = 0;
    for (const Footprint& s : n.sleep) asleep |= bit_of(s.task);
    const Mask choices = runnable & ~asleep;
    if (choices == 0) {
      pruned_now_ = true;
      return std::nullopt;
    }
    TaskId pick{static_cast<std::uint32_t>(std::countr_zero(choices))};
    if (p.current && (choices & bit_of(*p.current)) != 0) pick = *p.current;
    n.chosen = pick;
    n.backtrack = bit_of(pick);
    n.done = bit_of(pick);
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
    Footprint f;
    f.task = step_task_;
    f.op = step_op_.kind;
    f.object = step_op_.object;
    f.effects = effects;
    f.timed = f.op == OpKind::kSleep || effects.timed_out;
    path_[pending_node_].chosen_fp = f;
    process(f, pending_node_);
  }

  void on_clock_advance() override {
    advanced_ = true;
    for (std::uint32_t t = 0; t < ntasks_; ++t) join(epoch_, clock_[t]);
  }

  void on_pending(std::span<const Candidate> tasks) override {
    for (const Candidate& c : tasks) {
      if (raw(c.task) >= kMaxTasks) continue;
      Footprint f;
      f.task = c.task;
      f.op = c.next.kind;
      f.object = c.next.object;
      race_pending(f);
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
      Mask asleep = 0;
      for (const Footprint& s : n.sleep) asleep |= bit_of(s.task);
      Mask next = n.backtrack & n.enabled & ~n.done & ~asleep;
      if (bounded()) {  // choices that would exceed the bound are never taken
        for (Mask m = next; m != 0; m &= m - 1) {
          const TaskId q{static_cast<std::uint32_t>(std::countr_zero(m))};
          if (n.base_preemptions + preempts(n, q) > *options_.preemption_bound) {
            next &= ~bit_of(q);
            n.done |= bit_of(q);
          }
        }
      }
      if (next != 0) {
        n.chosen = TaskId{static_cast<std::uint32_t>(std::countr_zero(next))};
        n.done |= bit_of(n.chosen);
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
    Mask enabled = 0;
    Mask backtrack = 0;
    Mask done = 0;
    TaskId chosen{};
    Mask running = 0;  // the task that took the previous step, if it can go on: not a preemption
    std::uint32_t base_preemptions = 0;  // preemptions on the path before this state
    Footprint chosen_fp;
    std::vector<Footprint> sleep;     // asleep on arrival here
    std::vector<Footprint> explored;  // steps already explored from here (asleep for siblings)
  };

  struct Event {
    TaskId task;
    OpKind op;
    std::uint32_t index;  // 1-based among its task's steps
    std::uint32_t node;   // path index of the state the step was taken from
  };

  struct ObjectState {
    std::uint64_t generation = 0;
    std::int64_t last_write = -1;
    std::vector<std::uint32_t> reads;     // since the last write
    std::vector<std::uint32_t> releases;  // since the last write
    // Under a preemption bound: every write and read of this execution (see collect_races).
    std::vector<std::uint32_t> all_writes;
    std::vector<std::uint32_t> all_reads;
    VClock write_clock{};
    VClock read_clock{};
    VClock release_clock{};         // every release
    VClock writer_release_clock{};  // exclusive releases
  };

  bool bounded() const { return options_.preemption_bound.has_value(); }
  // Switching away from the task that took the previous step while it can still go on.
  static std::uint32_t preempts(const Node& n, TaskId q) {
    return n.running != 0 && (n.running & bit_of(q)) == 0 ? 1 : 0;
  }

  void join(VClock& a, const VClock& b) const {
    for (std::uint32_t i = 0; i < ntasks_; ++i) a[i] = std::max(a[i], b[i]);
  }
  bool happens_before(std::uint32_t event, const VClock& c) const {
    const Event& e = events_[event];
    return c[raw(e.task)] >= e.index;
  }

  void reset_analysis() {
    ++generation_;
    events_.clear();
    clocks_.clear();
    ntasks_ = 1;
    for (std::uint32_t t = 0; t < kMaxTasks; ++t) {
      clock_[t].fill(0);
      exit_clock_[t].fill(0);
      counts_[t] = 0;
    }
    epoch_.fill(0);
    last_global_ = -1;
  }

  ObjectState& state(std::uint32_t key) {
    std::size_t slot;
    if (key < kHeadKey) {
      slot = 2 + kMaxTasks + 64 + 2 * std::size_t{key};
    } else if (key < kSpawnKey) {
      slot = 2 + kMaxTasks + 64 + 2 * std::size_t{key - kHeadKey} + 1;
    } else if (key == kSpawnKey) {
      slot = 0;
    } else if (key >= kExitKey) {
      slot = 1 + (key - kExitKey);
    } else {
      slot = 1 + kMaxTasks + (key - kObservationKey);
    }
    if (slot >= objects_.size()) objects_.resize(slot + 1);
    ObjectState& s = objects_[slot];
    if (s.generation != generation_) {
      s.generation = generation_;
      s.last_write = -1;
      s.reads.clear();
      s.releases.clear();
      s.all_writes.clear();
      s.all_reads.clear();
      s.write_clock.fill(0);
      s.read_clock.fill(0);
      s.release_clock.fill(0);
      s.writer_release_clock.fill(0);
    }
    return s;
  }

  void note_task(TaskId t) { ntasks_ = std::max(ntasks_, raw(t) + 1); }

  // Earlier steps that conflict with an access of task `t` whose clock (before the access's
  // own ordering) is `c`, and are not ordered before it.
  void collect_races(const KeyAccess& a, TaskId t, const VClock& c,
                     std::vector<std::uint32_t>& out) {
    ObjectState& s = state(a.key);
    auto consider = [&](std::int64_t e) {
      if (e < 0) return;
      const auto ev = static_cast<std::uint32_t>(e);
      if (events_[ev].task == t || happens_before(ev, c)) return;
      if (std::find(out.begin(), out.end(), ev) == out.end()) out.push_back(ev);
    };
    switch (a.kind) {
      case Kind::kRead: consider(s.last_write); break;
      case Kind::kTry:
        for (std::uint32_t e : s.releases) consider(e);
        [[fallthrough]];
      case Kind::kWrite:
        consider(s.last_write);
        for (std::uint32_t e : s.reads) consider(e);
        break;
      case Kind::kRelease:
      case Kind::kReleaseShared: break;
    }
    // Under a bound the reordering with the last conflicting step may cost more than the
    // bound allows, and with it the chain of reorderings that would reach the earlier ones:
    // every earlier conflicting step not ordered before this one is a race of its own.
    if (bounded() && a.kind != Kind::kRelease && a.kind != Kind::kReleaseShared) {
      for (std::uint32_t e : s.all_writes) consider(e);
      if (a.kind != Kind::kRead) {
        for (std::uint32_t e : s.all_reads) consider(e);
      }
    }
  }

  void collect_global_races(TaskId t, const VClock& c, std::vector<std::uint32_t>& out) {
    for (std::uint32_t e = 0; e < events_.size(); ++e) {
      if (events_[e].task != t && !happens_before(e, c) &&
          std::find(out.begin(), out.end(), e) == out.end()) {
        out.push_back(e);
      }
    }
  }

  // Whether an access belongs to the step's leading operation (synchronizes first) rather
  // than to the code that ran after it.
  static bool leading(const Footprint& f, const KeyAccess& a) {
    const std::uint32_t obj = raw(f.object);
    return a.key == obj || a.key == kHeadKey + obj || a.key == kSpawnKey || a.key >= kExitKey;
  }

  void process(const Footprint& f, std::uint32_t node) {
    const TaskId t = f.task;
    note_task(t);
    const auto me = static_cast<std::uint32_t>(events_.size());
    VClock c = clock_[raw(t)];
    c[raw(t)] = ++counts_[raw(t)];
    if (f.op == OpKind::kJoin && raw(f.object) < kMaxTasks) join(c, exit_clock_[raw(f.object)]);
    accesses_of(f, false, scratch_);
    races_found_.clear();
    if (last_global_ >= 0) {
      const auto g = static_cast<std::uint32_t>(last_global_);
      if (events_[g].task != t && !happens_before(g, c)) races_found_.push_back(g);
      join(c, clocks_[static_cast<std::size_t>(last_global_)]);
    }
    if (is_global(f)) {
      collect_global_races(t, c, races_found_);
      for (std::uint32_t u = 0; u < ntasks_; ++u) join(c, clock_[u]);
    }
    // The leading operation races with what it conflicts with, then is ordered after it; the
    // code after it (arrivals, observations, releases of other locks) races from there, so
    // that what the operation had to wait for is not taken for a race.
    for (const bool lead : {true, false}) {
      if (!is_global(f)) {
        for (const KeyAccess& a : scratch_) {
          if (leading(f, a) != lead || a.key >= kExitKey) continue;
          collect_races(a, t, c, races_found_);
        }
      }
      for (const KeyAccess& a : scratch_) {
        if (leading(f, a) != lead || a.key >= kExitKey) continue;
        ObjectState& s = state(a.key);
        switch (a.kind) {
          case Kind::kRead:
            join(c, s.write_clock);
            join(c, s.writer_release_clock);
            break;
          case Kind::kWrite:
          case Kind::kTry:
            if (a.key >= kHeadKey && a.key < kSpawnKey) break;  // a receive: below
            join(c, s.write_clock);
            join(c, s.read_clock);
            join(c, s.release_clock);
            break;
          case Kind::kRelease:
          case Kind::kReleaseShared: break;
        }
      }
      if (lead && (f.op == OpKind::kRecv || f.op == OpKind::kRecvUntil)) {
        ChannelState& ch = channel(raw(f.object));
        join(c, state(kHeadKey + raw(f.object)).write_clock);  // receives are ordered
        if (f.effects.no_value) {
          join(c, ch.close_clock);
        } else if (!f.effects.timed_out && ch.received < ch.sends.size()) {
          join(c, ch.sends[ch.received++]);
        }
      }
    }
    if (f.timed) {
      // A step that ran because the clock jumped cannot run before a step taken before the
      // jump (the clock moves only when nothing else can run), so those races are dropped,
      // except that a receive that timed out could have taken a value instead: a send, or a
      // receive that took what it could have got. Races with steps after the jump stay.
      std::erase_if(races_found_, [this, &f](std::uint32_t e) {
        const OpKind op = events_[e].op;
        const bool channel = op == OpKind::kRecv || op == OpKind::kRecvUntil || op == OpKind::kSend;
        return happens_before(e, epoch_) && !(f.effects.timed_out && channel);
      });
    }
    events_.push_back({t, f.op, counts_[raw(t)], node});
    for (std::uint32_t e : races_found_) add_backtrack(e, me, t, c);
    if (f.timed) join(c, epoch_);
    clocks_.push_back(c);
    for (const KeyAccess& a : scratch_) {
      if (a.key >= kExitKey) continue;
      ObjectState& s = state(a.key);
      switch (a.kind) {
        case Kind::kRead:
          s.reads.push_back(me);
          if (bounded()) s.all_reads.push_back(me);
          join(s.read_clock, c);
          break;
        case Kind::kWrite:
        case Kind::kTry:
          if (bounded()) s.all_writes.push_back(me);
          s.last_write = me;
          s.write_clock = c;
          s.reads.clear();
          s.read_clock.fill(0);
          s.releases.clear();
          break;
        case Kind::kRelease:
          join(s.writer_release_clock, c);
          [[fallthrough]];
        case Kind::kReleaseShared:
          join(s.release_clock, c);
          s.releases.push_back(me);
          break;
      }
    }
    if (f.op == OpKind::kSend && !f.effects.no_value) channel(raw(f.object)).sends.push_back(c);
    if (f.op == OpKind::kClose) channel(raw(f.object)).close_clock = c;
    if (is_global(f)) last_global_ = me;
    if (f.op == OpKind::kExit) exit_clock_[raw(t)] = c;
    if (f.op == OpKind::kSpawn && raw(f.effects.spawned) < kMaxTasks) {
      const TaskId child = f.effects.spawned;
      note_task(child);
      clock_[raw(child)] = c;
      counts_[raw(child)] = 0;
    }
    clock_[raw(t)] = c;
  }

  struct ChannelState {
    std::uint64_t generation = 0;
    std::vector<VClock> sends;  // clock of each value sent, in order
    std::size_t received = 0;   // values taken so far
    VClock close_clock{};
  };

  ChannelState& channel(std::uint32_t obj) {
    if (obj >= channels_.size()) channels_.resize(obj + 1);
    ChannelState& ch = channels_[obj];
    if (ch.generation != generation_) {
      ch.generation = generation_;
      ch.sends.clear();
      ch.received = 0;
      ch.close_clock.fill(0);
    }
    return ch;
  }

  // A task's operation that never ran: it races like a step would, nothing is updated.
  void race_pending(const Footprint& f) {
    const TaskId t = f.task;
    note_task(t);
    VClock c = clock_[raw(t)];
    c[raw(t)] = counts_[raw(t)] + 1;
    accesses_of(f, true, scratch_);
    races_found_.clear();
    if (last_global_ >= 0) {
      const auto g = static_cast<std::uint32_t>(last_global_);
      if (events_[g].task != t && !happens_before(g, c)) races_found_.push_back(g);
    }
    for (const KeyAccess& a : scratch_) {
      if (a.key >= kExitKey) continue;
      collect_races(a, t, c, races_found_);
    }
    const auto virtual_event = static_cast<std::uint32_t>(events_.size());
    for (std::uint32_t e : races_found_) add_backtrack(e, virtual_event, t, c);
  }

  // Race (e, later), `later` by task p with clock c (`later` may be one past the last event:
  // a pending operation). Makes sure the state before e will also try a task that can start a
  // reordering in which `later` runs before e.
  void add_backtrack(std::uint32_t e, std::uint32_t later, TaskId p, const VClock& c) {
    ++races_;
    const Event& ev = events_[e];
    Node& n = path_[ev.node];
    const std::uint32_t et = raw(ev.task);
    // First step after e of each task, and whether it is independent of e (not after it).
    std::array<std::uint32_t, kMaxTasks> first_free;  // task-local index, or ~0u
    first_free.fill(~0u);
    Mask seen = 0;
    Mask initials = 0;
    candidates_.clear();
    for (std::uint32_t k = e + 1; k < later; ++k) {
      const Event& x = events_[k];
      if ((seen & bit_of(x.task)) != 0) continue;
      seen |= bit_of(x.task);
      if (clocks_[k][et] >= ev.index) continue;  // after e: not in notdep(e)
      first_free[raw(x.task)] = x.index;
      candidates_.push_back(k);
    }
    auto is_initial = [&](TaskId task, const VClock& kc) {
      for (std::uint32_t u = 0; u < ntasks_; ++u) {
        if (u != raw(task) && first_free[u] != ~0u && kc[u] >= first_free[u]) return false;
      }
      return true;
    };
    for (std::uint32_t k : candidates_) {
      if (is_initial(events_[k].task, clocks_[k])) initials |= bit_of(events_[k].task);
    }
    if ((seen & bit_of(p)) == 0 && is_initial(p, c)) initials |= bit_of(p);
    // Under a bound, another initial's subtree may not reach the reordering within it: p
    // itself, or every task where p cannot run (Flanagan and Godefroid's rule).
    if (bounded()) initials = bit_of(p);
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
  void offer(Node& n, Mask initials, TaskId p) {
    if ((initials & n.backtrack) != 0) return;
    Mask add = 0;
    if ((initials & bit_of(p)) != 0) {
      add = bit_of(p);
    } else if (initials != 0) {
      add = initials & (~initials + 1);
    }
    if (add == 0 || (add & n.enabled) == 0) {
      add = n.enabled;  // cannot start there: all
      ++fallbacks_;
    }
    n.backtrack |= add;
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

  // Happens-before analysis of the current execution.
  std::uint64_t generation_ = 0;
  std::vector<Event> events_;
  std::vector<VClock> clocks_;
  std::array<VClock, kMaxTasks> clock_{};
  std::array<VClock, kMaxTasks> exit_clock_{};
  std::array<std::uint32_t, kMaxTasks> counts_{};
  VClock epoch_{};
  std::int64_t last_global_ = -1;
  std::uint32_t ntasks_ = 1;
  std::vector<ObjectState> objects_;
  std::vector<ChannelState> channels_;
  std::vector<KeyAccess> scratch_;
  std::vector<KeyAccess> sleep_a_;
  std::vector<KeyAccess> sleep_b_;
  std::vector<std::uint32_t> races_found_;
  std::vector<std::uint32_t> candidates_;
};

}  // namespace

std::unique_ptr<Strategy> make_dpor_strategy(const DporOptions& options) {
  return std::make_unique<DporStrategy>(options);
}

}  // namespace lockstep::sim
