#include "core/status.h"

#include <array>
#include <utility>

#include "util/ascii.h"

namespace telemetry {

const char kStatusList[] =
    "['running', 'success', 'failure', 'partial', 'timeout', 'cancelled']";

std::optional<std::string> normalize_status(std::string_view text) {
  // (accepted spelling, stored status) as in docs/reference/http-api.md §9.5.
  static const std::array<std::pair<std::string_view, const char*>, 10> kAliases{{
      {"running", "running"},
      {"success", "success"},
      {"completed", "success"},
      {"succeeded", "success"},
      {"failure", "failure"},
      {"failed", "failure"},
      {"partial", "partial"},
      {"timeout", "timeout"},
      {"cancelled", "cancelled"},
      {"canceled", "cancelled"},
  }};
  const std::string key = ascii::lower(ascii::trim(text));
  for (const auto& [spelling, stored] : kAliases) {
    if (key == spelling) return std::string(stored);
  }
  return std::nullopt;
}

}  // namespace telemetry
