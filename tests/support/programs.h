// tests/support/programs.h: small simulated programs shared by several tests. Each returns
// the tasks to run and a check; state lives in a shared_ptr so every execution starts fresh.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>

#include "sim/sim_runtime.h"
#include "tests/support/harness.h"

namespace lockstep::testing {

// A registry with the phantom-subscriber bug, plus timers, a channel, a reader/writer lock and
// a data choice, so that traces exercise every kind of step.
struct PhantomProgram {
  struct State {
    sim::Mutex live_lock{"live"};
    sim::Mutex subs_lock{"subs"};
    sim::SharedMutex pool{"pool"};
    std::set<int> live{1};
    std::set<int> subs;
  };
  std::shared_ptr<State> s = std::make_shared<State>();

  Tasks tasks() const {
    using namespace std::chrono_literals;
    auto st = s;
    auto attach = [st] {
      sim::Channel<int> started("started");
      sim::JoinHandle starter = sim::spawn("start", 1, [&] {
        sim::sleep_until(sim::now() + std::chrono::seconds(1 + sim::choose(3)));
        started.send(1);
      });
      auto r = started.recv_until(sim::now() + 2s);
      st->live_lock.lock();
      const bool live = st->live.count(1) != 0;
      st->live_lock.unlock();
      st->subs_lock.lock();  // second lock domain: the bug
      if (live && r.value) st->subs.insert(1);
      st->subs_lock.unlock();
      starter.join();
    };
    auto disconnect = [st] {
      sim::sleep_until(sim::now() + 1s);  // races the attach that a 1 s start releases
      st->pool.lock_shared();
      st->pool.unlock_shared();
      st->live_lock.lock();
      st->live.erase(1);
      st->live_lock.unlock();
      st->subs_lock.lock();
      st->subs.erase(1);
      st->subs_lock.unlock();
    };
    return {attach, disconnect};
  }

  sim::CheckFn check() const {
    auto st = s;
    return [st](const sim::Execution& ex) -> std::optional<std::string> {
      const bool phantom = st->subs.count(1) != 0 && st->live.count(1) == 0;
      st->live = {1};
      st->subs.clear();
      if (ex.outcome() != sim::Outcome::kCompleted) return std::string(ex.failure());
      if (phantom) return std::string("phantom subscriber 1 after disconnect");
      return std::nullopt;
    };
  }
};

}  // namespace lockstep::testing
