#include "core/field_loc.h"

#include <string>

namespace telemetry {

ordered_json FieldLoc::json() const {
  ordered_json loc = prefix_;
  if (has_key_) loc.push_back(std::string(key_));
  return loc;
}

}  // namespace telemetry
