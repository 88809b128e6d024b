// impl/design_variant.cc: names, descriptions and decisions of the design variants.
#include "impl/design_variant.h"

namespace lockstep::impl {
namespace {

struct VariantInfo {
  DesignVariant variant;
  std::string_view name;
  std::string_view seed;
  std::string_view description;
};

constexpr std::array<VariantInfo, 9> kInfo = {{
    {DesignVariant::kCurrent, "current", "all four seeds",
     "the fixed design: one bookkeeping lock domain, background start, per-thread workers "
     "torn down on unload, brief pool look-ups, attach guarded against pending unloads"},
    {DesignVariant::kSplitLockDomains, "split-lock-domains", "codex-thread-state-manager.rs.txt",
     "attach checks the connection is live and inserts the subscriber in two lock domains; a "
     "disconnect between them leaves a phantom subscriber"},
    {DesignVariant::kBlockingStart, "blocking-start", "codex-thread-state-manager.rs.txt",
     "start runs inline on the connection's request loop; a hung start holds up that loop's "
     "later requests for other threads"},
    {DesignVariant::kSingleWorker, "single-worker", "t3code-per-thread-reactor-workers-pr.txt",
     "one command worker for all threads; a hung session start on one thread keeps the other "
     "threads' turns from being sent"},
    {DesignVariant::kLeakyWorkers, "leaky-workers", "t3code-per-thread-reactor-workers-pr.txt",
     "per-thread workers are never torn down; after unload a worker and its map entry remain"},
    {DesignVariant::kGlobalPoolLock, "global-pool-lock", "openab-per-connection-locking-pr.txt",
     "the pool write lock is held for a whole prompt; get_or_create for another thread waits "
     "for the whole prompt"},
    {DesignVariant::kCleanupUnderWriteLock, "cleanup-under-write-lock",
     "openab-per-connection-locking-pr.txt",
     "cleanup takes the pool write lock, then waits for a connection mutex that a running "
     "prompt holds; everything behind the pool lock stalls"},
    {DesignVariant::kReadLockAcrossAwait, "read-lock-across-await",
     "openab-per-connection-locking-pr.txt",
     "get_or_create holds the pool read lock while it waits for a busy connection's mutex; "
     "writers for other threads queue behind it"},
    {DesignVariant::kNoUnloadGuard, "no-unload-guard", "codex-thread-listener-and-unload.rs.txt",
     "subscribe and resume are not checked against a pending unload, so a connection attaches "
     "to a thread being torn down"},
}};

const VariantInfo& info(DesignVariant v) {
  for (const auto& i : kInfo) {
    if (i.variant == v) return i;
  }
  return kInfo[0];
}

}  // namespace

std::string_view design_variant_name(DesignVariant v) { return info(v).name; }
std::string_view design_variant_description(DesignVariant v) { return info(v).description; }
std::string_view design_variant_seed(DesignVariant v) { return info(v).seed; }

std::optional<DesignVariant> parse_design_variant(std::string_view name) {
  for (const auto& i : kInfo) {
    if (i.name == name) return i.variant;
  }
  return std::nullopt;
}

std::string design_variant_names() {
  std::string out;
  for (const auto& i : kInfo) {
    if (!out.empty()) out += ", ";
    out += i.name;
  }
  return out;
}

bool DesignDecisions::attach_checks_and_inserts_atomically() const {
  return variant_ != DesignVariant::kSplitLockDomains;
}
bool DesignDecisions::start_runs_in_background() const {
  return variant_ != DesignVariant::kBlockingStart;
}
bool DesignDecisions::uses_per_thread_workers() const {
  return variant_ != DesignVariant::kSingleWorker;
}
bool DesignDecisions::tears_down_workers_on_unload() const {
  return variant_ != DesignVariant::kLeakyWorkers;
}
bool DesignDecisions::holds_pool_lock_for_prompt() const {
  return variant_ == DesignVariant::kGlobalPoolLock;
}
bool DesignDecisions::cleanup_waits_for_connections_under_write_lock() const {
  return variant_ == DesignVariant::kCleanupUnderWriteLock;
}
bool DesignDecisions::get_or_create_waits_under_read_lock() const {
  return variant_ == DesignVariant::kReadLockAcrossAwait;
}
bool DesignDecisions::guards_attach_against_pending_unload() const {
  return variant_ != DesignVariant::kNoUnloadGuard;
}

}  // namespace lockstep::impl
