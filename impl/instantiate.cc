// impl/instantiate.cc: explicit instantiation of the state manager for every backend, so that
// neither backend rots unbuilt. The only file of impl/ that may see sim/ (when it exists).
#include "impl/listener.h"
#include "impl/run_workload.h"
#include "impl/session_pool.h"
#include "impl/state_manager.h"
#include "impl/threads_runtime.h"
#include "impl/workers.h"

#if defined(LOCKSTEP_HAVE_SIM_RUNTIME)
#include "sim/sim_runtime.h"
#endif

namespace lockstep::impl {

#define LOCKSTEP_INSTANTIATE_IMPL(R) \
  template class StateManager<R>;    \
  template class Listener<R>;        \
  template class Workers<R>;         \
  template class SessionPool<R>;     \
  template void run_workload<R>(const Workload&, DesignVariant, Probe&, const RunOptions&)

LOCKSTEP_INSTANTIATE_IMPL(ThreadsRuntime);
#if defined(LOCKSTEP_HAVE_SIM_RUNTIME)
static_assert(Runtime<sim::SimRuntime>);
LOCKSTEP_INSTANTIATE_IMPL(sim::SimRuntime);
#endif

#undef LOCKSTEP_INSTANTIATE_IMPL

}  // namespace lockstep::impl
