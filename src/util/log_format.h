#pragma once
// How one log line is spelt, separated from where it goes so that tests can
// check the exact text (docs/reference/configuration.md §4.4).
#include <chrono>
#include <string>

#include "util/log.h"

namespace telemetry::log {

const char* level_name(Level level);  // debug info warning error critical

// YYYY-MM-DDTHH:MM:SS.ffffff+00:00, the canonical UTC form used everywhere.
std::string utc_timestamp(std::chrono::system_clock::time_point when);

// One complete line including the trailing '\n'.
std::string format_line(Format format, std::chrono::system_clock::time_point when, Level level,
                        const std::string& message, const Fields& fields);

// A logfmt value: bare when safe, else double-quoted with \" \\ \n \r \t escaped.
std::string logfmt_value(const std::string& value);

}  // namespace telemetry::log
