// impl/observe.h: how runtime-templated code writes to the R-free Probe.
//
// Contract: Observer<R> stamps each record with R::stamp() and R::current_task() and appends
// it. spawn_observed() wraps a task body so that the probe's task table knows the task's name,
// the thread it works for and a detail (e.g. the client connection), and when it ended.
// Threading: as Probe. Cost: one probe append per record.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "impl/probe.h"
#include "impl/runtime.h"

namespace lockstep::impl {

template <class R>
class Observer {
 public:
  explicit Observer(Probe& probe) : probe_(&probe) {}
  void operator()(Record r) const {
    r.stamp = R::stamp();
    r.time_ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(R::now().time_since_epoch()).count();
    r.task = R::current_task();
    if constexpr (requires { R::observe(0u, 0u); }) {
      // The simulator orders only observations about a common thread or connection.
      R::observe(r.thread ? raw(*r.thread) : 0xffffffffu,
                 r.connection ? raw(*r.connection) : 0xffffffffu);
    }
    probe_->record(std::move(r));
  }
  Probe& probe() const { return *probe_; }

 private:
  Probe* probe_;
};

inline Record make_record(RecordKind kind, std::optional<ThreadId> thread = std::nullopt,
                          std::optional<ConnectionId> connection = std::nullopt) {
  Record r;
  r.kind = kind;
  r.thread = thread;
  r.connection = connection;
  return r;
}

inline std::uint32_t label_of(std::optional<ThreadId> t) { return t ? raw(*t) : kNoThreadLabel; }

// Spawns `body` as a task whose start and end are in the probe's task table.
template <class R>
typename R::Task spawn_observed(Probe& probe, std::string_view name, std::uint32_t label,
                                std::string detail, std::function<void()> body) {
  // The runtime's task name carries the detail ("client c1"), so traces and reports name the
  // connection a task serves; the probe keeps name and detail apart.
  const std::string task_name =
      detail.empty() ? std::string(name) : std::string(name) + " " + detail;
  return R::spawn(task_name, label,
                  [&probe, name, label, detail = std::move(detail), body = std::move(body)] {
                    probe.task_started(R::current_task(), name, label, detail, R::stamp());
                    body();
                    probe.task_ended(R::current_task(), R::stamp());
                  });
}

}  // namespace lockstep::impl
