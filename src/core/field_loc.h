#pragma once
// Where a value sits in a request (a 422 error's `loc`). Building it costs
// allocations, and a valid run never needs it, so a field's loc is kept as
// prefix + key and only turned into JSON when an error is reported.
#include <string_view>

#include "core/field_error.h"

namespace telemetry {

class FieldLoc {
 public:
  // A complete loc, e.g. ["query", "limit"]. Implicit so callers holding one can pass it.
  FieldLoc(const ordered_json& loc) : prefix_(loc) {}  // NOLINT(google-explicit-constructor)
  // `prefix` + [key]; both must outlive this object.
  FieldLoc(const ordered_json& prefix, std::string_view key) : prefix_(prefix), key_(key), has_key_(true) {}

  ordered_json json() const;

 private:
  const ordered_json& prefix_;
  std::string_view key_;
  bool has_key_ = false;
};

}  // namespace telemetry
