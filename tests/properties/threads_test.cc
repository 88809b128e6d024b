// tests/properties/threads_test.cc: the current design on OS threads (ThreadsRuntime), on every
// built-in scenario with short real delays, passes all seven properties. Real time is not
// virtual: the listener may see a change a little after it happened, so the liveness check
// gets slack; stalls are released after a while, so every run completes.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "impl/run_workload.h"
#include "impl/threads_runtime.h"
#include "properties/property.h"
#include "traces/scenarios.h"

namespace lockstep::properties::testing {
namespace {

using std::chrono::milliseconds;

std::string failures(const std::vector<Violation>& v, const impl::Probe& probe) {
  std::string out;
  for (const Violation& x : v) {
    out += std::string(property_name(x.property)) + ": " + x.message + "\n";
  }
  return out.empty() ? out : out + probe.dump();
}

class ThreadsScenario : public ::testing::TestWithParam<std::string_view> {};

TEST_P(ThreadsScenario, CurrentPassesEveryProperty) {
  impl::Workload w = *traces::scenario(GetParam());
  w.unload_delay = milliseconds(20);
  w.settle = milliseconds(150);
  w.cleanup.period = milliseconds(5);
  w.cleanup.idle_timeout = milliseconds(10);
  for (int run = 0; run < 5; ++run) {
    impl::Probe probe;
    impl::RunOptions options;
    options.release_stalls_after = milliseconds(30);
    impl::run_workload<impl::ThreadsRuntime>(w, impl::DesignVariant::kCurrent, probe, options);
    const std::vector<impl::Record> records = probe.records();
    const auto tasks = probe.tasks();
    const auto final_state = probe.final_state();
    const ExecutionView view{w, impl::DesignVariant::kCurrent, records, tasks, final_state, {}};
    CheckOptions o;
    o.unload_slack = milliseconds(100);  // a loaded CI machine (or ASan) may run the listener late
    const auto v = check_execution(view, o);
    EXPECT_TRUE(v.empty()) << GetParam() << " run " << run << "\n" << failures(v, probe);
  }
}

std::vector<std::string_view> scenario_names() {
  std::vector<std::string_view> out;
  for (const traces::Scenario& s : traces::scenarios()) out.push_back(s.name);
  return out;
}

std::string test_name(const ::testing::TestParamInfo<std::string_view>& p) {
  std::string name(p.param);
  for (char& ch : name) {
    if (ch == '-') ch = '_';
  }
  return name;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ThreadsScenario, ::testing::ValuesIn(scenario_names()),
                         test_name);

}  // namespace
}  // namespace lockstep::properties::testing
