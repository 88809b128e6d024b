// traces/report.h: renderings for people: the interleaving of a trace as a table with one
// column per task, and the lock-class graph as text, Graphviz DOT or Mermaid.
// Pure functions of their inputs; deterministic output.
#pragma once

#include <string>
#include <string_view>

#include "sim/lock_order.h"
#include "traces/trace.h"

namespace lockstep::traces {

// One row per step: step, virtual time, and in the column of the task that ran it the
// operation, its object and the source line. Long traces keep the first and last rows.
std::string interleaving_table(const Trace& trace, std::size_t max_rows = 200);

enum class GraphFormat { kText, kDot, kMermaid };
bool parse_graph_format(std::string_view name, GraphFormat& out);
// Nodes are lock classes (with how often taken); edges held -> acquired with first sites and
// counts; edges on a cycle are marked; classes held across blocking waits are marked.
std::string lock_graph(const sim::LockOrder& order, GraphFormat format);

}  // namespace lockstep::traces
