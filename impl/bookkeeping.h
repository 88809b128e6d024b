// impl/bookkeeping.h: the subscription bookkeeping of the state manager, as plain data.
//
// Contract
// - One value holds what the seed's ThreadStateManagerInner holds: live connections; per thread
//   an entry with its state handle and subscribed connections; subscriptions by id; the
//   connection -> threads index. The manager guards it with the "manager" lock; it has no lock
//   of its own and never blocks.
// - Invariants (check_invariants): c is in entry(t).subscribers  <=>  t is in index[c]  <=>
//   exactly one subscription (t, c); no empty index sets. "No disconnected connection is
//   subscribed" is a property of the design, not of this structure: see phantom_connections().
// - Handles (`StatePtr`) are opaque here; ids are never addresses; iteration is ordered.
// Cost: logarithmic per operation; remove_connection/remove_thread linear in subscriptions.
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "impl/probe.h"
#include "impl/types.h"

namespace lockstep::impl {

template <class StatePtr>
class Bookkeeping {
 public:
  struct ThreadEntry {
    StatePtr state;
    std::set<ConnectionId> subscribers;
  };

  bool is_live(ConnectionId c) const { return live_.contains(c); }
  void add_live(ConnectionId c) { live_.insert(c); }

  // Removes `c` from the live set and from every index. Returns the threads it was subscribed
  // to (their entries are kept, as the seed keeps listeners).
  std::vector<ThreadId> remove_connection(ConnectionId c) {
    live_.erase(c);
    std::vector<ThreadId> threads;
    if (auto it = threads_by_connection_.find(c); it != threads_by_connection_.end()) {
      threads.assign(it->second.begin(), it->second.end());
      threads_by_connection_.erase(it);
    }
    std::erase_if(subscriptions_, [&](const auto& kv) { return kv.second.connection == c; });
    for (ThreadId t : threads) {
      if (auto e = threads_.find(t); e != threads_.end()) e->second.subscribers.erase(c);
    }
    return threads;
  }

  ThreadEntry* find(ThreadId t) {
    auto it = threads_.find(t);
    return it == threads_.end() ? nullptr : &it->second;
  }
  const ThreadEntry* find(ThreadId t) const {
    auto it = threads_.find(t);
    return it == threads_.end() ? nullptr : &it->second;
  }

  // The entry of `t`, created with `make()` as its state if absent (the seed's or_default()).
  template <class Make>
  ThreadEntry& entry(ThreadId t, Make&& make) {
    auto it = threads_.find(t);
    if (it == threads_.end()) it = threads_.emplace(t, ThreadEntry{make(), {}}).first;
    return it->second;
  }

  // Subscribes `c` to `t` (entry must exist). false if it already was.
  bool add_subscriber(ThreadId t, ConnectionId c) {
    auto& e = threads_.at(t);
    if (!e.subscribers.insert(c).second) return false;
    threads_by_connection_[c].insert(t);
    subscriptions_.emplace(next_subscription_, SubscriptionView{next_subscription_, t, c});
    ++next_subscription_;
    return true;
  }

  // Unsubscribes `c` from `t`. false if it was not subscribed.
  bool remove_subscriber(ThreadId t, ConnectionId c) {
    auto* e = find(t);
    if (e == nullptr || e->subscribers.erase(c) == 0) return false;
    if (auto it = threads_by_connection_.find(c); it != threads_by_connection_.end()) {
      it->second.erase(t);
      if (it->second.empty()) threads_by_connection_.erase(it);
    }
    std::erase_if(subscriptions_, [&](const auto& kv) {
      return kv.second.thread == t && kv.second.connection == c;
    });
    return true;
  }

  bool is_subscribed(ThreadId t, ConnectionId c) const {
    const auto* e = find(t);
    return e != nullptr && e->subscribers.contains(c);
  }

  std::vector<ConnectionId> subscribers(ThreadId t) const {
    const auto* e = find(t);
    if (e == nullptr) return {};
    return {e->subscribers.begin(), e->subscribers.end()};
  }

  bool has_subscribers(ThreadId t) const {
    const auto* e = find(t);
    return e != nullptr && !e->subscribers.empty();
  }

  // Removes the entry of `t`, its subscriptions and index entries. Returns the state handle and
  // the connections that were subscribed, or nullopt if there was no entry.
  std::optional<std::pair<StatePtr, std::vector<ConnectionId>>> remove_thread(ThreadId t) {
    auto it = threads_.find(t);
    if (it == threads_.end()) return std::nullopt;
    std::vector<ConnectionId> conns(it->second.subscribers.begin(), it->second.subscribers.end());
    StatePtr state = std::move(it->second.state);
    threads_.erase(it);
    std::erase_if(subscriptions_, [&](const auto& kv) { return kv.second.thread == t; });
    for (auto it2 = threads_by_connection_.begin(); it2 != threads_by_connection_.end();) {
      it2->second.erase(t);
      it2 = it2->second.empty() ? threads_by_connection_.erase(it2) : std::next(it2);
    }
    return std::make_pair(std::move(state), std::move(conns));
  }

  // Subscribed connections that are not live: phantoms (never in the current design).
  std::vector<std::pair<ThreadId, ConnectionId>> phantom_connections() const {
    std::vector<std::pair<ThreadId, ConnectionId>> out;
    for (const auto& [t, e] : threads_) {
      for (ConnectionId c : e.subscribers) {
        if (!live_.contains(c)) out.emplace_back(t, c);
      }
    }
    return out;
  }

  // Empty string if the indices agree; otherwise the first disagreement.
  std::string check_invariants() const {
    std::size_t pairs = 0;
    for (const auto& [t, e] : threads_) {
      for (ConnectionId c : e.subscribers) {
        ++pairs;
        auto it = threads_by_connection_.find(c);
        if (it == threads_by_connection_.end() || !it->second.contains(t)) {
          return "subscriber missing from the connection index: t" + std::to_string(raw(t)) + " c" +
                 std::to_string(raw(c));
        }
        if (count_subscriptions(t, c) != 1) {
          return "subscriber without exactly one subscription: t" + std::to_string(raw(t)) + " c" +
                 std::to_string(raw(c));
        }
      }
    }
    std::size_t indexed = 0;
    for (const auto& [c, ts] : threads_by_connection_) {
      if (ts.empty()) return "empty index set for c" + std::to_string(raw(c));
      indexed += ts.size();
    }
    if (indexed != pairs) return "connection index has entries with no subscriber";
    if (subscriptions_.size() != pairs) return "subscriptions without subscriber";
    return {};
  }

  void fill(StateSnapshot& s) const {
    s.live_connections = live_;
    for (const auto& [t, e] : threads_) s.subscribers[t] = e.subscribers;
    for (const auto& [id, sub] : subscriptions_) s.subscriptions.push_back(sub);
    s.threads_by_connection = threads_by_connection_;
  }

 private:
  std::size_t count_subscriptions(ThreadId t, ConnectionId c) const {
    std::size_t n = 0;
    for (const auto& [id, sub] : subscriptions_) n += sub.thread == t && sub.connection == c;
    return n;
  }

  std::set<ConnectionId> live_;
  std::map<ThreadId, ThreadEntry> threads_;
  std::map<std::uint64_t, SubscriptionView> subscriptions_;
  std::map<ConnectionId, std::set<ThreadId>> threads_by_connection_;
  std::uint64_t next_subscription_ = 1;
};

}  // namespace lockstep::impl
