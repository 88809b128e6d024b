#include "sim/lock_order.h"

#include <fmt/format.h>

#include <string_view>

#include "sim/execution.h"

namespace lockstep::sim {

Site Site::from(std::source_location loc) {
  return {loc.file_name() != nullptr ? loc.file_name() : "?", loc.line()};
}

std::string Site::str() const {
  std::string_view f = file;
  const auto slash = f.rfind('/');
  if (slash != std::string_view::npos) f.remove_prefix(slash + 1);
  return fmt::format("{}:{}", f, line);
}

std::uint32_t LockOrder::class_index(const Execution& ex, std::uint16_t exec_class) {
  if (cached_for_ != &ex) {
    cached_for_ = &ex;
    exec_to_class_.clear();
  }
  if (exec_class >= exec_to_class_.size()) exec_to_class_.resize(exec_class + 1, -1);
  if (exec_to_class_[exec_class] >= 0) return static_cast<std::uint32_t>(exec_to_class_[exec_class]);
  const std::string_view name = ex.class_name(exec_class);
  std::uint32_t idx = 0;
  while (idx < names_.size() && names_[idx] != name) ++idx;
  if (idx == names_.size()) {
    names_.emplace_back(name);
    holds_.push_back(0);
    // Grow the edge matrix, keeping existing entries.
    const std::size_t dim = names_.size();
    std::vector<std::int32_t> grown(dim * dim, -1);
    for (std::size_t r = 0; r < matrix_dim_; ++r) {
      for (std::size_t c = 0; c < matrix_dim_; ++c) grown[r * dim + c] = matrix_[r * matrix_dim_ + c];
    }
    matrix_ = std::move(grown);
    matrix_dim_ = dim;
  }
  exec_to_class_[exec_class] = static_cast<std::int32_t>(idx);
  return idx;
}

void LockOrder::on_acquire_held(const Execution& ex, std::span<const HeldLock> held,
                                std::uint16_t cls, std::int32_t to, std::source_location site) {
  bool known = to >= 0;
  for (std::size_t i = 0; known && i < held.size(); ++i) {
    known = edge_slot(held[i].class_id, to) >= 0;
  }
  if (!known) {
    on_acquire_slow(ex, held, cls, site);
    return;
  }
  ++holds_[static_cast<std::size_t>(to)];
  for (const HeldLock& h : held) {
    ++edges_[static_cast<std::size_t>(edge_slot(h.class_id, to))].count;
  }
}

void LockOrder::on_acquire_slow(const Execution& ex, std::span<const HeldLock> held,
                                std::uint16_t cls, std::source_location site) {
  const std::uint32_t to = class_index(ex, cls);
  ++holds_[to];
  for (const HeldLock& h : held) {
    const std::uint32_t from = class_index(ex, h.class_id);
    std::int32_t& slot = matrix_[from * matrix_dim_ + to];
    if (slot >= 0) {
      ++edges_[static_cast<std::size_t>(slot)].count;
      continue;
    }
    slot = static_cast<std::int32_t>(edges_.size());
    edges_.push_back({from, to, Site::from(h.site), Site::from(site), 1});
    std::vector<GraphCycles::Node> path;
    if (graph_.insert(from, to, path)) {
      // path is to ... from; the cycle is to -> ... -> from -> to.
      LockCycle cycle;
      cycle.classes.assign(path.begin(), path.end());
      for (std::size_t i = 0; i < path.size(); ++i) {
        const std::uint32_t a = path[i];
        const std::uint32_t b = path[(i + 1) % path.size()];
        cycle.edges.push_back(static_cast<std::size_t>(matrix_[a * matrix_dim_ + b]));
      }
      cycles_.push_back(std::move(cycle));
    }
  }
}

void LockOrder::on_wait(const Execution& ex, std::span<const HeldLock> held, OpKind kind,
                        ObjectId waited, std::source_location site, bool blocked) {
  const std::string waited_class =
      waited == kNoObject || kind == OpKind::kJoin
          ? std::string(kind == OpKind::kJoin ? "task" : "")
          : std::string(ex.object(waited).class_name);
  for (const HeldLock& h : held) {
    const std::uint32_t cls = class_index(ex, h.class_id);
    auto key = std::make_tuple(cls, static_cast<int>(kind), waited_class);
    auto [it, inserted] = waits_.try_emplace(key);
    HeldAcrossWait& w = it->second;
    if (inserted) {
      w.held_class = cls;
      w.wait = kind;
      w.waited = waited_class;
      w.held_site = Site::from(h.site);
      w.wait_site = Site::from(site);
    }
    ++w.count;
    if (blocked) ++w.blocked;
  }
}

std::vector<HeldAcrossWait> LockOrder::held_across_waits() const {
  std::vector<HeldAcrossWait> out;
  out.reserve(waits_.size());
  for (const auto& [key, w] : waits_) out.push_back(w);
  return out;
}

std::string LockOrder::format() const {
  std::string out = fmt::format("lock classes: {}\n", names_.size());
  for (std::size_t i = 0; i < names_.size(); ++i) {
    out += fmt::format("  {} (taken {} times)\n", names_[i], holds_[i]);
  }
  out += fmt::format("order edges (held -> acquired): {}\n", edges_.size());
  for (const LockEdge& e : edges_) {
    out += fmt::format("  {} -> {}  held at {}, acquired at {}  ({}x)\n", names_[e.from],
                       names_[e.to], e.held_site.str(), e.acquire_site.str(), e.count);
  }
  out += fmt::format("cycles: {}\n", cycles_.size());
  for (const LockCycle& c : cycles_) {
    std::string chain;
    for (std::uint32_t n : c.classes) chain += names_[n] + " -> ";
    chain += names_[c.classes.front()];
    out += fmt::format("  CYCLE {}\n", chain);
    for (std::size_t e : c.edges) {
      out += fmt::format("    {} held at {} then {} taken at {}\n", names_[edges_[e].from],
                         edges_[e].held_site.str(), names_[edges_[e].to],
                         edges_[e].acquire_site.str());
    }
  }
  out += fmt::format("locks held across waits: {}\n", waits_.size());
  for (const auto& [key, w] : waits_) {
    out += fmt::format("  {} held at {} across {} {} at {}  ({}x, blocked {}x)\n",
                       names_[w.held_class], w.held_site.str(), op_kind_name(w.wait),
                       w.waited.empty() ? "-" : w.waited, w.wait_site.str(), w.count,
                       w.blocked);
  }
  return out;
}

}  // namespace lockstep::sim
