#include "db/migrations/plan_report.h"

#include <algorithm>

#include <fmt/format.h>

#include "db/migrations/canonical.h"
#include "util/format_numbers.h"

namespace telemetry::db::migrations {
namespace {

struct PlanStep {
  std::string action;
  std::string table;
  std::int64_t rows = 0;
  std::string title;
  std::vector<std::string> details;
};

std::string rows_text(std::int64_t rows) { return with_thousands(rows) + (rows == 1 ? " row" : " rows"); }

PlanStep runs_step(const MigrationPlan& plan) {
  const RunsAnalysis& runs = plan.runs;
  PlanStep step{"rebuild", "agent_runs", runs.rows, "rebuild agent_runs: " + rows_text(runs.rows), {}};
  auto& d = step.details;
  const bool library = is_library_shape(plan.shape.id);
  if (library) {
    d.push_back(runs.rows > 0 ? fmt::format("id assigned in rowid order (1..{})", runs.rows)
                              : "id assigned in rowid order (no rows)");
  } else {
    d.push_back("id copied");
  }
  if (runs.derived_event_ids > 0) d.push_back("event_id derived for " + rows_text(runs.derived_event_ids));
  if (runs.derived_event_ids < runs.rows) d.push_back("event_id copied for " + rows_text(runs.rows - runs.derived_event_ids));
  if (runs.replaced_duplicates > 0) {
    d.push_back("duplicate event_id replaced by a derived one: " + rows_text(runs.replaced_duplicates) + " (noted)");
  }
  if (runs.null_run_ids > 0) d.push_back("run_id NULL -> legacy-rowid-<rowid>: " + rows_text(runs.null_run_ids) + " (noted)");
  for (const StatusMapping& mapping : runs.mapped_statuses) {
    d.push_back(fmt::format("status {} -> {}: {}", mapping.from, mapping.to, rows_text(mapping.rows)));
  }
  if (runs.null_statuses > 0) {
    d.push_back("status NULL -> running: " + rows_text(runs.null_statuses) + " (noted in context_json)");
  }
  if (runs.null_job_types > 0) d.push_back("job_type NULL -> '': " + rows_text(runs.null_job_types) + " (noted)");
  if (runs.null_created_at > 0) {
    d.push_back("created_at NULL -> start_time: " + rows_text(runs.null_created_at) + " (noted)");
  }
  for (const auto& [counter, rows] : runs.negative_counters) {
    d.push_back(fmt::format("{} negative -> 0: {} (noted)", counter, rows_text(rows)));
  }
  if (runs.noted_rows > 0) d.push_back(rows_text(runs.noted_rows) + " noted in context_json.telemetry_migrate");
  return step;
}

std::vector<PlanStep> plan_steps(const MigrationPlan& plan, const std::vector<std::string>& added_columns) {
  std::vector<PlanStep> steps;
  if (plan.create_schema) {
    steps.push_back({"create_schema", "", 0, "create the canonical v7 schema (4 tables, 18 indexes, version 7)", {}});
    return steps;
  }
  if (plan.backup) {
    steps.push_back({"backup", "", 0, "backup to " + plan.backup_name, {}});
  } else {
    steps.push_back({"backup", "", 0, "no backup (--no-backup)", {"skipped"}});
  }
  if (plan.agent_runs == TableAction::kRebuild) {
    PlanStep step = runs_step(plan);
    for (const std::string& added : added_columns) step.details.push_back(added);
    steps.push_back(std::move(step));
  }
  auto other = [&](const std::string& table, TableAction action, std::int64_t rows, std::vector<std::string> details) {
    switch (action) {
      case TableAction::kKeep: return;
      case TableAction::kCreate: steps.push_back({"create", table, 0, "create " + table + " (absent)", {}}); return;
      case TableAction::kRebuild:
        steps.push_back({"rebuild", table, rows, "rebuild " + table + ": " + rows_text(rows), std::move(details)});
        return;
      case TableAction::kConvert:
        steps.push_back({"convert", table, rows, "convert " + table + " (v6-original): " + rows_text(rows),
                         std::move(details)});
        return;
    }
  };
  other("run_events", plan.run_events, plan.counts.run_events,
        plan.run_events == TableAction::kConvert
            ? std::vector<std::string>{"message, details -> payload_json", "NULL timestamp -> ''"}
            : std::vector<std::string>{"definition differs from canonical; rows copied"});
  std::vector<std::string> commit_details;
  if (plan.commits == TableAction::kConvert) {
    commit_details = {"timestamp -> commit_date; old id dropped", "run_id, agent_name, files_changed, insertions, deletions NULL"};
    if (plan.keep_commits_legacy) {
      commit_details.push_back(fmt::format("{} with metadata: old table kept as commits_legacy_v6",
                                           rows_text(plan.commits_with_metadata)));
    }
  } else {
    commit_details = {"definition differs from canonical; rows copied"};
  }
  other("commits", plan.commits, plan.counts.commits, commit_details);

  if (!plan.indexes_to_create.empty() || !plan.extra_indexes_recreated.empty() || !plan.extra_indexes_dropped.empty()) {
    PlanStep step{"create_indexes", "", static_cast<std::int64_t>(plan.indexes_to_create.size()),
                  fmt::format("create indexes: {}", plan.indexes_to_create.size()), {}};
    if (plan.indexes_to_create.size() < canonical_indexes().size()) {
      for (const std::string& name : plan.indexes_to_create) {
        bool replaced = std::find(plan.indexes_to_drop.begin(), plan.indexes_to_drop.end(), name) != plan.indexes_to_drop.end();
        const CanonicalIndex& index = *std::find_if(canonical_indexes().begin(), canonical_indexes().end(),
                                                    [&](const CanonicalIndex& i) { return i.name == name; });
        const TableAction action = index.table == "agent_runs"   ? plan.agent_runs
                                   : index.table == "run_events" ? plan.run_events
                                                                 : plan.commits;
        step.details.push_back(name + (replaced                       ? " (re-created: definition differs)"
                                       : action == TableAction::kKeep ? " (missing)"
                                                                      : ""));
      }
    }
    for (const OldIndex& index : plan.extra_indexes_recreated) step.details.push_back("re-create old index " + index.name);
    for (const DroppedIndex& index : plan.extra_indexes_dropped) {
      step.details.push_back("old index " + index.name + " dropped (" + index.reason + ")");
    }
    steps.push_back(std::move(step));
  }

  std::string version = plan.add_version_row ? "version 7 added" : "version 7 row kept";
  switch (plan.schema_migrations) {
    case TableAction::kKeep:
      steps.push_back({"schema_migrations", "schema_migrations", plan.schema_migrations_rows,
                       fmt::format("schema_migrations: {} kept, {}", rows_text(plan.schema_migrations_rows), version), {}});
      break;
    case TableAction::kCreate:
      steps.push_back({"schema_migrations", "schema_migrations", 0, "create schema_migrations, " + version, {}});
      break;
    default:
      steps.push_back({"schema_migrations", "schema_migrations", plan.schema_migrations_rows,
                       fmt::format("rebuild schema_migrations: {} grouped by version, {}",
                                   rows_text(plan.schema_migrations_rows), version),
                       {}});
      break;
  }
  steps.push_back({"verify", "", 0, "verify: quick_check, row counts, canonical schema", {}});
  return steps;
}

std::vector<std::string> added_column_notes(const MigrationPlan& plan) {
  // Which canonical columns the source lacks, from the shape (docs/reference/schema.md §3.2, §4.4).
  const Shape id = plan.shape.id;
  std::vector<std::string> notes;
  if (is_library_shape(id)) {
    notes.push_back("items_skipped set to 0 (column added)");
  }
  if (id == Shape::kV6Original || id == Shape::kV6OriginalGit) {
    notes.push_back("schema_version set to 6 (column added)");
  }
  return notes;
}

}  // namespace

std::string plan_text(const MigrationPlan& plan) {
  std::string out;
  if (plan.shape.id == Shape::kUnknown) {
    return fmt::format("shape: unknown ({})\n", plan.shape.details);
  }
  out += fmt::format("shape: {} ({} in agent_runs, {} in run_events, {} in commits)\n", shape_name(plan.shape.id),
                     rows_text(plan.counts.agent_runs), with_thousands(plan.counts.run_events),
                     with_thousands(plan.counts.commits));
  out += "target: v7\n";
  if (plan.lock_note) out += "note: " + *plan.lock_note + "\n";
  if (plan.up_to_date) return out + "nothing to do: the database is already canonical v7\n";
  int number = 0;
  for (const PlanStep& step : plan_steps(plan, added_column_notes(plan))) {
    out += fmt::format("{:>2}. {}\n", ++number, step.title);
    for (const std::string& detail : step.details) out += "      " + detail + "\n";
  }
  for (const std::string& refusal : plan.refusals) out += "refused: " + refusal + "\n";
  return out;
}

nlohmann::ordered_json plan_json(const MigrationPlan& plan) {
  nlohmann::ordered_json out;
  out["shape"] = shape_name(plan.shape.id);
  if (!plan.shape.details.empty()) out["shape_details"] = plan.shape.details;
  out["target"] = 7;
  out["counts"] = {{"agent_runs", plan.counts.agent_runs},
                   {"run_events", plan.counts.run_events},
                   {"commits", plan.counts.commits}};
  out["up_to_date"] = plan.up_to_date;
  out["steps"] = nlohmann::ordered_json::array();
  if (plan.shape.id != Shape::kUnknown && !plan.up_to_date) {
    for (const PlanStep& step : plan_steps(plan, added_column_notes(plan))) {
      out["steps"].push_back({{"action", step.action},
                              {"table", step.table.empty() ? nlohmann::ordered_json(nullptr)
                                                           : nlohmann::ordered_json(step.table)},
                              {"rows", step.rows},
                              {"title", step.title},
                              {"details", step.details}});
    }
  }
  out["backup"] = plan.backup && !plan.create_schema && !plan.up_to_date ? nlohmann::ordered_json(plan.backup_name)
                                                                          : nlohmann::ordered_json(nullptr);
  out["refusals"] = plan.refusals;
  if (plan.lock_note) out["lock_note"] = *plan.lock_note;
  return out;
}

}  // namespace telemetry::db::migrations
