#include "core/duration.h"

#include <cstdint>
#include <limits>

#include "util/ascii.h"

namespace telemetry {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit_seconds = 0;
  switch (text.back()) {
    case 'h': unit_seconds = 3600; break;
    case 'd': unit_seconds = 86400; break;
    case 'w': unit_seconds = 7 * 86400; break;
    default: return std::nullopt;
  }
  const std::string_view digits = text.substr(0, text.size() - 1);
  // Bound the count so count * unit cannot overflow seconds' int64.
  const std::int64_t max_count = std::numeric_limits<std::int64_t>::max() / unit_seconds;
  std::int64_t count = 0;
  for (char c : digits) {
    if (!ascii::is_digit(c)) return std::nullopt;
    const int digit = c - '0';
    if (count > (max_count - digit) / 10) return std::nullopt;
    count = count * 10 + digit;
  }
  if (count < 1) return std::nullopt;
  return std::chrono::seconds(count * unit_seconds);
}

std::optional<std::chrono::seconds> parse_time_limit(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::int64_t unit_seconds = 1;
  switch (text.back()) {
    case 's': unit_seconds = 1; text.remove_suffix(1); break;
    case 'm': unit_seconds = 60; text.remove_suffix(1); break;
    case 'h': unit_seconds = 3600; text.remove_suffix(1); break;
    case 'd': unit_seconds = 86400; text.remove_suffix(1); break;
    default: break;
  }
  if (text.empty() || text.size() > 12) return std::nullopt;
  std::int64_t count = 0;
  for (char c : text) {
    if (!ascii::is_digit(c)) return std::nullopt;
    count = count * 10 + (c - '0');
  }
  if (count < 1) return std::nullopt;
  return std::chrono::seconds(count * unit_seconds);
}

}  // namespace telemetry
