// libFuzzer target: a request body as POST, batch and PATCH read it
// (parse_json_strict, then parse_run / parse_run_patch / parse_associate_commit).
// Besides crashes, leaks and undefined behaviour it checks properties that must
// hold for every input:
//  - a syntax error's offset lies within the text;
//  - what the strict parser accepts, nlohmann's own parser accepts too;
//  - what the quick decoder accepts, nlohmann builds identically (types and order);
//  - the flat decoder (buffer lines) takes exactly the quick decoder's objects,
//    with the same members, and the run parser gives the same record or the
//    same errors whichever of the two it reads;
//  - an accepted document survives compact_json and a second strict parse unchanged;
//  - a valid run has a canonical created_at, a canonical status and schema_version 7;
//  - every 422 body serialises the way the HTTP layer writes it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/field_error.h"
#include "core/json_body.h"
#include "core/json_fast_decode.h"
#include "core/json_view.h"
#include "core/run_record.h"
#include "core/run_update.h"
#include "core/status.h"
#include "core/timestamp.h"
#include "fuzz_check.h"

namespace {

using telemetry::ordered_json;

const std::string kNow = "2026-01-14T09:15:02.000000+00:00";

void check_error_body(const telemetry::FieldErrors& errors) {
  const ordered_json body = telemetry::validation_error_body(errors);
  // As http/responses.cpp writes it: never throws, even on odd input values.
  const std::string text = body.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  FUZZ_CHECK(!text.empty());
  for (const telemetry::FieldError& error : errors) FUZZ_CHECK(!error.to_reason().empty());
}

void check_run(const ordered_json& item, const ordered_json& loc) {
  const telemetry::RunParseResult result = telemetry::parse_run(item, loc, kNow);
  if (!result.ok()) {
    check_error_body(result.errors);
    return;
  }
  using telemetry::RunColumn;
  const std::string& created_at = result.run.text(RunColumn::created_at);
  FUZZ_CHECK(telemetry::canonical_utc(created_at) == created_at);
  const std::string& status = result.run.text(RunColumn::status);
  FUZZ_CHECK(telemetry::normalize_status(status) == status);
  const auto& version = result.run[RunColumn::schema_version];
  FUZZ_CHECK(std::holds_alternative<std::int64_t>(version) && std::get<std::int64_t>(version) == 7);
  FUZZ_CHECK(!result.run.text(RunColumn::event_id).empty());
}

void check_flat_decoder(std::string_view text, const std::optional<ordered_json>& quick) {
  static telemetry::FlatJsonObject flat;  // reused, as the line classifier reuses it
  const bool taken = flat.decode(text);
  FUZZ_CHECK(taken == (quick && quick->is_object()));
  if (!taken) return;
  FUZZ_CHECK(telemetry::same_json_document(telemetry::object_to_json(flat.members()), *quick));
  const ordered_json loc = ordered_json::array({"body"});
  const telemetry::RunParseResult from_dom = telemetry::parse_run(*quick, loc, kNow);
  const telemetry::RunParseResult from_flat = telemetry::parse_run_object(flat.members(), loc, kNow);
  FUZZ_CHECK(from_flat.ok() == from_dom.ok());
  if (from_dom.ok()) {
    FUZZ_CHECK(from_flat.run.values == from_dom.run.values);
    FUZZ_CHECK(from_flat.run.provided == from_dom.run.provided);
  } else {
    FUZZ_CHECK(telemetry::validation_error_body(from_flat.errors) == telemetry::validation_error_body(from_dom.errors));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto quick = telemetry::decode_common_json(text);
  if (quick) {
    const ordered_json reference = ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
    FUZZ_CHECK(!reference.is_discarded());
    FUZZ_CHECK(telemetry::same_json_document(*quick, reference));
  }
  check_flat_decoder(text, quick);
  auto parsed = telemetry::parse_json_strict(text);
  if (auto* error = std::get_if<telemetry::JsonSyntaxError>(&parsed)) {
    FUZZ_CHECK(error->offset <= size);
    check_error_body({telemetry::json_invalid_error(*error)});
    return 0;
  }
  const ordered_json& body = std::get<ordered_json>(parsed);

  // Strict is a subset of plain JSON.
  FUZZ_CHECK(!ordered_json::parse(text, nullptr, /*allow_exceptions=*/false).is_discarded());
  // Round trip through the stored form.
  const std::string compact = telemetry::compact_json(body);
  auto again = telemetry::parse_json_strict(compact);
  FUZZ_CHECK(std::holds_alternative<ordered_json>(again));
  FUZZ_CHECK(std::get<ordered_json>(again) == body);

  check_run(body, ordered_json::array({"body"}));
  if (body.is_array()) {  // a bare batch
    for (std::size_t i = 0; i < body.size() && i < 64; ++i) {
      check_run(body[i], ordered_json::array({"body", i}));
    }
  }
  if (body.is_object() && body.contains("runs") && body["runs"].is_array()) {  // a batch wrapper
    const ordered_json& runs = body["runs"];
    for (std::size_t i = 0; i < runs.size() && i < 64; ++i) {
      check_run(runs[i], ordered_json::array({"body", i}));
    }
  }
  const telemetry::RunUpdateParseResult patch = telemetry::parse_run_patch(body);
  if (!patch.ok()) check_error_body(patch.errors);
  const telemetry::RunUpdateParseResult associate = telemetry::parse_associate_commit(body);
  if (!associate.ok()) check_error_body(associate.errors);
  return 0;
}
