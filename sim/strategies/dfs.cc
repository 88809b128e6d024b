// sim/strategies/dfs.cc: exhaustive depth-first search over schedules, optionally bounded in
// preemptions.
//
// Stateless search as in VeriSoft (Godefroid, POPL 1997): each execution replays the choices
// of the current path from the start, then takes the first untried option at each new point;
// after it ends, the deepest point with an untried option advances. Data choices
// (pick_value) branch like scheduling choices.
//
// Preemption bounding follows Musuvathi and Qadeer, "Iterative Context Bounding for Systematic
// Testing of Multithreaded Programs", PLDI 2007: switching away from the task that ran the
// last step while it is still runnable is a preemption; paths with more than the bound are not
// explored. Departure: one fixed bound per exploration (iterating the bound is the caller's
// loop), and at each point the running task is tried first, so the schedules with the fewest
// preemptions come first.
//
// A replayed prefix that meets a different runnable set than recorded means the program is
// not deterministic under the simulator: the execution is abandoned with that message.
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "sim/strategies/strategy.h"

namespace lockstep::sim {

namespace {

class DfsStrategy final : public Strategy {
 public:
  explicit DfsStrategy(const DfsOptions& o) : options_(o) {}
  std::string_view name() const noexcept override { return "dfs"; }

  std::optional<std::uint64_t> begin_execution() override {
    if (done_) return std::nullopt;
    if (options_.max_executions != 0 && executions_ >= options_.max_executions) {
      return std::nullopt;
    }
    depth_ = 0;
    preemptions_ = 0;
    return executions_++;
  }

  std::optional<TaskId> pick_task(const SchedulingPoint& p) override {
    const bool cur_runnable =
        p.current && std::any_of(p.runnable.begin(), p.runnable.end(),
                                 [&](const Candidate& c) { return c.task == *p.current; });
    if (depth_ < path_.size()) {  // replaying the current path
      Node& n = path_[depth_];
      if (n.is_value || !same_runnable(n, p)) {
        error_ = fmt::format("nondeterminism: at step {} the runnable tasks differ from an "
                             "earlier execution with the same prefix",
                             p.step);
        return std::nullopt;
      }
      ++depth_;
      preemptions_ += n.preempts[n.chosen];
      return n.options[n.chosen];
    }
    Node n;
    n.is_value = false;
    // The running task first: fewest preemptions first.
    if (cur_runnable) n.options.push_back(*p.current);
    for (const Candidate& c : p.runnable) {
      if (!cur_runnable || c.task != *p.current) n.options.push_back(c.task);
    }
    for (TaskId t : n.options) n.preempts.push_back(cur_runnable && t != *p.current ? 1 : 0);
    n.base_preemptions = preemptions_;
    n.chosen = 0;
    path_.push_back(std::move(n));
    ++depth_;
    preemptions_ += path_.back().preempts[0];
    return path_.back().options[0];
  }

  std::uint64_t pick_value(std::uint64_t bound) override {
    if (depth_ < path_.size()) {
      Node& n = path_[depth_++];
      return n.chosen;
    }
    Node n;
    n.is_value = true;
    n.value_bound = bound;
    n.base_preemptions = preemptions_;
    path_.push_back(std::move(n));
    ++depth_;
    return 0;
  }

  void end_execution(const ExecutionOutcome&) override {
    path_.resize(depth_);  // an execution may end before replaying the whole path
    // Backtrack: advance the deepest node that has an option left within the bound.
    while (!path_.empty()) {
      Node& n = path_.back();
      if (advance(n)) return;
      path_.pop_back();
    }
    done_ = true;
  }

  std::string abandon_reason() const override { return error_; }
  bool exhausted() const override { return done_; }
  std::vector<std::pair<std::string, std::string>> options() const override {
    return {{"preemption-bound",
             options_.preemption_bound ? std::to_string(*options_.preemption_bound) : "none"},
            {"max-executions", std::to_string(options_.max_executions)}};
  }

 private:
  struct Node {
    bool is_value = false;
    std::vector<TaskId> options;         // scheduling choice: runnable tasks, running first
    std::vector<std::uint8_t> preempts;  // 1 if choosing options[i] is a preemption
    std::uint64_t value_bound = 0;       // data choice: values 0 .. bound-1
    std::uint32_t base_preemptions = 0;  // preemptions on the path before this node
    std::uint64_t chosen = 0;
  };

  bool advance(Node& n) {
    if (n.is_value) return ++n.chosen < n.value_bound;
    while (++n.chosen < n.options.size()) {
      const std::uint32_t total = n.base_preemptions + n.preempts[n.chosen];
      if (!options_.preemption_bound || total <= *options_.preemption_bound) return true;
    }
    return false;
  }

  static bool same_runnable(const Node& n, const SchedulingPoint& p) {
    if (n.options.size() != p.runnable.size()) return false;
    for (const Candidate& c : p.runnable) {
      if (std::find(n.options.begin(), n.options.end(), c.task) == n.options.end()) return false;
    }
    return true;
  }

  DfsOptions options_;
  std::vector<Node> path_;
  std::size_t depth_ = 0;
  std::uint32_t preemptions_ = 0;
  std::uint64_t executions_ = 0;
  bool done_ = false;
  std::string error_;
};

}  // namespace

std::unique_ptr<Strategy> make_dfs_strategy(const DfsOptions& options) {
  return std::make_unique<DfsStrategy>(options);
}

}  // namespace lockstep::sim
