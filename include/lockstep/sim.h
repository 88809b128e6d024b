// <lockstep/sim.h>: everything a user's test needs, in one header. Link lockstep::sim.
//
//   #include <lockstep/sim.h>
//   lockstep::Shared<int> balance("balance", 100);
//   auto r = lockstep::check([&] {
//     auto t = lockstep::spawn("withdraw", [&] { balance.update([](int b) { return b - 10; }); });
//     balance.update([](int b) { return b - 20; });
//     t.join();
//     if (balance.load() != 70) lockstep::fail("lost update");
//   }, lockstep::CheckOptions::dfs());
//
// The names below are the simulator's (namespace lockstep::sim), brought into `lockstep`:
// - Mutex, SharedMutex, CondVar (std-shaped; std::lock_guard, std::unique_lock, std::scoped_lock
//   and std::shared_lock work on them), Channel<T>, Shared<T> (a plain shared variable whose
//   loads and stores are scheduling points and checked for data races);
// - spawn, JoinHandle::join, yield_now, sleep_until, now, choose (a recorded data choice), fail;
// - check / replay (check/check.h), and for finer control explore() with a Strategy from
//   make_random_strategy, make_pct_strategy, make_dfs_strategy, make_dpor_strategy or
//   make_replay_strategy (sim/explore.h, sim/strategies/strategy.h).
// Everything runs on the calling OS thread, one task at a time; a task is a fiber, never an
// OS thread. Objects created outside f reset themselves at the start of each execution.
#pragma once

#include "check/check.h"
#include "sim/channel.h"
#include "sim/explore.h"
#include "sim/shared.h"
#include "sim/sim_runtime.h"
#include "sim/strategies/strategy.h"
#include "sim/sync.h"

namespace lockstep {

using sim::Channel;
using sim::CondVar;
using sim::JoinHandle;
using sim::Mutex;
using sim::Shared;
using sim::SharedMutex;

using sim::choose;
using sim::fail;
using sim::now;
using sim::sleep_until;
using sim::spawn;
using sim::yield_now;

}  // namespace lockstep
