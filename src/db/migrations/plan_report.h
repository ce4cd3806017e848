#pragma once
// How `telemetry migrate` shows a plan (docs/reference/schema.md §4.2): the numbered
// steps as text for a person, the same steps as JSON for a script.
#include <string>

#include <nlohmann/json.hpp>

#include "db/migrations/plan.h"

namespace telemetry::db::migrations {

// The text form; ends with a newline.
std::string plan_text(const MigrationPlan& plan);
nlohmann::ordered_json plan_json(const MigrationPlan& plan);

}  // namespace telemetry::db::migrations
