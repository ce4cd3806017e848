#include "http/auth.h"

#include <sstream>
#include <vector>

#include "http/responses.h"
#include "util/ascii.h"

namespace telemetry::http {

bool constant_time_equals(const std::string& a, const std::string& b) {
  // Walk the expected token's length whatever `a` is, so a length mismatch
  // takes the same path as a content mismatch.
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < b.size(); ++i) {
    const unsigned char left = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    difference |= static_cast<unsigned char>(left ^ static_cast<unsigned char>(b[i]));
  }
  return difference == 0;
}

Authenticator::Authenticator(const Config& config, ServiceMetrics& metrics)
    : enabled_(config.auth_enabled && config.auth_token.has_value()),
      token_(config.auth_token.value_or("")),
      metrics_(metrics) {}

bool Authenticator::admit(const httplib::Request& request, httplib::Response& response) const {
  if (!enabled_) return true;
  auto refuse = [&](const char* message) {
    metrics_.auth_failures.fetch_add(1);
    response.set_header("WWW-Authenticate", "Bearer");
    send_detail(response, 401, message);
    return false;
  };
  if (!request.has_header("Authorization")) {
    return refuse("Authorization header required. Use: Authorization: Bearer <token>");
  }
  std::istringstream words(request.get_header_value("Authorization"));
  std::vector<std::string> parts;
  for (std::string word; words >> word;) parts.push_back(word);
  const std::string scheme = parts.empty() ? "" : ascii::lower(parts[0]);
  if (parts.size() != 2 || scheme != "bearer") {
    return refuse("Invalid authorization format. Use: Authorization: Bearer <token>");
  }
  if (!constant_time_equals(parts[1], token_)) return refuse("Invalid authentication token");
  return true;
}

}  // namespace telemetry::http
