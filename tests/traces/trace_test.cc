// Trace JSON: round trip, and bad input gives one clear line, never a crash.
#include "traces/trace.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <filesystem>

namespace lockstep::traces {
namespace {

Trace sample() {
  Trace t;
  t.design = "current";
  t.program = "unit";
  t.strategy = "pct";
  t.strategy_options = {{"depth", "3"}, {"seed", "9"}};
  t.seed = 12345678901234ull;
  t.workload = {{"connections", 2}};
  t.outcome = "stuck";
  t.tasks = {{"root", -1}, {"listener", 1}};
  t.objects = {"manager#0", "thread_state#0"};
  t.steps = {{0, sim::OpKind::kLock, 0, 0, "state_manager.h:10"},
             {1, sim::OpKind::kRecvUntil, 1, 1800000000000, "listener.h:99"},
             {1, sim::OpKind::kJoin, 0, 5, "x.cc:1"}};
  t.values = {2, 0};
  t.failure = TraceFailure{"no-cross-thread-blocking", "stuck", {"task 1 waits"}, 2};
  return t;
}

TEST(Trace, RoundTripsExactly) {
  const Trace t = sample();
  const std::string text = to_json(t);
  const Trace back = parse_trace(text);
  EXPECT_EQ(back, t);
  EXPECT_EQ(to_json(back), text);
}

TEST(Trace, WrittenAtomicallyAndReadBack) {
  const auto dir = std::filesystem::temp_directory_path() / "lockstep_trace_test";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "t.json").string();
  write_trace_file(path, sample());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  EXPECT_EQ(read_trace_file(path), sample());
  EXPECT_THROW(write_trace_file((dir / "missing" / "t.json").string(), sample()), TraceError);
  EXPECT_THROW(read_trace_file((dir / "nope.json").string()), TraceError);
}

void expect_error(const std::string& text, const std::string& needle) {
  try {
    parse_trace(text);
    ADD_FAILURE() << "accepted: " << text.substr(0, 80);
  } catch (const TraceError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find(needle), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "not one line: " << what;
    EXPECT_EQ(what.rfind("trace: ", 0), 0u) << what;
  }
}

TEST(Trace, BadInputGivesOneClearLine) {
  const std::string good = to_json(sample());
  expect_error("", "malformed or truncated");
  expect_error(good.substr(0, good.size() / 2), "malformed or truncated");
  expect_error("[1,2]", "not an object");
  expect_error("{\"format\": 10451216e79200822465}", "malformed JSON");  // number overflow
  expect_error(R"({"format":"other","version":1})", "not a lockstep trace");
  std::string v2 = good;
  v2.replace(v2.find("\"version\": 1"), 12, "\"version\": 2");
  expect_error(v2, "unknown trace version 2");
  std::string badop = good;
  badop.replace(badop.find("\"lock\""), 6, "\"lick\"");
  expect_error(badop, "is not an operation");
  std::string notask = good;
  notask.replace(notask.find("\"task\": 0"), 9, "\"task\": \"x\"");
  expect_error(notask, "steps[0].task is not an integer");
  std::string nosteps = good;
  nosteps.replace(nosteps.find("\"steps\""), 7, "\"stepz\"");
  expect_error(nosteps, "has no field \"steps\"");
}

// Any prefix or single-byte corruption of a valid trace is either parsed or rejected with a
// TraceError; nothing else escapes.
RC_GTEST_PROP(Trace, CorruptionNeverEscapesAsAnotherError, (std::size_t cut, char c)) {
  std::string text = to_json(sample());
  const std::size_t at = cut % text.size();
  std::string mutated = text;
  mutated[at] = c;
  for (const std::string& input : {text.substr(0, at), mutated}) {
    try {
      parse_trace(input);
    } catch (const TraceError&) {
    }
  }
}

}  // namespace
}  // namespace lockstep::traces
