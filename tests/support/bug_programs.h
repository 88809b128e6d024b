// tests/support/bug_programs.h: the classic concurrency bugs as small simulated programs, each
// with a fixed twin; shared by the sim tests and the strategy tests (every systematic strategy
// must find each bug and pass each twin). The last three keep their data in sim::Shared, so
// DPOR sees the accesses and the race detector sees the missing synchronisation.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>

#include "sim/sim_runtime.h"
#include "tests/support/harness.h"

namespace lockstep::testing {

using sim::CheckFn;
using sim::Execution;
using sim::Mutex;

// Two tasks take two mutexes in opposite orders (or, fixed, in the same order).
inline Tasks two_lock_program(bool inverted) {
  auto a = std::make_shared<Mutex>("lock_a");
  auto b = std::make_shared<Mutex>("lock_b");
  auto t1 = [a, b] {
    a->lock();
    b->lock();
    b->unlock();
    a->unlock();
  };
  auto t2 = [a, b, inverted] {
    Mutex& first = inverted ? *b : *a;
    Mutex& second = inverted ? *a : *b;
    first.lock();
    second.lock();
    second.unlock();
    first.unlock();
  };
  return {t1, t2};
}

// Increment read and written under two separate acquisitions (or, fixed, one).
struct Counter {
  Mutex m{"counter"};
  int value = 0;
};

inline Tasks increment_program(std::shared_ptr<Counter> c, bool split) {
  auto inc = [c, split] {
    c->m.lock();
    int v = c->value;
    if (split) {
      c->m.unlock();
      c->m.lock();
    }
    c->value = v + 1;
    c->m.unlock();
  };
  return {inc, inc};
}

inline CheckFn expect_value(std::shared_ptr<Counter> c, int want) {
  return [c, want](const Execution&) -> std::optional<std::string> {
    const int got = c->value;
    c->value = 0;
    if (got != want) return "lost update: counter is " + std::to_string(got);
    return std::nullopt;
  };
}

// The phantom-subscriber shape: the live check and the subscriber insert of an attach sit
// in two lock domains; a disconnect between them leaves a subscriber that is not live.
struct Registry {
  Mutex live_lock{"live"};
  Mutex subs_lock{"subs"};
  std::set<int> live{1};
  std::set<int> subs;
};

inline Tasks attach_disconnect(std::shared_ptr<Registry> r, bool split) {
  auto attach = [r, split] {
    r->live_lock.lock();
    const bool live = r->live.count(1) != 0;
    if (split) {
      r->live_lock.unlock();
      r->subs_lock.lock();
      if (live) r->subs.insert(1);
      r->subs_lock.unlock();
    } else {
      if (live) r->subs.insert(1);
      r->live_lock.unlock();
    }
  };
  auto disconnect = [r, split] {
    r->live_lock.lock();
    r->live.erase(1);
    if (split) {
      r->live_lock.unlock();
      r->subs_lock.lock();
      r->subs.erase(1);
      r->subs_lock.unlock();
    } else {
      r->subs.erase(1);
      r->live_lock.unlock();
    }
  };
  return {attach, disconnect};
}

inline CheckFn no_phantom(std::shared_ptr<Registry> r) {
  return [r](const Execution&) -> std::optional<std::string> {
    const bool phantom = r->subs.count(1) != 0 && r->live.count(1) == 0;
    r->live = {1};
    r->subs.clear();
    if (phantom) return std::string("phantom subscriber 1 after disconnect");
    return std::nullopt;
  };
}

// --- bugs in plain shared data (sim::Shared) ---

// Lost update: two tasks increment a shared counter with a load and a store (Shared::update),
// unlocked; fixed, each increment holds the mutex.
struct SharedCounter {
  Mutex m{"counter_lock"};
  sim::Shared<int> value{"counter", 0};
};

inline Tasks shared_increment_program(std::shared_ptr<SharedCounter> c, bool locked) {
  auto inc = [c, locked] {
    if (locked) c->m.lock();
    c->value.update([](int v) { return v + 1; });
    if (locked) c->m.unlock();
  };
  return {inc, inc};
}

inline CheckFn expect_shared_value(std::shared_ptr<SharedCounter> c, int want) {
  return [c, want](const Execution& ex) -> std::optional<std::string> {
    if (ex.outcome() != sim::Outcome::kCompleted) return ex.failure();
    const int got = c->value.peek();
    if (got != want) return "lost update: counter is " + std::to_string(got);
    return std::nullopt;
  };
}

// Check-then-act: two tasks claim a flag if nobody has (load, then store), unlocked; fixed,
// the check and the claim hold one mutex. Each task notes whether it claimed in its own slot.
struct Claim {
  Mutex m{"claim_lock"};
  sim::Shared<bool> taken{"taken", false};
  bool claimed[2] = {false, false};
  void reset() { claimed[0] = claimed[1] = false; }  // before each execution
};

inline Tasks check_then_act_program(std::shared_ptr<Claim> c, bool locked) {
  Tasks out;
  for (int i = 0; i < 2; ++i) {
    out.push_back([c, locked, i] {
      if (locked) c->m.lock();
      if (!c->taken.load()) {
        c->taken.store(true);
        c->claimed[i] = true;
      }
      if (locked) c->m.unlock();
    });
  }
  return out;
}

inline CheckFn expect_one_claim(std::shared_ptr<Claim> c) {
  return [c](const Execution& ex) -> std::optional<std::string> {
    const bool both = c->claimed[0] && c->claimed[1];
    if (ex.outcome() != sim::Outcome::kCompleted) return ex.failure();
    if (both) return std::string("both tasks claimed the flag");
    return std::nullopt;
  };
}

// Programs whose state lives outside the run reset it before each execution
// (ExploreOptions::before_each): DPOR checks no pruned execution, so a check cannot do it.

// Use before initialisation: the root starts a worker that reads the configuration, and sets
// the configuration only after starting it; fixed, it sets it first.
struct Config {
  sim::Shared<int> value{"config", 0};
  int seen = -1;  // what the worker read; the worker's own
  void reset() { seen = -1; }  // before each execution
};

inline Tasks use_before_init_program(std::shared_ptr<Config> c, bool init_first) {
  return {[c, init_first] {
    if (init_first) c->value.store(42);
    sim::JoinHandle worker = sim::spawn("worker", [c] { c->seen = c->value.load(); });
    if (!init_first) c->value.store(42);
    worker.join();
  }};
}

inline CheckFn expect_initialised(std::shared_ptr<Config> c) {
  return [c](const Execution& ex) -> std::optional<std::string> {
    const int seen = c->seen;
    if (ex.outcome() != sim::Outcome::kCompleted) return ex.failure();
    if (seen != 42) {
      return "the worker read the configuration before it was set: " + std::to_string(seen);
    }
    return std::nullopt;
  };
}

}  // namespace lockstep::testing
