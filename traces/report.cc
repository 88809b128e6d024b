#include "traces/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace lockstep::traces {

namespace {

std::string time_text(std::int64_t ns) {
  if (ns == 0) return "0";
  if (ns % 1'000'000'000 == 0) return fmt::format("{}s", ns / 1'000'000'000);
  if (ns % 1'000'000 == 0) return fmt::format("{}ms", ns / 1'000'000);
  return fmt::format("{}ns", ns);
}

std::string cell(const Trace& t, const TraceStep& s) {
  std::string obj;
  if (s.op == sim::OpKind::kJoin) {
    obj = fmt::format(" T{}", s.object);
  } else if (s.object >= 0 && static_cast<std::size_t>(s.object) < t.objects.size()) {
    obj = " " + t.objects[static_cast<std::size_t>(s.object)];
  }
  return fmt::format("{}{} @{}", sim::op_kind_name(s.op), obj, s.site);
}

}  // namespace

std::set<std::size_t> cited_steps(const Trace& t) {
  std::set<std::size_t> out;
  if (!t.failure) return out;
  if (t.failure->step >= 0) out.insert(static_cast<std::size_t>(t.failure->step));
  auto scan = [&out](const std::string& text) {
    for (std::size_t i = 0; i + 1 < text.size(); ++i) {
      if (text[i] != '@' || text[i + 1] < '0' || text[i + 1] > '9') continue;
      std::size_t n = 0, j = i + 1;
      for (; j < text.size() && text[j] >= '0' && text[j] <= '9' && n < (std::size_t{1} << 40);
           ++j) {
        n = n * 10 + static_cast<std::size_t>(text[j] - '0');
      }
      out.insert(n);
      i = j - 1;
    }
  };
  scan(t.failure->message);
  for (const auto& link : t.failure->chain) scan(link);
  return out;
}

std::string interleaving_table(const Trace& t, std::size_t max_rows,
                               const std::set<std::size_t>& focus) {
  const std::size_t ntasks = t.tasks.size();
  const std::size_t n = t.steps.size();
  // Which rows to show: all, or the first and last rows and those around cited steps.
  constexpr std::size_t kAround = 4;
  std::vector<bool> shown(n, n <= max_rows);
  if (n > max_rows) {
    const std::size_t edge = std::max<std::size_t>(max_rows / 4, 1);
    for (std::size_t i = 0; i < std::min(edge, n); ++i) shown[i] = shown[n - 1 - i] = true;
    for (std::size_t f : focus) {
      if (f >= n) continue;
      for (std::size_t i = f >= kAround ? f - kAround : 0; i <= std::min(n - 1, f + kAround); ++i) {
        shown[i] = true;
      }
    }
  }
  std::vector<std::size_t> width(ntasks, 0);
  std::vector<std::string> header(ntasks);
  for (std::size_t i = 0; i < ntasks; ++i) {
    header[i] = fmt::format("T{} {}{}", i, t.tasks[i].name,
                            t.tasks[i].thread >= 0 ? fmt::format(" [t{}]", t.tasks[i].thread) : "");
    width[i] = header[i].size();
  }
  std::vector<std::string> cells(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!shown[i]) continue;
    cells[i] = cell(t, t.steps[i]);
    const std::size_t task = t.steps[i].task;
    if (task < ntasks) width[task] = std::max(width[task], std::min<std::size_t>(cells[i].size(), 48));
  }
  std::string out = fmt::format("{:>6} {:>8} ", "step", "time");
  for (std::size_t i = 0; i < ntasks; ++i) out += fmt::format("| {:<{}} ", header[i], width[i]);
  out += "\n";
  for (std::size_t i = 0; i < n; ++i) {
    if (!shown[i]) {
      std::size_t j = i;
      while (j < n && !shown[j]) ++j;
      out += fmt::format("   ... {} steps omitted ...\n", j - i);
      i = j - 1;
      continue;
    }
    const TraceStep& s = t.steps[i];
    out += fmt::format("{:>5}{} {:>8} ", i, focus.count(i) ? "*" : " ", time_text(s.time));
    for (std::size_t c = 0; c < ntasks; ++c) {
      std::string text = c == s.task ? cells[i] : "";
      if (text.size() > width[c]) text = text.substr(0, width[c] - 1) + "~";
      out += fmt::format("| {:<{}} ", text, width[c]);
    }
    out += "\n";
  }
  return out;
}

