#pragma once
// A validation failure of one field, in the shape of the HTTP API's 422 body
// (docs/reference/http-api.md §5.2). The same struct serves HTTP and buffer files so that
// both report a bad run identically.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace telemetry {

using ordered_json = nlohmann::ordered_json;

struct FieldError {
  std::string type;                 // e.g. "missing", "int_parsing"
  ordered_json loc;                 // e.g. ["body", "event_id"] or ["body", 3, "status"]
  std::string msg;                  // e.g. "Field required"
  ordered_json input;               // the value received (see §5.2)
  std::optional<ordered_json> ctx;  // only for the types that carry one

  // {"type":..,"loc":..,"msg":..,"input":..[,"ctx":..]} in that key order.
  ordered_json to_json() const;
  // "<field>: <msg>" as docs/reference/buffer-files.md §10 reports it (field = last loc element).
  std::string to_reason() const;
};

using FieldErrors = std::vector<FieldError>;

// {"detail":[...]} for a list of errors.
ordered_json validation_error_body(const FieldErrors& errors);

// "<field>: <msg>; <field>: <msg>" for buffer-file quarantine reasons.
std::string join_reasons(const FieldErrors& errors);

}  // namespace telemetry
