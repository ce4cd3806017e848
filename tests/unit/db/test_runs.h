#pragma once
// Valid runs and a fresh v7 database for the db unit tests.
#include <catch2/catch.hpp>

#include <string>

#include "core/run_record.h"
#include "core/timestamp.h"
#include "db/database.h"
#include "temp_db.h"

inline telemetry::RunRecord make_run(const std::string& event_id) {
  using telemetry::ordered_json;
  ordered_json body{{"event_id", event_id}, {"run_id", "r-" + event_id}, {"agent_name", "crawler"},
                    {"job_type", "crawl"}, {"start_time", "2026-01-14T09:15:02+00:00"}};
  telemetry::RunParseResult parsed =
      telemetry::parse_run(body, ordered_json::array({"body"}), telemetry::canonical_utc_now());
  REQUIRE(parsed.ok());
  return parsed.run;
}

inline telemetry::db::ServableDatabase open_db(const TempDb& temp) {
  const telemetry::db::ConnectionSettings settings{telemetry::JournalMode::kDelete, telemetry::Synchronous::kFull, 5000};
  return telemetry::db::open_servable(temp.path, settings, true);
}
