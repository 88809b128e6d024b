// traces/report.h: renderings for people: the interleaving of a trace as a table with one
// column per task, and the lock-class graph as text, Graphviz DOT or Mermaid.
// Pure functions of their inputs; deterministic output.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sim/lock_order.h"
#include "traces/trace.h"

namespace lockstep::traces {

// One row per step: step, virtual time, and in the column of the task that ran it the
// operation, its object and the source line. Columns are headed by the task's name (e.g.
// "client c1", "cleanup") and the thread it works for. A trace longer than max_rows keeps
// its first and last rows and, always, the rows around every step in `focus` (the steps a
// violation cites); each gap says how many steps it hides.
std::string interleaving_table(const Trace& trace, std::size_t max_rows = 200,
                               const std::set<std::size_t>& focus = {});
// The steps a trace's failure cites: its step, and every "@N" (a record's stamp, which is
// the step that wrote it) in its message and chain.
std::set<std::size_t> cited_steps(const Trace& trace);
// The line that explains the "#i @s" notation of violation messages, printed once per report.
inline constexpr std::string_view kNotationNote =
    "(#i @s: the probe's record number i, written just before step s of the interleaving)";

enum class GraphFormat { kText, kDot, kMermaid };
bool parse_graph_format(std::string_view name, GraphFormat& out);
// Nodes are lock classes (with how often taken); edges held -> acquired with first sites and
// counts; edges on a cycle are marked; classes held across blocking waits are marked, and a
// hold that violates the lock rules (violating_waits[i] for held_across_waits()[i]) is drawn
// red and labelled "VIOLATION", unlike an allowed one.
std::string lock_graph(const sim::LockOrder& order, GraphFormat format,
                       const std::vector<bool>& violating_waits = {});

}  // namespace lockstep::traces
