#pragma once
// The run record of docs/reference/http-api.md §12.3, built from one stored row.
#include <nlohmann/json.hpp>

#include "db/run_queries.h"

namespace telemetry::http {

// Takes the row by value: its values are moved into the record.
nlohmann::ordered_json run_record_json(db::StoredRow row);

}  // namespace telemetry::http
