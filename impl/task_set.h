// impl/task_set.h: the background tasks the manager owns (listeners, workers, starts, timers).
//
// Contract: spawn() starts an observed task and keeps its handle; join_all() joins every task,
// including tasks spawned while it runs, until none is left. The list is guarded by the
// "task_set" lock, taken with no other lock held. A task stalled forever keeps join_all()
// waiting: on OS threads the run releases its stall gates first; under the simulator the
// explorer ends the execution there ("only stalled tasks remain").
// Cost: one lock per spawn; handles are kept until join_all().
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "impl/observe.h"

namespace lockstep::impl {

template <class R>
class TaskSet {
 public:
  explicit TaskSet(Probe& probe) : probe_(probe) {}
  TaskSet(const TaskSet&) = delete;
  TaskSet& operator=(const TaskSet&) = delete;

  void spawn(std::string_view name, std::uint32_t label, std::string detail,
             std::function<void()> body) {
    auto task = spawn_observed<R>(probe_, name, label, std::move(detail), std::move(body));
    Guard lock(mu_);
    tasks_.push_back(std::move(task));
  }

  void join_all() {
    for (;;) {
      std::vector<typename R::Task> batch;
      {
        Guard lock(mu_);
        if (tasks_.empty()) return;
        batch.swap(tasks_);
      }
      for (auto& t : batch) t.join();
    }
  }

 private:
  Probe& probe_;
  typename R::Mutex mu_{"task_set"};
  std::vector<typename R::Task> tasks_;
};

}  // namespace lockstep::impl
