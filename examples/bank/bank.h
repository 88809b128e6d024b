// bank.h: the code under test, as its authors wrote it: accounts and transfers. Balances are
// lockstep::Shared<int> so that the simulator sees each read and write; the lock is a
// lockstep::Mutex used through std::lock_guard, exactly as a std::mutex would be.
#pragma once

#include <array>
#include <mutex>

#include <lockstep/sim.h>

class Bank {
 public:
  // `locked`: the fixed design, where a transfer holds the bank's lock.
  explicit Bank(bool locked) : locked_(locked) {}

  // Moves `amount` from one account to another if the first has enough.
  bool transfer(int from, int to, int amount) {
    std::unique_lock<lockstep::Mutex> guard(mutex_, std::defer_lock);
    if (locked_) guard.lock();
    const int available = balances_[from].load();
    if (available < amount) return false;
    balances_[from].store(available - amount);
    balances_[to].store(balances_[to].load() + amount);
    return true;
  }

  int total() {
    int sum = 0;
    for (auto& b : balances_) sum += b.load();
    return sum;
  }

 private:
  bool locked_;
  lockstep::Mutex mutex_{"bank"};
  std::array<lockstep::Shared<int>, 3> balances_{lockstep::Shared<int>("alice", 100),
                                                 lockstep::Shared<int>("bob", 50),
                                                 lockstep::Shared<int>("carol", 0)};
};
