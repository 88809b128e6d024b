// The OS-thread reader/writer lock (impl::ThreadsRuntime::SharedMutex) keeps the semantics the
// simulator models: fair in arrival order. Each test waits for arrivals through waiting(), so
// the interleaving is forced, never timed.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "impl/threads_runtime.h"

namespace lockstep::oracles {
namespace {

using impl::ThreadsRuntime;

void await_waiting(const ThreadsRuntime::SharedMutex& rw, std::size_t n) {
  while (rw.waiting() < n) std::this_thread::yield();
}

TEST(ThreadsSharedMutex, ReaderArrivingBehindAWaitingWriterWaitsForIt) {
  // glibc's std::shared_mutex lets the reader in at once, ahead of the waiting writer.
  ThreadsRuntime::SharedMutex rw("rw");
  std::atomic<int> entered{0};
  int writer_at = -1, reader_at = -1;
  rw.lock_shared();
  std::thread writer([&] {
    rw.lock();
    writer_at = entered++;
    rw.unlock();
  });
  await_waiting(rw, 1);
  std::thread reader([&] {
    rw.lock_shared();
    reader_at = entered++;
    rw.unlock_shared();
  });
  // A reader-preferring lock would let the reader in at once instead of queueing it.
  while (rw.waiting() < 2 && entered.load() == 0) std::this_thread::yield();
  EXPECT_EQ(entered.load(), 0);
  EXPECT_FALSE(rw.try_lock_shared());  // a writer waits
  rw.unlock_shared();
  writer.join();
  reader.join();
  EXPECT_EQ(writer_at, 0);
  EXPECT_EQ(reader_at, 1);
}

TEST(ThreadsSharedMutex, ReadersShareWhileNoWriterWaits) {
  ThreadsRuntime::SharedMutex rw("rw");
  rw.lock_shared();
  std::thread reader([&] {
    rw.lock_shared();  // enters at arrival, beside the main thread's hold
    rw.unlock_shared();
  });
  reader.join();
  EXPECT_EQ(rw.waiting(), 0u);
  EXPECT_FALSE(rw.try_lock());
  rw.unlock_shared();
  EXPECT_TRUE(rw.try_lock());
  rw.unlock();
}

TEST(ThreadsSharedMutex, WritersEnterInArrivalOrder) {
  ThreadsRuntime::SharedMutex rw("rw");
  std::atomic<int> entered{0};
  int at[3] = {-1, -1, -1};
  rw.lock();
  std::thread first([&] {
    rw.lock_shared();
    at[0] = entered++;
    rw.unlock_shared();
  });
  await_waiting(rw, 1);
  std::thread second([&] {
    rw.lock();
    at[1] = entered++;
    rw.unlock();
  });
  await_waiting(rw, 2);
  std::thread third([&] {
    rw.lock_shared();
    at[2] = entered++;
    rw.unlock_shared();
  });
  await_waiting(rw, 3);
  rw.unlock();
  first.join();
  second.join();
  third.join();
  EXPECT_EQ(at[0], 0);
  EXPECT_EQ(at[1], 1);
  EXPECT_EQ(at[2], 2);
}

}  // namespace
}  // namespace lockstep::oracles
