// impl/threads_runtime.cc: task ids, labels and stamps of the OS-thread backend.
#include "impl/threads_runtime.h"

#include <string>

namespace lockstep::impl {
namespace {

std::atomic<std::uint64_t> g_stamp{0};
std::atomic<std::uint32_t> g_next_task{1};
thread_local std::uint32_t t_task = 0;
thread_local std::uint32_t t_label = kNoThreadLabel;

}  // namespace

ThreadsRuntime::Task ThreadsRuntime::spawn(std::string_view /*name*/, std::uint32_t thread_label,
                                           std::function<void()> body) {
  const std::uint32_t id = g_next_task.fetch_add(1, std::memory_order_relaxed);
  return Task(std::thread([id, thread_label, body = std::move(body)] {
    t_task = id;
    t_label = thread_label;
    body();
  }));
}

std::uint64_t ThreadsRuntime::stamp() {
  return g_stamp.fetch_add(1, std::memory_order_relaxed) + 1;
}

std::uint32_t ThreadsRuntime::current_task() { return t_task; }
std::uint32_t ThreadsRuntime::current_label() { return t_label; }

}  // namespace lockstep::impl
