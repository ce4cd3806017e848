#pragma once
// UTF-8 checks shared by the run record view and buffer quarantine files.
#include <string>
#include <string_view>

namespace telemetry {

bool is_valid_utf8(std::string_view bytes);
// Invalid sequences replaced by U+FFFD (one per maximal invalid subpart).
std::string replace_invalid_utf8(std::string_view bytes);

}  // namespace telemetry
