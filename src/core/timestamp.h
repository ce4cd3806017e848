#pragma once
// ISO 8601 timestamps as the API accepts them (docs/reference/http-api.md §9.4) and the
// canonical UTC form YYYY-MM-DDTHH:MM:SS.ffffff+00:00 that sorts as text.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace telemetry {

enum class TimestampSyntax {
  kBody,    // date, separator and time required
  kFilter,  // query filters: a date alone means 00:00:00 UTC
};

// Canonical UTC form of `text`, or nullopt when it does not follow the grammar.
std::optional<std::string> canonical_utc(std::string_view text,
                                         TimestampSyntax syntax = TimestampSyntax::kBody);

// The instant `text` names (same grammar and range as canonical_utc), or nullopt.
std::optional<std::chrono::system_clock::time_point> parse_utc(std::string_view text,
                                                               TimestampSyntax syntax = TimestampSyntax::kBody);

// Query leniency of §9.4: a space just before a trailing offset is read as '+'.
std::string restore_plus_in_filter(std::string_view text);

std::string canonical_utc(std::chrono::system_clock::time_point when);
std::string canonical_utc_now();

}  // namespace telemetry
