// The two forms of a migration plan (docs/reference/schema.md §4.2), from plans built by hand.
#include <catch2/catch.hpp>

#include "db/migrations/plan_report.h"

using namespace telemetry;
using db::migrations::MigrationPlan;
using db::migrations::TableAction;

TEST_CASE("plan_text of an unknown shape names what was found and nothing else") {
  MigrationPlan plan;
  plan.shape.id = db::Shape::kUnknown;
  plan.shape.details = "agent_runs is missing but other telemetry tables exist";
  CHECK(db::migrations::plan_text(plan) == "shape: unknown (agent_runs is missing but other telemetry tables exist)\n");
  const nlohmann::ordered_json json = db::migrations::plan_json(plan);
  CHECK(json["shape"] == "unknown");
  CHECK(json["steps"].empty());
}

TEST_CASE("plan_text numbers the steps of a rebuild, with thousands grouped") {
  MigrationPlan plan;
  plan.shape.id = db::Shape::kV6Original;
  plan.counts = {47112, 3, 0};
  plan.backup_name = "telemetry.sqlite.pre-migrate.sqlite";
  plan.agent_runs = TableAction::kRebuild;
  plan.runs.rows = 47112;
  plan.run_events = TableAction::kKeep;
  plan.commits = TableAction::kCreate;
  plan.schema_migrations = TableAction::kCreate;
  plan.add_version_row = true;
  const std::string text = db::migrations::plan_text(plan);
  CHECK(text.rfind("shape: v6-original (47,112 rows in agent_runs, 3 in run_events, 0 in commits)\ntarget: v7\n"
                   " 1. backup to telemetry.sqlite.pre-migrate.sqlite\n"
                   " 2. rebuild agent_runs: 47,112 rows\n",
                   0) == 0);
  CHECK(text.find("schema_version set to 6 (column added)") != std::string::npos);
  CHECK(text.find("create commits (absent)") != std::string::npos);
  CHECK(text.find("create schema_migrations, version 7 added") != std::string::npos);

  const nlohmann::ordered_json json = db::migrations::plan_json(plan);
  CHECK(json["backup"] == plan.backup_name);
  REQUIRE(json["steps"].size() == 5);
  CHECK(json["steps"][1]["action"] == "rebuild");
  CHECK(json["steps"][1]["rows"] == 47112);
  CHECK(json["steps"][4]["action"] == "verify");
}

TEST_CASE("an up-to-date plan has no steps and no backup") {
  MigrationPlan plan;
  plan.shape.id = db::Shape::kV7;
  plan.up_to_date = true;
  CHECK(db::migrations::plan_text(plan).find("nothing to do: the database is already canonical v7\n") != std::string::npos);
  const nlohmann::ordered_json json = db::migrations::plan_json(plan);
  CHECK(json["steps"].empty());
  CHECK(json["backup"].is_null());
}
