// impl/design_variant.h: the historical designs of the state manager, selectable at run time.
//
// Contract
// - DesignVariant names `current` and the eight historical designs of SPEC.md; names are
//   kebab-case and identical to SPEC.md, CLI flags and traces.
// - DesignDecisions is the only place the manager learns which design it runs: one named
//   decision function per variant, each naming the seed it comes from. Manager code asks a
//   decision, never `variant == ...`.
// - parse_design_variant() returns nullopt for an unknown name; describe the choices with
//   design_variant_names() in the error line.
// Threading: immutable values. Cost: trivial.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace lockstep::impl {

enum class DesignVariant : unsigned char {
  kCurrent,
  kSplitLockDomains,
  kBlockingStart,
  kSingleWorker,
  kLeakyWorkers,
  kGlobalPoolLock,
  kCleanupUnderWriteLock,
  kReadLockAcrossAwait,
  kNoUnloadGuard,
};

inline constexpr std::array<DesignVariant, 9> kAllDesignVariants = {
    DesignVariant::kCurrent,
    DesignVariant::kSplitLockDomains,
    DesignVariant::kBlockingStart,
    DesignVariant::kSingleWorker,
    DesignVariant::kLeakyWorkers,
    DesignVariant::kGlobalPoolLock,
    DesignVariant::kCleanupUnderWriteLock,
    DesignVariant::kReadLockAcrossAwait,
    DesignVariant::kNoUnloadGuard,
};

// Kebab-case name, as in SPEC.md ("current", "split-lock-domains", ...).
std::string_view design_variant_name(DesignVariant v);
// One line: what the design does differently and what goes wrong.
std::string_view design_variant_description(DesignVariant v);
// The seed the design comes from (a file name in the shared seeds).
std::string_view design_variant_seed(DesignVariant v);
// nullopt for an unknown name.
std::optional<DesignVariant> parse_design_variant(std::string_view name);
// "current, split-lock-domains, ...": for error lines.
std::string design_variant_names();

// The decisions the manager consults. Each returns what the named design does; `current`
// answers every one the safe way.
class DesignDecisions {
 public:
  explicit DesignDecisions(DesignVariant v) : variant_(v) {}
  DesignVariant variant() const { return variant_; }

  // codex thread_state.rs (#13033): the live-connection check and the subscriber insert of an
  // attach (explicit or the late auto-attach of start) happen in one critical section of the
  // manager lock. false (split-lock-domains): two domains; a disconnect between them leaves a
  // phantom subscriber.
  bool attach_checks_and_inserts_atomically() const;

  // codex #13033: thread start runs in a background task. false (blocking-start): inline on
  // the connection's request loop, so a hung start holds up that loop's later requests.
  bool start_runs_in_background() const;

  // t3code #1945: one ordered command worker per thread. false (single-worker): one worker
  // shared by all threads, so thread 1's hung session start blocks thread 2's turn.
  bool uses_per_thread_workers() const;

  // t3code #1945 review: a thread's worker and its map entry are torn down when the thread
  // unloads. false (leaky-workers): they stay forever.
  bool tears_down_workers_on_unload() const;

  // openab #59: true (global-pool-lock) holds the pool write lock for the whole prompt.
  bool holds_pool_lock_for_prompt() const;

  // openab #59 review P1: true (cleanup-under-write-lock) makes cleanup_idle wait for each
  // connection mutex while it holds the pool write lock. current: snapshot, then try_lock.
  bool cleanup_waits_for_connections_under_write_lock() const;

  // openab #59 review P2: true (read-lock-across-await) makes get_or_create wait for the
  // connection mutex while it still holds the pool read lock.
  bool get_or_create_waits_under_read_lock() const;

  // codex listener/unload: subscribe and resume check `pending_thread_unloads` under its lock
  // and keep it across the insert. false (no-unload-guard): no check.
  bool guards_attach_against_pending_unload() const;

 private:
  DesignVariant variant_;
};

}  // namespace lockstep::impl
