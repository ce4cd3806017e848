#pragma once
// Random identifiers for records made by `telemetry run` and `record`: a
// UUID4 event_id and the client's run_id suffix (docs/reference/buffer-files.md §5.4).
#include <string>

namespace telemetry {

std::string uuid4();
std::string random_hex(int bytes);

}  // namespace telemetry
