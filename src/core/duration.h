#pragma once
// Durations such as 24h, 30d, 2w (docs/reference/configuration.md §3).
#include <chrono>
#include <optional>
#include <string_view>

namespace telemetry {

std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// A time limit: a whole number of seconds, alone or followed by s, m, h or d
// (90, 90s, 15m, 2h); at least 1 second.
std::optional<std::chrono::seconds> parse_time_limit(std::string_view text);

}  // namespace telemetry
