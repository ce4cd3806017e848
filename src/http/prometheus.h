#pragma once
// The Prometheus text exposition (format 0.0.4) of /metrics (docs/reference/http-api.md §17.3).
#include <string>

#include "http/service.h"

namespace telemetry::http {

std::string render_prometheus(ServiceContext& context);

// Label value escaping: backslash, double quote, newline.
std::string escape_label_value(const std::string& value);

}  // namespace telemetry::http
