#include "tests/oracles/threads_outcomes.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include "impl/threads_runtime.h"
#include "tests/oracles/run_program.h"

namespace lockstep::oracles {
namespace {

using impl::ThreadsRuntime;

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

struct ThreadsBackend {
  using Mutex = ThreadsRuntime::Mutex;
  using SharedMutex = ThreadsRuntime::SharedMutex;
  using Channel = ThreadsRuntime::Channel<int>;
  using Task = ThreadsRuntime::Task;
  struct CondVar {
    explicit CondVar(std::string_view) {}
    template <class Pred>
    void wait(Mutex& m, Pred pred) {
      cv.wait(m, pred);
    }
    void notify_one() { cv.notify_one(); }
    void notify_all() { cv.notify_all(); }
    std::condition_variable_any cv;
  };
  struct Ctx {
    std::uint64_t state;
    Ctx child(std::size_t k) const {
      std::uint64_t s = state ^ (0xd1b54a32d192ed03ull * (k + 1));
      return Ctx{splitmix64(s)};
    }
    // Half the time nothing; else a yield, a short spin, or a long one (tens of microseconds,
    // longer than starting an OS thread, so that a child can overtake its spawner).
    void delay() {
      const std::uint64_t r = splitmix64(state);
      const std::uint64_t choice = r & 7;
      if (choice < 4) return;
      if (choice < 6) {
        std::this_thread::yield();
        return;
      }
      const std::uint64_t spins = (r >> 8) % (choice == 6 ? 2'000 : 64'000);
      for (std::uint64_t i = 0; i < spins; ++i) std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    void point() {}
    template <class F>
    Task spawn(F body) {
      return ThreadsRuntime::spawn("task", impl::kNoThreadLabel,
                                   std::function<void()>(std::move(body)));
    }
  };
};

std::string partial_labels(const World<ThreadsBackend>& w) {
  std::string s;
  const std::uint32_t n = std::min<std::uint32_t>(w.label_count.load(), kMaxLabels);
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint16_t code = w.label_slots[i].load();
    s += (i > 0 ? "," : "") + std::to_string(code / 64) + "." + std::to_string(code % 64);
  }
  return s;
}

}  // namespace

ThreadsOutcomes threads_outcomes(const Program& p, std::uint64_t runs, std::uint64_t seed,
                                 std::chrono::milliseconds hang_after, const HangFn& on_hang) {
  ThreadsOutcomes out;
  for (std::uint64_t run = 0; run < runs; ++run) {
    std::uint64_t s = seed * 0x2545f4914f6cdd1dull + run;
    World<ThreadsBackend> w(p);
    std::mutex done_m;
    std::condition_variable done_cv;
    bool done = false;
    ThreadsBackend::Task root = ThreadsRuntime::spawn(
        "root", impl::kNoThreadLabel, [&, ctx = ThreadsBackend::Ctx{splitmix64(s)}]() mutable {
          run_task<ThreadsBackend>(w, p, 0, ctx);
          std::lock_guard lock(done_m);
          done = true;
          done_cv.notify_one();
        });
    bool finished;
    {
      std::unique_lock lock(done_m);
      finished = done_cv.wait_for(lock, hang_after, [&] { return done; });
    }
    if (!finished) {
      on_hang("run " + std::to_string(run) + " (seed " + std::to_string(seed) +
              ") did not finish within " + std::to_string(hang_after.count()) +
              " ms; labels passed so far: " + partial_labels(w) + "\nprogram:\n" + to_string(p));
      std::abort();  // on_hang must not return: the run's tasks still use `w`
    }
    root.join();
    out.outcomes.try_emplace(w.outcome(End::kCompleted).str(), run);
    ++out.runs;
  }
  return out;
}

}  // namespace lockstep::oracles
