// impl/stall.h: what a stall is, as a workload names it. A stall is a gate the workload
// controls (impl/gate.h): a hung start (auth that never answers) or an endless prompt waits on
// it. Value types only; header-only.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lockstep::impl {

enum class StallKind : std::uint8_t {
  kNone,         // the gate is open: no wait
  kHangForever,  // never opened (released only when the run is torn down: the op then fails)
  kHangFor,      // opened after `delay` (virtual time under the simulator)
  kAgentDies,    // the agent closes its channel: the op fails with OpError::kAgentDead
  // TEST ONLY: the waiting task dereferences a null pointer, so the process dies of a fatal
  // signal inside the system under test (tests the crash recorder, traces/recovery.h). No
  // real agent does this; it is in no generator's vocabulary.
  kTestCrash,
};

constexpr std::string_view stall_kind_name(StallKind k) {
  switch (k) {
    case StallKind::kNone:
      return "none";
    case StallKind::kHangForever:
      return "hang-forever";
    case StallKind::kHangFor:
      return "hang-for";
    case StallKind::kAgentDies:
      return "agent-dies";
    case StallKind::kTestCrash:
      return "test-crash";
  }
  return "?";
}

constexpr std::optional<StallKind> parse_stall_kind(std::string_view s) {
  for (auto k :
       {StallKind::kNone, StallKind::kHangForever, StallKind::kHangFor, StallKind::kAgentDies,
        StallKind::kTestCrash}) {
    if (stall_kind_name(k) == s) return k;
  }
  return std::nullopt;
}

struct Stall {
  StallKind kind = StallKind::kNone;
  std::chrono::milliseconds delay{0};  // kHangFor only
  friend bool operator==(const Stall&, const Stall&) = default;
};

}  // namespace lockstep::impl
