#pragma once
// Shared inputs for the run parser tests.
#include <string>

#include "core/field_error.h"

namespace telemetry::test {

inline const std::string kNow = "2026-01-14T09:20:00.123456+00:00";

// The smallest valid POST body.
inline ordered_json minimal_run() {
  return ordered_json::parse(R"({"event_id":"e-1","run_id":"r-1",
      "start_time":"2026-01-14T09:15:02+00:00","agent_name":"crawler","job_type":"crawl"})");
}

inline ordered_json body_loc() { return ordered_json::array({"body"}); }

inline ordered_json loc(const char* field) { return ordered_json::array({"body", field}); }

// The errors as the compact JSON text of their 422 body.
inline std::string errors_text(const FieldErrors& errors) {
  return validation_error_body(errors).dump();
}

}  // namespace telemetry::test
