// properties/property.cc: property names and the dispatch of check_execution().
#include "properties/property.h"

#include <fmt/format.h>

#include <algorithm>

#include "properties/checkers.h"
#include "properties/log_index.h"

namespace lockstep::properties {

std::string_view property_name(Property p) {
  switch (p) {
    case Property::kNoPhantomSubscribers:
      return "no-phantom-subscribers";
    case Property::kPerThreadOrder:
      return "per-thread-order";
    case Property::kNoCrossThreadBlocking:
      return "no-cross-thread-blocking";
    case Property::kNoDeadlock:
      return "no-deadlock";
    case Property::kLinearizable:
      return "linearizable";
    case Property::kLiveness:
      return "liveness";
    case Property::kPoolIntegrity:
      return "pool-integrity";
  }
  return "?";
}

std::optional<Property> parse_property(std::string_view name) {
  for (Property p : kAllProperties) {
    if (property_name(p) == name) return p;
  }
  return std::nullopt;
}

std::string property_names() {
  std::vector<std::string_view> names;
  for (Property p : kAllProperties) names.push_back(property_name(p));
  return fmt::format("{}", fmt::join(names, ", "));
}

std::string_view end_kind_name(EndKind k) {
  switch (k) {
    case EndKind::kCompleted:
      return "completed";
    case EndKind::kStuck:
      return "stuck";
    case EndKind::kStepBound:
      return "step-bound";
    case EndKind::kFailed:
      return "failed";
  }
  return "?";
}

bool CheckOptions::enabled(Property p) const {
  return std::find(properties.begin(), properties.end(), p) != properties.end();
}

std::vector<Violation> check_execution(const ExecutionView& view, const CheckOptions& options) {
  const detail::LogIndex log(view);
  std::vector<Violation> out;
  // Most specific first: agreement with the model (5) is a cross-check that many of the other
  // failures also break, so it comes last and a report leads with what went wrong.
  constexpr std::array kOrder = {
      Property::kNoPhantomSubscribers, Property::kPerThreadOrder, Property::kNoCrossThreadBlocking,
      Property::kNoDeadlock,           Property::kLiveness,       Property::kPoolIntegrity,
      Property::kLinearizable};
  for (Property p : kOrder) {
    if (!options.enabled(p)) continue;
    switch (p) {
      case Property::kNoPhantomSubscribers:
        detail::check_no_phantom_subscribers(log, out);
        break;
      case Property::kPerThreadOrder:
        detail::check_per_thread_order(log, out);
        break;
      case Property::kNoCrossThreadBlocking:
        detail::check_no_cross_thread_blocking(log, out);
        break;
      case Property::kNoDeadlock:
        detail::check_no_deadlock(log, out);
        break;
      case Property::kLinearizable:
        detail::check_linearizable(log, options, out);
        break;
      case Property::kLiveness:
        detail::check_liveness(log, options, out);
        break;
      case Property::kPoolIntegrity:
        detail::check_pool_integrity(log, out);
        break;
    }
  }
  return out;
}

namespace detail {

Violation violation_at(Property p, const Record* r, std::string message) {
  Violation v;
  v.property = p;
  v.message = std::move(message);
  v.step = r == nullptr ? -1 : static_cast<std::int64_t>(r->stamp);
  return v;
}

}  // namespace detail
}  // namespace lockstep::properties
