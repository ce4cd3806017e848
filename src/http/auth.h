#pragma once
// Optional Bearer-token authentication (docs/reference/http-api.md §6).
#include <string>

#include <httplib.h>

#include "http/service_metrics.h"
#include "util/config.h"

namespace telemetry::http {

class Authenticator {
 public:
  Authenticator(const Config& config, ServiceMetrics& metrics);
  // True when the request may proceed; otherwise the 401 has been written.
  bool admit(const httplib::Request& request, httplib::Response& response) const;

 private:
  bool enabled_;
  std::string token_;
  ServiceMetrics& metrics_;
};

// Compares in time that depends only on the lengths, never on where they differ.
bool constant_time_equals(const std::string& a, const std::string& b);

}  // namespace telemetry::http
