#include "tests/oracles/program.h"

#include <algorithm>
#include <set>

namespace lockstep::oracles {
namespace {

const char* op_name(OpKind k) {
  switch (k) {
    case OpKind::kSection:
      return "section";
    case OpKind::kNested:
      return "nested";
    case OpKind::kRead:
      return "read";
    case OpKind::kWrite:
      return "write";
    case OpKind::kLabel:
      return "label";
    case OpKind::kSend:
      return "send";
    case OpKind::kRecv:
      return "recv";
    case OpKind::kPost:
      return "post";
    case OpKind::kAwait:
      return "await";
    case OpKind::kSpawn:
      return "spawn";
    case OpKind::kJoin:
      return "join";
  }
  return "?";
}

bool is_take(OpKind k, OpKind take) { return k == take; }

// Moves the takers of one resource below `split` and its givers to `split` and above, then
// turns takes beyond the number of gives into plain labelled points.
void feed_from_above(Program& p, std::size_t split, OpKind give, OpKind take) {
  std::size_t gives = 0;
  std::size_t takes = 0;
  for (std::size_t t = 0; t < p.tasks.size(); ++t) {
    for (Op& op : p.tasks[t]) {
      if (op.kind == give || op.kind == take) op.kind = t < split ? take : give;
      if (op.kind == give) ++gives;
      if (op.kind == take) ++takes;
    }
  }
  for (std::size_t t = p.tasks.size(); t-- > 0 && takes > gives;) {
    for (std::size_t i = p.tasks[t].size(); i-- > 0 && takes > gives;) {
      if (is_take(p.tasks[t][i].kind, take)) {
        p.tasks[t][i] = {OpKind::kLabel, 0, false};
        --takes;
      }
    }
  }
}

}  // namespace

std::string Outcome::str() const {
  std::string s;
  switch (end) {
    case End::kCompleted:
      s = "completed";
      break;
    case End::kStuck:
      s = "stuck";
      break;
    case End::kOther:
      s = "other(" + other + ")";
      break;
  }
  s += " c0=" + std::to_string(c0) + " c1=" + std::to_string(c1) + " crw=" + std::to_string(crw) +
       " tokens=" + std::to_string(tokens) + " labels=";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) s += ",";
    s += std::to_string(labels[i] / 64) + "." + std::to_string(labels[i] % 64);
  }
  s += " seen=[";
  for (std::size_t t = 0; t < seen.size(); ++t) {
    if (t > 0) s += ";";
    for (std::size_t i = 0; i < seen[t].size(); ++i) {
      if (i > 0) s += ",";
      s += std::to_string(seen[t][i]);
    }
  }
  return s + "]";
}

std::string to_string(const Program& p) {
  std::string s;
  for (std::size_t t = 0; t < p.tasks.size(); ++t) {
    s += "  task " + std::to_string(t) + ":";
    for (std::size_t i = 0; i < p.tasks[t].size(); ++i) {
      const Op& op = p.tasks[t][i];
      s += std::string(i == 0 ? " " : "; ") + std::to_string(i) + ":" + op_name(op.kind);
      if (op.kind == OpKind::kSection) s += " m" + std::to_string(op.arg);
      if (op.kind == OpKind::kSpawn || op.kind == OpKind::kJoin) {
        s += " " + std::to_string(op.arg);
      }
      if (op.label) s += " [label]";
    }
    s += "\n";
  }
  s += std::string("  posts notify ") + (p.notify_all ? "all" : "one") + "\n";
  return s;
}

void showValue(const Program& p, std::ostream& os) { os << "\n" << to_string(p); }

void make_deadlock_free(Program& p, std::size_t chan_split, std::size_t cv_split,
                        const std::vector<std::size_t>& spawn_at) {
  const std::size_t n = p.tasks.size();
  // Only the root spawns and joins; generated bodies carry neither.
  for (auto& ops : p.tasks) {
    std::erase_if(
        ops, [](const Op& op) { return op.kind == OpKind::kSpawn || op.kind == OpKind::kJoin; });
  }
  feed_from_above(p, std::clamp<std::size_t>(chan_split, 1, n - 1), OpKind::kSend, OpKind::kRecv);
  feed_from_above(p, std::clamp<std::size_t>(cv_split, 1, n - 1), OpKind::kPost, OpKind::kAwait);

  std::set<std::size_t> waiters;
  for (std::size_t t = 0; t < n; ++t) {
    for (const Op& op : p.tasks[t]) {
      if (op.kind == OpKind::kAwait) waiters.insert(t);
    }
  }
  if (waiters.size() > 1) p.notify_all = true;

  // Spawns go before the root's first receive or wait (which only children can feed).
  auto& root = p.tasks[0];
  std::size_t first_take = root.size();
  for (std::size_t i = 0; i < root.size(); ++i) {
    if (root[i].kind == OpKind::kRecv || root[i].kind == OpKind::kAwait) {
      first_take = i;
      break;
    }
  }
  std::vector<std::size_t> at(n - 1, 0);
  for (std::size_t j = 0; j + 1 < n; ++j) {
    at[j] = std::min(j < spawn_at.size() ? spawn_at[j] : 0, first_take);
  }
  std::sort(at.begin(), at.end());
  for (std::size_t j = n - 1; j-- > 0;) {  // from the back, so earlier positions stay valid
    root.insert(root.begin() + static_cast<std::ptrdiff_t>(at[j]),
                Op{OpKind::kSpawn, static_cast<std::uint8_t>(j + 1), false});
  }
  for (std::size_t j = 1; j < n; ++j) {
    root.push_back(Op{OpKind::kJoin, static_cast<std::uint8_t>(j), false});
  }
}

}  // namespace lockstep::oracles
