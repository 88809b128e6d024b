// inventory.h: the code under test. An order reserves stock and records itself; a restock
// adds stock and releases the orders waiting for it. Each side has its own lock. In the
// original design each path takes the locks in the order its author thought of them: orders
// then stock, and stock then orders. The fixed design takes them in one global order
// (orders before stock) everywhere.
#pragma once

#include <mutex>

#include <lockstep/sim.h>

class Inventory {
 public:
  explicit Inventory(bool ordered) : ordered_(ordered) {}

  void place_order(int quantity) {
    std::lock_guard<lockstep::Mutex> o(orders_lock_);
    std::lock_guard<lockstep::Mutex> s(stock_lock_);
    if (stock_.load() >= quantity) {
      stock_.store(stock_.load() - quantity);
    } else {
      backlog_.store(backlog_.load() + quantity);
    }
  }

  void restock(int quantity) {
    if (ordered_) {
      std::lock_guard<lockstep::Mutex> o(orders_lock_);
      std::lock_guard<lockstep::Mutex> s(stock_lock_);
      add_stock(quantity);
    } else {
      std::lock_guard<lockstep::Mutex> s(stock_lock_);
      std::lock_guard<lockstep::Mutex> o(orders_lock_);
      add_stock(quantity);
    }
  }

  int stock() { return stock_.load(); }
  int backlog() { return backlog_.load(); }

 private:
  // Called with both locks held: serve the backlog first.
  void add_stock(int quantity) {
    const int served = backlog_.load() < quantity ? backlog_.load() : quantity;
    backlog_.store(backlog_.load() - served);
    stock_.store(stock_.load() + quantity - served);
  }

  bool ordered_;
  lockstep::Mutex orders_lock_{"orders"};
  lockstep::Mutex stock_lock_{"stock"};
  lockstep::Shared<int> stock_{"units-in-stock", 5};
  lockstep::Shared<int> backlog_{"units-on-order", 0};
};
