// sim/strategies/dpor_dependence.h: which steps of the simulator conflict, as DPOR sees them.
//
// Contract: accesses_of() lists the keyed accesses of a step (or of an operation that never
// ran); two steps of different tasks conflict when they access a common key and not both
// read. sim/strategies/dpor.cc races conflicting steps and builds happens-before from them.
//
// Conflicts and happens-before. A step is its leading operation plus what its task did until
// its next scheduling point (sim/task.h); the simulator reports the accesses (StepEffects):
// - mutex and reader/writer lock acquisitions: exclusive ones write the lock, shared ones read
//   it; two reads commute. An arrival at a fair reader/writer lock that has to queue (in the
//   step its lock point leads, sim/task.h) is an access of the same kind, since it decides
//   who enters next; its turn (lock-wait, lock-shared-wait) is the acquisition.
// - a release does not race with acquisitions (no acquisition can precede the release of a
//   lock held at that state) but orders what follows: an exclusive acquisition happens after
//   every earlier release, a shared one after the last exclusive release. try-lock operations
//   read the lock's state, so they also race with releases.
// - a shared variable (sim/shared.h): a load reads it, a store writes it, so loads commute
//   with loads and a store conflicts with every other access to it. A step that touches
//   plain memory the simulator does not see has no access: DPOR takes it as independent.
// - channel and condition-variable operations write their object; a spawn writes the spawn
//   counter (task ids are spawn ordinals) and the child starts with its parent's clock; a join
//   happens after the joined task's exit.
// - observations (impl's probe records) write each (thread, connection) pair they are about
//   (sim::observation_mask). The properties only compare records about a common thread or
//   connection — a subscriber set, a delivery stream, a thread's command order, the
//   bookkeeping history split by thread — so two records about disjoint pairs may appear in
//   either order in equivalent executions without changing any verdict. Records about no pair
//   cover all of them. With DporOptions::records_commute the strategy drops a step's
//   observations before it gets here: only synchronisation then orders steps (a weaker claim:
//   see DporOptions). tests/variants/commutation_test.cc checks this relation on the manager.
// - virtual time: the clock jumps only when no task can run, so every step after a jump
//   happens after every step before it. A jump takes an epoch (the join of all clocks); a
//   step that ran because of the jump (a sleep, a receive that timed out) joins it, after its
//   own races are found without it: its operation might have run before the jump (a receive
//   that would then have got a value). Its other races with steps before the jump are
//   dropped (it cannot run before them); those with steps after the jump stay. Timers due at
//   one instant are ordinary choices.
// - a step with a data choice (sim::choose), or with more accesses than are reported, is
//   treated as conflicting with every step.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/strategies/strategy.h"

namespace lockstep::sim::dpor {

// Access kinds as the race detector sees them.
enum class Kind : std::uint8_t { kRead, kWrite, kTry, kRelease, kReleaseShared };

// Keys: sync objects by ObjectId; then the spawn counter, observation pairs, task exits.
constexpr std::uint32_t kHeadKey = 0x40000000u;  // + channel: its receiving end
constexpr std::uint32_t kSpawnKey = 0x80000000u;
constexpr std::uint32_t kObservationKey = 0x80000100u;  // + pair bit (0..63)
constexpr std::uint32_t kExitKey = 0x80001000u;         // + task

struct KeyAccess {
  std::uint32_t key;
  Kind kind;
};

// What one step did, enough to decide whether two steps commute (also kept for sleepers).
struct Footprint {
  TaskId task{};
  OpKind op = OpKind::kYield;
  ObjectId object = kNoObject;
  StepEffects effects;
  bool timed = false;  // ran because virtual time jumped (sleep, timed-out receive)
};

// The footprint of a completed step of `task` whose leading operation was `op`: a sleep, or a
// receive that timed out, ran because virtual time jumped.
inline Footprint footprint_of(TaskId task, const PendingOp& op, const StepEffects& effects) {
  return Footprint{task, op.kind, op.object, effects,
                   op.kind == OpKind::kSleep || effects.timed_out};
}

// A step with more accesses than reported, or a data choice: it conflicts with every step.
inline bool is_global(const Footprint& f) { return f.effects.overflow; }

// The accesses of a step (or of a pending operation when `pending`).
void accesses_of(const Footprint& f, bool pending, std::vector<KeyAccess>& out);

// Whether two steps of different tasks commute, for sleep sets: no common key unless both
// read; releases count as writes here (a release can enable a blocked acquisition). The
// vectors are scratch space.
bool independent(const Footprint& a, const Footprint& b, std::vector<KeyAccess>& sa,
                 std::vector<KeyAccess>& sb);

}  // namespace lockstep::sim::dpor
