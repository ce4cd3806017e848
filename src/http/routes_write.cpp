// The write routes: POST /api/v1/runs, POST /api/v1/runs/batch,
// PATCH /api/v1/runs/{event_id}, POST /api/v1/runs/{event_id}/associate-commit.
// Each validates with core/, then hands one operation to the writer and
// answers only after the writer reports the COMMIT (docs/reference/http-api.md §8),
// through answer_after_commit(): the operation and the answer share what they
// need through a shared_ptr, since both may run after the handler returned.
#include <memory>
#include <variant>

#include <fmt/format.h>

#include "core/json_body.h"
#include "core/run_record.h"
#include "core/run_update.h"
#include "core/timestamp.h"
#include "http/after_commit.h"
#include "http/responses.h"
#include "http/service.h"

namespace telemetry::http {
namespace {

FieldError missing_body() {
  return FieldError{"missing", ordered_json::array({"body"}), "Field required", nullptr, std::nullopt};
}

// Decodes the body; on failure sends the 422 and returns nullopt.
std::optional<ordered_json> decode_body(const RouteRequest& request, httplib::Response& response,
                                        bool empty_means_object) {
  if (request.body.empty()) {
    if (empty_means_object) return ordered_json::object();
    send_validation_errors(response, {missing_body()});
    return std::nullopt;
  }
  auto parsed = parse_json_strict(request.body);
  if (auto* error = std::get_if<JsonSyntaxError>(&parsed)) {
    send_validation_errors(response, {json_invalid_error(*error)});
    return std::nullopt;
  }
  return std::get<ordered_json>(std::move(parsed));
}

// What PATCH and associate-commit hand to the writer and read back in their answer.
struct RunChange {
  RunChange(std::string event_id, RunUpdate update)
      : event_id(std::move(event_id)), update(std::move(update)), now(canonical_utc_now()) {}
  std::string event_id;
  RunUpdate update;
  std::string now;                  // the updated_at written
  bool found = false;               // PATCH: the run exists (and was updated)
  std::optional<db::RunState> state;  // associate-commit: the run before the update
};

void send_not_found(httplib::Response& response, const std::string& event_id) {
  send_detail(response, 404, "Run not found: " + event_id);
}

}  // namespace

void send_write_failure(httplib::Response& response, const db::WriteResult& result,
                        const std::string& prefix_500) {
  switch (result.status) {
    case db::WriteStatus::kBusy:
      response.set_header("Retry-After", "5");
      send_detail(response, 503, fmt::format("Database busy: {}. Retry later", result.message));
      return;
    case db::WriteStatus::kFull:
      send_detail(response, 507, fmt::format("Insufficient storage: {}", result.message));
      return;
    case db::WriteStatus::kWriterFailed:
      send_detail(response, 503,
                  fmt::format("Writer failed: {}. No writes are accepted until the service is restarted",
                              result.message));
      return;
    case db::WriteStatus::kQueueFull:
      response.set_header("Retry-After", "1");
      send_detail(response, 503, "Write queue full. Retry later");
      return;
    case db::WriteStatus::kShuttingDown:
      response.set_header("Retry-After", "1");
      send_detail(response, 503, "Service is shutting down. Retry later");
      return;
    case db::WriteStatus::kError:
    case db::WriteStatus::kOk:
      send_detail(response, 500, fmt::format("{}: {}", prefix_500, result.message));
      return;
  }
}

void handle_create_run(ServiceContext& context, const RouteRequest& request, httplib::Response& response) {
  auto body = decode_body(request, response, false);
  if (!body) {
    context.metrics.count_ingest(IngestRoute::kPost, IngestOutcome::kRejected);
    return;
  }
  RunParseResult parsed = parse_run(*body, ordered_json::array({"body"}), canonical_utc_now());
  if (!parsed.ok()) {
    context.metrics.count_ingest(IngestRoute::kPost, IngestOutcome::kRejected);
    send_validation_errors(response, parsed.errors);
    return;
  }
  struct Write {
    RunRecord run;
    db::InsertOutcome outcome = db::InsertOutcome::kDuplicate;
  };
  auto write = std::make_shared<Write>();
  write->run = std::move(parsed.run);
  answer_after_commit(
      context.writer, [write](db::RunStore& store) { write->outcome = store.insert(write->run); }, response,
      [&context, write](const db::WriteResult& result, httplib::Response& response) {
        if (!result.ok()) {
          send_write_failure(response, result, "Failed to create run");
          return;
        }
        const std::string& event_id = write->run.text(RunColumn::event_id);
        if (write->outcome == db::InsertOutcome::kInserted) {
          context.metrics.count_ingest(IngestRoute::kPost, IngestOutcome::kInserted);
          context.metadata_cache.invalidate();
          send_json(response, 201,
                    ordered_json{{"status", "created"}, {"event_id", event_id},
                                 {"run_id", write->run.text(RunColumn::run_id)}});
        } else {
          context.metrics.count_ingest(IngestRoute::kPost, IngestOutcome::kDuplicate);
          send_json(response, 200,
                    ordered_json{{"status", "duplicate"}, {"event_id", event_id},
                                 {"message", "Event already exists (idempotent)"}});
        }
      });
}

void handle_create_batch(ServiceContext& context, const RouteRequest& request, httplib::Response& response) {
  auto body = decode_body(request, response, false);
  if (!body) return;
  const ordered_json* items = nullptr;
  if (body->is_array()) {
    items = &*body;
  } else if (body->is_object() && body->contains("runs")) {
    items = &(*body)["runs"];
    if (!items->is_array()) {
      send_validation_errors(response, {FieldError{"list_type", ordered_json::array({"body", "runs"}),
                                                   "Input should be a valid list", *items, std::nullopt}});
      return;
    }
  } else {
    send_validation_errors(response, {FieldError{"list_type", ordered_json::array({"body"}),
                                                 "Input should be a valid list", *body, std::nullopt}});
    return;
  }
  const std::size_t total = items->size();
  if (total > static_cast<std::size_t>(context.config.batch_max)) {
    send_detail(response, 413, fmt::format("Batch too large: {} runs; the limit is {} per request", total,
                                           context.config.batch_max));
    return;
  }
  const std::string now = canonical_utc_now();
  std::vector<RunRecord> runs;
  runs.reserve(total);
  FieldErrors errors;
  for (std::size_t i = 0; i < total; ++i) {
    RunParseResult parsed = parse_run((*items)[i], ordered_json::array({"body", i}), now);
    if (parsed.ok()) {
      runs.push_back(std::move(parsed.run));
    } else {
      errors.insert(errors.end(), parsed.errors.begin(), parsed.errors.end());
    }
  }
  if (!errors.empty()) {
    context.metrics.count_ingest(IngestRoute::kBatch, IngestOutcome::kRejected, total);
    send_validation_errors(response, errors);
    return;
  }
  // Empty: valid, nothing to write, and nothing was a duplicate (200, status "empty").
  if (total == 0) {
    send_json(response, 200,
              ordered_json{{"status", "empty"}, {"inserted", 0}, {"duplicates", 0}, {"errors", ordered_json::array()},
                           {"total", 0}});
    return;
  }
  struct Write {
    std::vector<RunRecord> runs;
    std::size_t inserted = 0;
  };
  auto write = std::make_shared<Write>();
  write->runs = std::move(runs);
  answer_after_commit(
      context.writer,
      [write](db::RunStore& store) {
        write->inserted = 0;  // a retried operation must not count twice
        for (const RunRecord& run : write->runs) {
          if (store.insert(run) == db::InsertOutcome::kInserted) ++write->inserted;
        }
      },
      response,
      [&context, write, total](const db::WriteResult& result, httplib::Response& response) {
        if (!result.ok()) {
          send_write_failure(response, result, "Failed to create runs");
          return;
        }
        const std::size_t inserted = write->inserted;
        const std::size_t duplicates = total - inserted;
        context.metrics.count_ingest(IngestRoute::kBatch, IngestOutcome::kInserted, inserted);
        context.metrics.count_ingest(IngestRoute::kBatch, IngestOutcome::kDuplicate, duplicates);
        if (inserted > 0) context.metadata_cache.invalidate();
        send_json(response, inserted > 0 ? 201 : 200,
                  ordered_json{{"status", inserted > 0 ? "created" : "duplicate"},
                               {"inserted", inserted},
                               {"duplicates", duplicates},
                               {"errors", ordered_json::array()},
                               {"total", total}});
      });
}

void handle_patch_run(ServiceContext& context, const RouteRequest& request, httplib::Response& response) {
  const std::string& event_id = request.match.event_id;
  auto body = decode_body(request, response, true);
  if (!body) {
    context.metrics.count_update(UpdateRoute::kPatch, UpdateOutcome::kRejected);
    return;
  }
  RunUpdateParseResult parsed = parse_run_patch(*body);
  if (!parsed.ok()) {
    context.metrics.count_update(UpdateRoute::kPatch, UpdateOutcome::kRejected);
    send_validation_errors(response, parsed.errors);
    return;
  }
  auto write = std::make_shared<RunChange>(event_id, std::move(parsed.update));
  answer_after_commit(
      context.writer,
      [write](db::RunStore& store) {
        // An empty update still has to tell 404 from 400, inside the same ordering.
        write->found = write->update.empty() ? store.state_of(write->event_id).has_value()
                                             : store.update(write->event_id, write->update, write->now);
      },
      response,
      [&context, write](const db::WriteResult& result, httplib::Response& response) {
        if (!result.ok()) {
          send_write_failure(response, result, "Failed to update run");
          return;
        }
        if (!write->found) {
          context.metrics.count_update(UpdateRoute::kPatch, UpdateOutcome::kNotFound);
          send_not_found(response, write->event_id);
          return;
        }
        if (write->update.empty()) {
          context.metrics.count_update(UpdateRoute::kPatch, UpdateOutcome::kRejected);
          send_detail(response, 400, "No valid fields to update");
          return;
        }
        context.metrics.count_update(UpdateRoute::kPatch, UpdateOutcome::kUpdated);
        context.metadata_cache.invalidate();
        ordered_json fields = ordered_json::array();
        for (const auto& [column, value] : write->update) fields.push_back(column_name(column));
        send_json(response, 200,
                  ordered_json{{"event_id", write->event_id}, {"updated", true}, {"fields_updated", fields}});
      });
}

void handle_associate_commit(ServiceContext& context, const RouteRequest& request,
                             httplib::Response& response) {
  const std::string& event_id = request.match.event_id;
  auto body = decode_body(request, response, false);
  if (!body) {
    context.metrics.count_update(UpdateRoute::kAssociateCommit, UpdateOutcome::kRejected);
    return;
  }
  RunUpdateParseResult parsed = parse_associate_commit(*body);
  if (!parsed.ok()) {
    context.metrics.count_update(UpdateRoute::kAssociateCommit, UpdateOutcome::kRejected);
    send_validation_errors(response, parsed.errors);
    return;
  }
  auto write = std::make_shared<RunChange>(event_id, std::move(parsed.update));
  answer_after_commit(
      context.writer,
      [write](db::RunStore& store) {
        write->state = store.state_of(write->event_id);
        if (write->state) store.update(write->event_id, write->update, write->now);
      },
      response,
      [&context, write](const db::WriteResult& result, httplib::Response& response) {
        if (!result.ok()) {
          send_write_failure(response, result, "Database error");
          return;
        }
        if (!write->state) {
          context.metrics.count_update(UpdateRoute::kAssociateCommit, UpdateOutcome::kNotFound);
          send_not_found(response, write->event_id);
          return;
        }
        context.metrics.count_update(UpdateRoute::kAssociateCommit, UpdateOutcome::kUpdated);
        std::string commit_hash;
        for (const auto& [column, value] : write->update) {
          if (column == RunColumn::git_commit_hash) commit_hash = std::get<std::string>(value);
        }
        send_json(response, 200, ordered_json{{"status", "success"}, {"event_id", write->event_id},
                                              {"run_id", write->state->run_id}, {"commit_hash", commit_hash}});
      });
}

}  // namespace telemetry::http
