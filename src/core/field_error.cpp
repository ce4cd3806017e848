#include "core/field_error.h"

namespace telemetry {

ordered_json FieldError::to_json() const {
  ordered_json out = ordered_json::object();
  out["type"] = type;
  out["loc"] = loc;
  out["msg"] = msg;
  out["input"] = input;
  if (ctx) out["ctx"] = *ctx;
  return out;
}

std::string FieldError::to_reason() const {
  // The field is the innermost location; a bare ["body"] names the body itself.
  std::string field = "body";
  if (loc.is_array() && !loc.empty()) {
    const ordered_json& last = loc.back();
    field = last.is_string() ? last.get<std::string>() : last.dump();
  }
  return field + ": " + msg;
}

ordered_json validation_error_body(const FieldErrors& errors) {
  ordered_json detail = ordered_json::array();
  for (const FieldError& error : errors) detail.push_back(error.to_json());
  ordered_json body = ordered_json::object();
  body["detail"] = std::move(detail);
  return body;
}

std::string join_reasons(const FieldErrors& errors) {
  std::string joined;
  for (const FieldError& error : errors) {
    if (!joined.empty()) joined += "; ";
    joined += error.to_reason();
  }
  return joined;
}

}  // namespace telemetry
