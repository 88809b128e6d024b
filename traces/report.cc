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
    obj = fmt::format(" task#{}", s.object);
  } else if (s.object >= 0 && static_cast<std::size_t>(s.object) < t.objects.size()) {
    obj = " " + t.objects[static_cast<std::size_t>(s.object)];
  }
  return fmt::format("{}{} @{}", sim::op_kind_name(s.op), obj, s.site);
}

}  // namespace

std::string interleaving_table(const Trace& t, std::size_t max_rows) {
  const std::size_t ntasks = t.tasks.size();
  std::vector<std::size_t> width(ntasks, 0);
  std::vector<std::string> header(ntasks);
  for (std::size_t i = 0; i < ntasks; ++i) {
    header[i] = fmt::format("task {} {}{}", i, t.tasks[i].name,
                            t.tasks[i].thread >= 0 ? fmt::format(" [t{}]", t.tasks[i].thread) : "");
    width[i] = header[i].size();
  }
  std::vector<std::string> cells(t.steps.size());
  for (std::size_t i = 0; i < t.steps.size(); ++i) {
    cells[i] = cell(t, t.steps[i]);
    const std::size_t task = t.steps[i].task;
    if (task < ntasks) width[task] = std::max(width[task], std::min<std::size_t>(cells[i].size(), 48));
  }
  std::string out = fmt::format("{:>6} {:>8} ", "step", "time");
  for (std::size_t i = 0; i < ntasks; ++i) out += fmt::format("| {:<{}} ", header[i], width[i]);
  out += "\n";
  const std::size_t n = t.steps.size();
  const std::size_t head = n <= max_rows ? n : max_rows / 2;
  for (std::size_t i = 0; i < n; ++i) {
    if (i == head && n > max_rows) {
      out += fmt::format("   ... {} steps omitted ...\n", n - max_rows);
      i = n - (max_rows - head);
    }
    const TraceStep& s = t.steps[i];
    out += fmt::format("{:>6} {:>8} ", i, time_text(s.time));
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

std::string lock_graph(const sim::LockOrder& order, GraphFormat format) {
  if (format == GraphFormat::kText) return order.format();
  std::set<std::size_t> cyclic;
  for (const sim::LockCycle& c : order.cycles()) cyclic.insert(c.edges.begin(), c.edges.end());
  std::set<std::uint32_t> held_across;
  for (const sim::HeldAcrossWait& w : order.held_across_waits()) held_across.insert(w.held_class);
  const auto& names = order.classes();
  std::string out;
  if (format == GraphFormat::kDot) {
    out = "digraph lock_order {\n  rankdir=LR;\n  node [shape=box];\n";
    for (std::uint32_t i = 0; i < names.size(); ++i) {
      out += fmt::format("  \"{}\" [label=\"{}\\ntaken {}x{}\"{}];\n", names[i], names[i],
                         order.hold_count(i), held_across.count(i) ? "\\nheld across a wait" : "",
                         held_across.count(i) ? " style=dashed" : "");
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
    out += fmt::format("  n{}[\"{}<br/>taken {}x{}\"]\n", i, names[i], order.hold_count(i),
                       held_across.count(i) ? "<br/>held across a wait" : "");
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
