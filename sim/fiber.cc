#include "sim/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <boost/context/detail/fcontext.hpp>
#include <cstdlib>
#include <new>

#if defined(LOCKSTEP_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace lockstep::sim {

namespace bctx = boost::context::detail;

namespace {

std::size_t page_size() {
  static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return size;
}

// Passed through jump_fcontext: who is suspending and who is being resumed. Lives on the
// suspending fiber's stack, which stays intact until the resumed side has read it.
struct SwitchData {
  Fiber* from;
  Fiber* to;
};

}  // namespace

// Reaches Fiber's private state from the file-local helpers below.
struct FiberAccess {
  static void on_resumed(bctx::transfer_t t) {
    auto* d = static_cast<SwitchData*>(t.data);
    d->from->ctx_ = t.fctx;
#if defined(LOCKSTEP_ASAN)
    const void* bottom = nullptr;
    std::size_t size = 0;
    __sanitizer_finish_switch_fiber(d->to->asan_fake_stack_, &bottom, &size);
    d->from->asan_bottom_ = bottom;
    d->from->asan_size_ = size;
#endif
  }
  static void entry(bctx::transfer_t t) {
    auto* d = static_cast<SwitchData*>(t.data);
    Fiber* self = d->to;
    on_resumed(t);
    self->entry_(self, self->arg_);
    std::abort();  // entries must leave with Fiber::exit_to, never return
  }
  static void jump(Fiber& from, Fiber& to, bool from_finished) {
    SwitchData d{&from, &to};
#if defined(LOCKSTEP_ASAN)
    __sanitizer_start_switch_fiber(from_finished ? nullptr : &from.asan_fake_stack_,
                                   to.asan_bottom_, to.asan_size_);
#else
    (void)from_finished;
#endif
    bctx::transfer_t t = bctx::jump_fcontext(to.ctx_, &d);
    on_resumed(t);
  }
};

StackPool::StackPool(std::size_t stack_size)
    : stack_size_((stack_size + page_size() - 1) / page_size() * page_size()) {}

StackPool::~StackPool() {
  for (void* map : all_) ::munmap(map, stack_size_ + page_size());
}

void* StackPool::acquire() {
  if (!free_.empty()) {
    void* base = free_.back();
    free_.pop_back();
    return base;
  }
  const std::size_t guard = page_size();
  void* map = ::mmap(nullptr, stack_size_ + guard, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (map == MAP_FAILED) throw std::bad_alloc();
  ::mprotect(map, guard, PROT_NONE);  // an overflow faults instead of corrupting memory
  all_.push_back(map);
  return static_cast<char*>(map) + guard;
}

void StackPool::release(void* base) { free_.push_back(base); }

StackPool& StackPool::for_this_thread() {
  static thread_local StackPool pool;
  return pool;
}

void Fiber::prepare(void* base, std::size_t size, Entry entry, void* arg) {
  stack_base_ = base;
  stack_size_ = size;
  entry_ = entry;
  arg_ = arg;
#if defined(LOCKSTEP_ASAN)
  // Frames of the stack's previous task never returned (fibers end with a final switch), so
  // their redzones are still poisoned: clear the whole stack before reusing it.
  ASAN_UNPOISON_MEMORY_REGION(base, size);
#endif
  ctx_ = bctx::make_fcontext(static_cast<char*>(base) + size, size, &FiberAccess::entry);
#if defined(LOCKSTEP_ASAN)
  asan_fake_stack_ = nullptr;
  asan_bottom_ = base;
  asan_size_ = size;
#endif
}

void Fiber::switch_to(Fiber& from, Fiber& to) { FiberAccess::jump(from, to, false); }

void Fiber::exit_to(Fiber& from, Fiber& to) {
  FiberAccess::jump(from, to, true);
  std::abort();  // a finished fiber is never resumed
}

}  // namespace lockstep::sim
