#pragma once
// Durations such as 24h, 30d, 2w (docs/reference/configuration.md §3).
#include <chrono>
#include <optional>
#include <string_view>

namespace telemetry {

std::optional<std::chrono::seconds> parse_duration(std::string_view text);

}  // namespace telemetry