bool parse_graph_format(std::string_view name, GraphFormat& out) {
  if (name == "text") out = GraphFormat::kText;
  else if (name == "dot") out = GraphFormat::kDot;
  else if (name == "mermaid") out = GraphFormat::kMermaid;
  else return false;
  return true;
}

std::string lock_graph(const sim::LockOrder& order, GraphFormat format,
                       const std::vector<bool>& violating_waits) {
  std::set<std::uint32_t> violating;
  for (std::size_t i = 0; i < order.held_across_waits().size(); ++i) {
    if (i < violating_waits.size() && violating_waits[i]) {
      violating.insert(order.held_across_waits()[i].held_class);
    }
  }
  if (format == GraphFormat::kText) {
    std::string out = order.format();
    for (std::uint32_t c : violating) {
      out += fmt::format("VIOLATION: {} is held across a wait the lock rules do not allow\n",
                         order.classes()[c]);
    }
    return out;
  }
  std::set<std::size_t> cyclic;
  for (const sim::LockCycle& c : order.cycles()) cyclic.insert(c.edges.begin(), c.edges.end());
  std::set<std::uint32_t> held_across;
  for (const sim::HeldAcrossWait& w : order.held_across_waits()) held_across.insert(w.held_class);
  const auto& names = order.classes();
  std::string out;
  if (format == GraphFormat::kDot) {
    out = "digraph lock_order {\n  rankdir=LR;\n  node [shape=box];\n";
    for (std::uint32_t i = 0; i < names.size(); ++i) {
      const bool bad = violating.count(i) != 0;
      out += fmt::format("  \"{}\" [label=\"{}\\ntaken {}x{}\"{}];\n", names[i], names[i],
                         order.hold_count(i),
                         bad ? "\\nVIOLATION: held across a wait"
                             : (held_across.count(i) ? "\\nheld across a wait (allowed)" : ""),
                         bad ? " style=\"dashed,filled\" color=red fillcolor=mistyrose"
                             : (held_across.count(i) ? " style=dashed" : ""));
    }
    for (std::size_t e = 0; e < order.edges().size(); ++e) {
      const sim::LockEdge& edge = order.edges()[e];
      out += fmt::format("  \"{}\" -> \"{}\" [label=\"{} -> {} ({}x)\"{}];\n", names[edge.from],
                         names[edge.to], edge.held_site.str(), edge.acquire_site.str(), edge.count,
                         cyclic.count(e) ? " color=red penwidth=2" : "");
    }
    out += "}\n";
    return out;
  }
  out = "flowchart LR\n";
  for (std::uint32_t i = 0; i < names.size(); ++i) {
    const bool bad = violating.count(i) != 0;
    out += fmt::format("  n{}[\"{}<br/>taken {}x{}\"]\n", i, names[i], order.hold_count(i),
                       bad ? "<br/>VIOLATION: held across a wait"
                           : (held_across.count(i) ? "<br/>held across a wait (allowed)" : ""));
    if (bad) out += fmt::format("  style n{} fill:#fdd,stroke:red,stroke-width:3px\n", i);
  }
  std::vector<std::size_t> red;
  for (std::size_t e = 0; e < order.edges().size(); ++e) {
    const sim::LockEdge& edge = order.edges()[e];
    out += fmt::format("  n{} -->|\"{} then {} ({}x)\"| n{}\n", edge.from, edge.held_site.str(),
                       edge.acquire_site.str(), edge.count, edge.to);
    if (cyclic.count(e)) red.push_back(e);
  }
  for (std::size_t e : red) out += fmt::format("  linkStyle {} stroke:red,stroke-width:3px\n", e);
  return out;
}

}  // namespace lockstep::traces
