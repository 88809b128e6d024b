// tests/variants/workload_gen.h: RapidCheck generator of workloads biased toward what a design
// variant's bug needs (for variant_shrink_test.cc).
//
// Contract: workload_gen(bias_for(v)) draws 1-3 threads (not shrunk), 2-4 client scripts of
// 2-6 operations each (most start with connect) and 0-2 cleanup ticks, from the whole workload
// vocabulary; the bias only weights operation and stall kinds. Shrinking removes chunks of
// clients and operations, then simplifies single fields, never an operation's kind.
#pragma once

#include <rapidcheck.h>

#include <cstddef>
#include <utility>
#include <vector>

#include "impl/design_variant.h"
#include "impl/workload.h"

namespace lockstep::traces {

// What a variant's bug needs: the weight of each operation kind and of each stall kind, and
// whether background cleanup ticks are likely. Every kind keeps a small weight so the whole
// vocabulary appears; the bias only makes the needed interleaving likely in few workloads.
struct Bias {
  std::vector<std::pair<std::size_t, impl::OpKind>> kinds;
  std::vector<std::pair<std::size_t, impl::StallKind>> stalls;
  std::size_t cleanup_tick_weight = 1;
};

Bias bias_for(impl::DesignVariant v);
rc::Gen<impl::Workload> workload_gen(const Bias& b);

}  // namespace lockstep::traces
