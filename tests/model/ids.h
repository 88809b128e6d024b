// tests/model/ids.h: short names for the ids the model tests use. Header-only constants.
#pragma once

#include "model/reference_model.h"

namespace lockstep::model::testing {

inline constexpr ConnectionId kC0{0};
inline constexpr ConnectionId kC1{1};
inline constexpr ThreadId kT0{0};
inline constexpr ThreadId kT1{1};

}  // namespace lockstep::model::testing
