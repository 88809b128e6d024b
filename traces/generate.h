// traces/generate.h: generated workloads, for property-based exploration (`explore --generate`).
//
// Contract
// - generate_workload(seed, i) is workload i of the series of `seed`: a pure function of the
//   two numbers (its own splitmix64 stream, no std distribution, no clock, no address), so
//   the same seed gives the same workloads on every build and platform, and workload i can be
//   drawn without drawing 0..i-1 (shards draw only their own: i mod N == K).
// - Vocabulary: every operation of SPEC.md (connect, disconnect, start, subscribe, unsubscribe,
//   emit of every event kind, resume, resolve, unload, get-or-create, prompt, cleanup-idle),
//   every stall a workload may name except the test-only crash (none, hang-forever, hang-for,
//   agent-dies), background cleanup ticks, and requests timed on the virtual clock ("at-ms").
// - Bias: each workload is one or two interaction motifs, plus a few random operations. The
//   motifs set up the races the hand-written scenarios set up and the ones they do not: an
//   attach or resume issued exactly at a thread's idle-unload deadline (or a millisecond
//   either side) while another client is mid-request; resumes while the thread emits a turn;
//   disconnects racing a late auto-attach, with reconnects; forced unloads racing attaches;
//   hung and timed startups; prompts that run past the pool's idle timeout while cleanup
//   ticks fire (a tick exactly when a prompt ends); lookups of a busy session. Motifs draw
//   their threads and connections from small pools, so a connection works on several threads
//   and a thread is used by several connections.
// - Every workload passes impl::validate(); sizes stay small (at most a few dozen ops), so
//   one PCT exploration of a workload takes milliseconds and a failure shrinks quickly.
// - exploration_seed(seed, i) is the seed of workload i's exploration (so a failure found in
//   a shard is the failure found by the unsharded run).
// Threading: pure functions. Cost: linear in the workload's size.
#pragma once

#include <cstdint>
#include <string>

#include "impl/workload.h"

namespace lockstep::traces {

impl::Workload generate_workload(std::uint64_t seed, std::uint64_t index);
std::uint64_t exploration_seed(std::uint64_t seed, std::uint64_t index);
// The program name of workload i in traces and reports: "generated:seed<S>:w<i>".
std::string generated_program(std::uint64_t seed, std::uint64_t index);

}  // namespace lockstep::traces
