#pragma once
// Numbers in summaries and progress lines: sizes and counts.
#include <cstdint>
#include <string>

namespace telemetry {

// "12.3 MiB"; below 1 KiB "512 B".
std::string human_bytes(std::uint64_t bytes);
// "1,843,002".
std::string with_thousands(std::int64_t value);

}  // namespace telemetry
