#pragma once
// A validated run, ready for insertion, and the parser that builds it from a
// JSON object. This parser is the only place run fields are validated: HTTP
// POST, batch items and buffer-file lines all come through parse_run().
#include <array>
#include <bitset>
#include <string>

#include "core/field_error.h"
#include "core/json_view.h"
#include "core/run_columns.h"

namespace telemetry {

struct RunRecord {
  // Every column except `id` holds its final value (defaults applied,
  // status normalised, created_at canonical, schema_version 7, JSON compacted).
  std::array<SqlValue, kRunColumnCount> values;
  // Columns whose key was present in the input with a non-null value (before
  // defaulting). The buffer merge rule (docs/reference/buffer-files.md §11) looks only at these.
  std::bitset<kRunColumnCount> provided;

  const SqlValue& operator[](RunColumn c) const { return values[index_of(c)]; }
  SqlValue& operator[](RunColumn c) { return values[index_of(c)]; }
  bool was_provided(RunColumn c) const { return provided.test(index_of(c)); }
  const std::string& text(RunColumn c) const;  // for columns known to be non-NULL text
};

struct RunParseResult {
  bool ok() const { return errors.empty(); }
  RunRecord run;        // meaningful only when ok()
  FieldErrors errors;   // every invalid field, in field-table order (docs/reference/http-api.md §10)
};

// Validates one run object. `loc_prefix` is ["body"] for POST and ["body", i]
// for batch item i. `now` is the canonical UTC time used for created_at (when
// not given) and updated_at.
RunParseResult parse_run(const ordered_json& body, const ordered_json& loc_prefix,
                         const std::string& now);
// The same for an object already seen as members (a buffer line decoded flat,
// core/json_fast_decode.h); parse_run() is this on members_of(body).
RunParseResult parse_run_object(const JsonMembers& body, const ordered_json& loc_prefix,
                                const std::string& now);

}  // namespace telemetry
