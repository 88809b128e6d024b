// inventory_check.cc: checks both designs from a plain main(). Exits 0 when lockstep finds the
// original design's deadlock (trace written, and replaying it deadlocks again) and the fixed
// design passes every schedule; 1 otherwise.
#include <cstdio>
#include <filesystem>

#include <lockstep/sim.h>

#include "inventory.h"

namespace {

void order_and_restock(bool ordered) {
  Inventory inventory(ordered);
  auto customer = lockstep::spawn("customer", [&] { inventory.place_order(8); });
  auto supplier = lockstep::spawn("supplier", [&] { inventory.restock(10); });
  customer.join();
  supplier.join();
  if (inventory.stock() + inventory.backlog() != 7) lockstep::fail("stock miscounted");
}

int failures = 0;

void expect(bool ok, const char* what) {
  std::printf("%s: %s\n", ok ? "ok" : "FAILED", what);
  if (!ok) ++failures;
}

}  // namespace

int main() {
  lockstep::CheckOptions options = lockstep::CheckOptions::dfs();
  options.name = "inventory-original";
  const lockstep::CheckResult found = lockstep::check([] { order_and_restock(false); }, options);
  expect(found.failed && found.property == "deadlock", "the original design deadlocks");
  expect(std::filesystem::exists(found.trace_path), "its trace was written");
  const lockstep::CheckResult again =
      lockstep::replay([] { order_and_restock(false); }, found.trace_path);
  expect(again.divergence.empty() && again.property == "deadlock", "the trace replays to it");

  options.name = "inventory-fixed";
  const lockstep::CheckResult fixed = lockstep::check([] { order_and_restock(true); }, options);
  expect(fixed.passed() && fixed.exhausted, "the fixed design passes every schedule");
  std::printf("fixed design: %llu schedules%s\n", static_cast<unsigned long long>(fixed.schedules),
              fixed.exhausted ? ", exhausted" : "");
  return failures == 0 ? 0 : 1;
}
