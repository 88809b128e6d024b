// tests/support/bug_programs.h: the classic concurrency bugs as small simulated programs, each
// with a fixed twin; shared by the sim tests and the strategy tests (every systematic strategy
// must find each bug and pass each twin).
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

}  // namespace lockstep::testing
