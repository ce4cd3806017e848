#include "buffer/ingest_summary.h"

#include <fmt/format.h>

namespace telemetry::buffer {
namespace {

using Json = nlohmann::ordered_json;

std::string counts_text(const LineCounts& c) {
  return fmt::format("{} lines, {} inserted, {} updated, {} duplicates, {} rejected, {} blank, {} skipped",
                     c.lines, c.inserted, c.updated, c.duplicates, c.rejected, c.blank, c.skipped);
}

Json counts_json(Json object, const LineCounts& c) {
  object["lines"] = c.lines;
  object["inserted"] = c.inserted;
  object["updated"] = c.updated;
  object["duplicates"] = c.duplicates;
  object["rejected"] = c.rejected;
  object["blank"] = c.blank;
  object["skipped"] = c.skipped;
  return object;
}

Json optional_text(const std::optional<std::string>& text) { return text ? Json(*text) : Json(); }

bool completed(const InputReport& report) {
  return report.state == InputState::kSynced || report.state == InputState::kKept;
}

bool not_completed(const InputReport& report) {
  return report.state == InputState::kLeft || report.state == InputState::kChanged;
}

}  // namespace

std::string input_summary_line(const InputReport& report) {
  std::string line = report.path + ": " + counts_text(report.counts);
  switch (report.state) {
    case InputState::kSynced: line += " -> " + report.renamed_to.value_or(""); break;
    case InputState::kKept: line += " (kept)"; break;
    case InputState::kDryRun: line += " (dry run)"; break;
    case InputState::kLeft:
    case InputState::kChanged: line += " (left: " + report.error.value_or("unknown") + ")"; break;
  }
  if (report.rejected_file) line += "; rejected lines in " + *report.rejected_file;
  return line;
}

std::string total_summary_line(const std::vector<InputReport>& reports, bool dry_run) {
  if (reports.empty()) return "total: 0 inputs";
  LineCounts totals;
  std::size_t done = 0, left = 0;
  for (const InputReport& report : reports) {
    totals.add(report.counts);
    done += completed(report);
    left += not_completed(report);
  }
  const std::string inputs = fmt::format("{} input{}", reports.size(), reports.size() == 1 ? "" : "s");
  const std::string state = dry_run ? fmt::format("dry run, {} left", left)
                                    : fmt::format("{} completed, {} left", done, left);
  return fmt::format("total: {} ({}), {}", inputs, state, counts_text(totals));
}

Json summary_json(const RunDescription& run, const std::vector<InputReport>& reports) {
  Json out = Json::object();
  out["mode"] = run.server_mode ? "server" : "direct";
  out["database"] = run.server_mode ? Json() : Json(run.database);
  out["url"] = run.server_mode ? Json(run.url) : Json();
  out["dry_run"] = run.dry_run;
  Json inputs = Json::array();
  LineCounts totals;
  std::size_t done = 0, left = 0;
  for (const InputReport& report : reports) {
    Json item = Json::object();
    item["path"] = report.path;
    item = counts_json(std::move(item), report.counts);
    item["state"] = state_name(report.state);
    item["renamed_to"] = optional_text(report.renamed_to);
    item["rejected_file"] = optional_text(report.rejected_file);
    item["error"] = optional_text(report.error);
    inputs.push_back(std::move(item));
    totals.add(report.counts);
    done += completed(report);
    left += not_completed(report);
  }
  out["inputs"] = std::move(inputs);
  Json total = Json::object();
  total["inputs"] = reports.size();
  total["completed"] = done;
  total["left"] = left;
  out["totals"] = counts_json(std::move(total), totals);
  return out;
}

}  // namespace telemetry::buffer
