#pragma once
// The run record of http-api.md 12.3, built from one stored row.
#include <nlohmann/json.hpp>

#include "db/run_queries.h"

namespace telemetry::http {

nlohmann::ordered_json run_record_json(const db::StoredRow& row);

}  // namespace telemetry::http
