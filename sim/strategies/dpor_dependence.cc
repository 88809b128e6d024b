// sim/strategies/dpor_dependence.cc: the keyed accesses of a step (see the header).
#include "sim/strategies/dpor_dependence.h"

#include <bit>

namespace lockstep::sim::dpor {

void accesses_of(const Footprint& f, bool pending, std::vector<KeyAccess>& out) {
  out.clear();
  const std::uint32_t obj = raw(f.object);
  switch (f.op) {
    // A channel has two ends. Sends and close write the tail, receives the head: a send and a
    // receive commute (FIFO: the k-th receive takes the k-th value whenever it runs), and a
    // receive that had to wait is ordered after the send or close that let it run. A receive
    // with a deadline also writes the tail: it may time out instead, unless a send comes
    // first.
    case OpKind::kSend:
    case OpKind::kClose: out.push_back({obj, Kind::kWrite}); break;
    case OpKind::kRecv: out.push_back({kHeadKey + obj, Kind::kWrite}); break;
    case OpKind::kRecvUntil:
      out.push_back({kHeadKey + obj, Kind::kWrite});
      out.push_back({obj, Kind::kWrite});
      break;
    case OpKind::kWait:
    case OpKind::kWaitWake:
    case OpKind::kNotify: out.push_back({obj, Kind::kWrite}); break;
    case OpKind::kTryLock:
    case OpKind::kTryLockShared: out.push_back({obj, Kind::kTry}); break;
    case OpKind::kSpawn: out.push_back({kSpawnKey, Kind::kWrite}); break;
    case OpKind::kExit: out.push_back({kExitKey + raw(f.task), Kind::kWrite}); break;
    case OpKind::kJoin: out.push_back({kExitKey + obj, Kind::kRead}); break;
    // A shared variable: loads read it, stores write it (two loads commute).
    case OpKind::kLoad: out.push_back({obj, Kind::kRead}); break;
    case OpKind::kStore: out.push_back({obj, Kind::kWrite}); break;
    // Executed acquisitions (and fair-lock arrivals that queue) report their access as an
    // effect; a pending one is taken to do what it would do if it ran.
    case OpKind::kLock:
    case OpKind::kLockWait:
      if (pending) out.push_back({obj, Kind::kWrite});
      break;
    case OpKind::kLockShared:
    case OpKind::kLockSharedWait:
      if (pending) out.push_back({obj, Kind::kRead});
      break;
    default: break;
  }
  for (int i = 0; i < f.effects.count; ++i) {
    const Access& a = f.effects.accesses[i];
    Kind k = Kind::kWrite;
    switch (a.mode) {
      case AccessMode::kRead: k = Kind::kRead; break;
      case AccessMode::kWrite: k = Kind::kWrite; break;
      case AccessMode::kRelease: k = Kind::kRelease; break;
      case AccessMode::kReleaseShared: k = Kind::kReleaseShared; break;
    }
    out.push_back({raw(a.object), k});
  }
  for (std::uint64_t m = f.effects.observed; m != 0; m &= m - 1) {
    out.push_back({kObservationKey + static_cast<std::uint32_t>(std::countr_zero(m)),
                   Kind::kWrite});
  }
}

bool independent(const Footprint& a, const Footprint& b, std::vector<KeyAccess>& sa,
                 std::vector<KeyAccess>& sb) {
  if (is_global(a) || is_global(b) || a.timed || b.timed) return false;
  accesses_of(a, false, sa);
  accesses_of(b, false, sb);
  for (const KeyAccess& x : sa) {
    for (const KeyAccess& y : sb) {
      if (x.key == y.key && !(x.kind == Kind::kRead && y.kind == Kind::kRead)) return false;
    }
  }
  return true;
}

}  // namespace lockstep::sim::dpor
