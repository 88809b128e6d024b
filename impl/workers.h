// impl/workers.h: the command workers: one ordered worker per thread (t3code #1945), or one
// shared by all threads (the single-worker design).
//
// Contract
// - submit(t, create, run): queues `run` on t's worker, in submission order, and records
//   kCommandQueued under the "workers" lock (so the log shows submission order). With create
//   false and no worker for t, nothing is queued and submit returns false. A new worker's task
//   is spawned after the lock is released.
// - tear_down(t): removes t's worker and map entry and closes its queue; the worker runs what
//   was already queued, then exits. No-op for the shared worker (it belongs to no thread).
// - shutdown(): closes every queue (end of a run); later submits return false.
// - Jobs must not wait for another job of the same worker.
// Threading: any task. Cost: one lock per submit; one task per worker.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "impl/design_variant.h"
#include "impl/observe.h"
#include "impl/task_set.h"

namespace lockstep::impl {

template <class R>
class Workers {
 public:
  Workers(const DesignDecisions& decisions, Observer<R> observe, TaskSet<R>& tasks)
      : decisions_(decisions), observe_(observe), tasks_(tasks) {}
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  bool submit(ThreadId t, bool create, std::function<void()> run) {
    std::shared_ptr<Queue> spawn_queue;
    {
      Guard lock(mu_);
      Worker* w = find_locked(t);
      if (w == nullptr) {
        if (!create || closed_) return false;
        w = &create_locked(t);
        spawn_queue = w->queue;
      }
      const std::uint64_t id = next_command_++;
      Record r = make_record(RecordKind::kCommandQueued, t);  // before the worker can run it
      r.seq = id;
      r.note = "worker";
      observe_(std::move(r));
      if (!w->queue->send(Job{id, t, std::move(run)})) return false;  // closed at shutdown
    }
    if (spawn_queue) spawn_worker(t, std::move(spawn_queue));
    return true;
  }

  // Makes sure t has a worker (after a thread registers; a no-op for the shared worker).
  void ensure(ThreadId t) {
    if (!decisions_.uses_per_thread_workers()) return;
    std::shared_ptr<Queue> spawn_queue;
    {
      Guard lock(mu_);
      if (closed_ || by_thread_.contains(t)) return;
      spawn_queue = create_locked(t).queue;
    }
    spawn_worker(t, std::move(spawn_queue));
  }

  void tear_down(ThreadId t) {
    Guard lock(mu_);
    auto it = by_thread_.find(t);
    if (it == by_thread_.end()) return;
    it->second.queue->close();
    by_thread_.erase(it);
    --live_;
    observe_(make_record(RecordKind::kWorkerTornDown, t));
  }

  void shutdown() {
    Guard lock(mu_);
    closed_ = true;
    for (auto& [t, w] : by_thread_) w.queue->close();
    if (shared_) shared_->queue->close();
  }

  void fill(StateSnapshot& s) const {
    for (const auto& [t, w] : by_thread_) s.worker_map_entries.insert(t);
    s.live_workers = live_;
  }
  void fill_locked(StateSnapshot& s) {
    Guard lock(mu_);
    fill(s);
  }

 private:
  struct Job {
    std::uint64_t id = 0;
    ThreadId thread{};
    std::function<void()> run;
  };
  using Queue = typename R::template Channel<Job>;
  struct Worker {
    std::shared_ptr<Queue> queue;
  };

  Worker* find_locked(ThreadId t) {
    if (!decisions_.uses_per_thread_workers()) return shared_ ? &*shared_ : nullptr;
    auto it = by_thread_.find(t);
    return it == by_thread_.end() ? nullptr : &it->second;
  }

  Worker& create_locked(ThreadId t) {
    ++live_;
    auto queue = std::make_shared<Queue>("worker_queue");
    if (!decisions_.uses_per_thread_workers()) {
      shared_ = Worker{queue};
      observe_(make_record(RecordKind::kWorkerCreated));
      return *shared_;
    }
    observe_(make_record(RecordKind::kWorkerCreated, t));
    return by_thread_.emplace(t, Worker{queue}).first->second;
  }

  void spawn_worker(ThreadId t, std::shared_ptr<Queue> queue) {
    const bool shared = !decisions_.uses_per_thread_workers();
    Observer<R> observe = observe_;
    tasks_.spawn(shared ? "shared-worker" : "worker", shared ? kNoThreadLabel : raw(t), "",
                 [queue = std::move(queue), observe] {
                   while (auto job = queue->recv()) {
                     Record r = make_record(RecordKind::kCommandRun, job->thread);
                     r.seq = job->id;
                     r.note = "worker";
                     observe(std::move(r));
                     job->run();
                   }
                 });
  }

  const DesignDecisions& decisions_;
  Observer<R> observe_;
  TaskSet<R>& tasks_;
  typename R::Mutex mu_{"workers"};
  std::map<ThreadId, Worker> by_thread_;  // guarded by mu_
  std::optional<Worker> shared_;          // guarded by mu_ (single-worker design)
  std::uint32_t live_ = 0;                // guarded by mu_
  std::uint64_t next_command_ = 1;        // guarded by mu_
  bool closed_ = false;                   // guarded by mu_: after shutdown, no new worker
};

}  // namespace lockstep::impl
