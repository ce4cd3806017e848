#pragma once
// Partial updates of a stored run: PATCH bodies (docs/reference/http-api.md §14.1) and
// associate-commit bodies (§14.2). Both become a RunUpdate, the one shape the
// writer knows how to apply.
#include <string>
#include <utility>
#include <vector>

#include "core/field_error.h"
#include "core/run_columns.h"
#include "core/run_record.h"

namespace telemetry {

// Columns to set, in the order of the PATCH field table; updated_at is added by the writer.
using RunUpdate = std::vector<std::pair<RunColumn, SqlValue>>;

struct RunUpdateParseResult {
  bool ok() const { return errors.empty(); }
  RunUpdate update;     // only fields present with a non-null value (may be empty: 400)
  FieldErrors errors;
};

// PATCH body. A non-object body is 422 model_attributes_type at ["body"].
RunUpdateParseResult parse_run_patch(const ordered_json& body);

// associate-commit body: always sets the four git commit columns (null writes NULL).
RunUpdateParseResult parse_associate_commit(const ordered_json& body);

// The PATCH-able columns, in PATCH table order (also the buffer merge fields).
const std::vector<RunColumn>& patchable_columns();

}  // namespace telemetry
