#pragma once
// Run status normalisation (docs/reference/http-api.md §9.5), shared by every route, the
// buffer reader and the migration, so the rule exists exactly once.
#include <optional>
#include <string>
#include <string_view>

namespace telemetry {

// Trim ASCII whitespace, lower-case ASCII, map aliases; nullopt when not a status.
std::optional<std::string> normalize_status(std::string_view text);

// "['running', 'success', 'failure', 'partial', 'timeout', 'cancelled']"
extern const char kStatusList[];

}  // namespace telemetry
