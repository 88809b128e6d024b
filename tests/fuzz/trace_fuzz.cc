// libFuzzer target for the trace parser: any input is either a trace or a TraceError with a
// one-line message; nothing else may escape, crash or hang. Run by .ci/run for a bounded time.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "traces/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const lockstep::traces::Trace t = lockstep::traces::parse_trace(text);
    // A parsed trace serializes and parses back to itself.
    if (!(lockstep::traces::parse_trace(lockstep::traces::to_json(t)) == t)) std::abort();
  } catch (const lockstep::traces::TraceError& e) {
    if (std::string_view(e.what()).find('\n') != std::string_view::npos) std::abort();
  }
  return 0;
}
