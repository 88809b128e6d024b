// sim/fiber.h: the execution context of one task, on Boost.Context's fcontext primitives, with
// stacks taken from a pool and reused across executions.
//
// Contract
// - A Fiber is a suspended machine context on a pooled stack. switch_to() saves the caller's
//   context in `from` and resumes `to`; the entry function receives the Fiber* it runs on.
// - The main context (the OS thread's own stack) is a Fiber without a stack.
// - A fiber that returns from its entry function is a bug: entries end with a final switch.
// - Under AddressSanitizer (LOCKSTEP_ASAN) every switch is announced to ASan, so throwing and
//   unwinding on a fiber stack is understood.
// Threading: a Fiber is used by one OS thread. StackPool is per OS thread (thread_local).
// Cost: switch_to is one jump_fcontext (plus two ASan calls in ASan builds); acquire/release of
// a pooled stack is a vector push/pop; a stack is mmap'ed once with a guard page below it.
#pragma once

#include <cstddef>
#include <vector>

namespace lockstep::sim {

class StackPool {
 public:
  static constexpr std::size_t kDefaultStackSize =
#if defined(LOCKSTEP_ASAN)
      512 * 1024;
#else
      128 * 1024;
#endif
  explicit StackPool(std::size_t stack_size = kDefaultStackSize);
  StackPool(const StackPool&) = delete;
  StackPool& operator=(const StackPool&) = delete;
  ~StackPool();

  // Returns the base (lowest usable address) of a stack of stack_size() bytes.
  void* acquire();
  void release(void* base);
  std::size_t stack_size() const { return stack_size_; }
  std::size_t stacks_allocated() const { return all_.size(); }

  static StackPool& for_this_thread();

 private:
  std::size_t stack_size_;
  std::vector<void*> free_;
  std::vector<void*> all_;  // mapping bases (guard page included), for munmap
};

class Fiber {
 public:
  using Entry = void (*)(Fiber* self, void* arg);

  Fiber() = default;  // the main context; filled in by the first switch away from it
  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;

  // Prepares this fiber to run entry(this, arg) on the stack [base, base + size) when first
  // switched to.
  void prepare(void* base, std::size_t size, Entry entry, void* arg);

  // Suspends `from` (the context running now) and resumes `to`.
  static void switch_to(Fiber& from, Fiber& to);
  // As switch_to, for a `from` that will never be resumed (its stack may be reused).
  static void exit_to(Fiber& from, Fiber& to);

  void* stack_base() const { return stack_base_; }

 private:
  static void trampoline(void* transfer_fctx, void* data);
  friend struct FiberAccess;

  void* ctx_ = nullptr;  // saved fcontext while suspended
  void* stack_base_ = nullptr;
  std::size_t stack_size_ = 0;
  Entry entry_ = nullptr;
  void* arg_ = nullptr;
#if defined(LOCKSTEP_ASAN)
  void* asan_fake_stack_ = nullptr;
  const void* asan_bottom_ = nullptr;
  std::size_t asan_size_ = 0;
#endif
};

}  // namespace lockstep::sim
