#include "buffer/line_classifier.h"

#include <variant>

#include <fmt/format.h>

#include "core/json_body.h"
#include "core/json_fast_decode.h"
#include "core/json_view.h"
#include "core/timestamp.h"
#include "core/utf8.h"

namespace telemetry::buffer {
namespace {

bool is_blank(std::string_view bytes) {
  for (char c : bytes) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

ClassifiedLine rejected(std::string reason, std::optional<std::string> event_id = std::nullopt) {
  ClassifiedLine line;
  line.kind = LineKind::kRejected;
  line.reason = std::move(reason);
  line.event_id = std::move(event_id);
  return line;
}

const ordered_json& body_loc() {
  static const ordered_json loc = ordered_json::array({"body"});
  return loc;
}

// The members the classifier itself reads, found in one pass (record_type and
// updated_at come last in the clients' lines).
struct ClassifierMembers {
  const JsonView* event_id = nullptr;
  const JsonView* record_type = nullptr;
  const JsonView* updated_at = nullptr;
};

ClassifierMembers find_classifier_members(const JsonMembers& object) {
  ClassifierMembers members;
  using namespace std::string_view_literals;
  for (const JsonMember& member : object) {
    if (member.key == "event_id"sv) members.event_id = &member.value;
    else if (member.key == "record_type"sv) members.record_type = &member.value;
    else if (member.key == "updated_at"sv) members.updated_at = &member.value;
  }
  return members;
}

std::optional<std::string> string_value(const JsonView* value) {
  if (!value || !value->is_string()) return std::nullopt;
  return std::string(value->string_value());
}

// docs/reference/buffer-files.md §9 and §10 for a line that is a JSON object.
ClassifiedLine classify_object(const JsonMembers& object, const ClassifyOptions& options) {
  const ClassifierMembers members = find_classifier_members(object);
  if (const JsonView* record_type = members.record_type) {
    if (record_type->is_string() && record_type->string_value() == "event") {
      ClassifiedLine line;
      line.kind = LineKind::kEvent;
      return line;
    }
    if (!record_type->is_string() || record_type->string_value() != "run") {
      return rejected("unknown record_type: " + compact_json(record_type->to_json()), string_value(members.event_id));
    }
  }

  RunParseResult result = parse_run_object(object, body_loc(), options.now);
  if (!result.ok()) return rejected(join_reasons(result.errors), string_value(members.event_id));

  ClassifiedLine line;
  line.kind = LineKind::kRun;
  line.run = std::move(result.run);
  if (const JsonView* updated_at = members.updated_at; updated_at && updated_at->is_string()) {
    line.updated_at = canonical_utc(updated_at->string_value(), TimestampSyntax::kBody);
  }
  // §10: on insert the row's updated_at is the line's, else its created_at.
  line.run[RunColumn::updated_at] = line.updated_at ? SqlValue(*line.updated_at) : line.run[RunColumn::created_at];
  return line;
}

}  // namespace

ClassifiedLine classify_line(std::string_view bytes, bool terminated, const ClassifyOptions& options) {
  if (is_blank(bytes)) return ClassifiedLine{};
  if (static_cast<std::int64_t>(bytes.size()) > options.max_line_bytes) {
    return rejected(fmt::format("line too long: {} bytes (limit {})", bytes.size(), options.max_line_bytes));
  }
  if (!is_valid_utf8(bytes)) return rejected("invalid UTF-8");

  std::string_view text = bytes;
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  // Nearly every line is a plain object the flat decoder takes without
  // building a DOM; it gives the rules the same values a DOM would. One per
  // thread, so its buffers are reused from line to line.
  thread_local FlatJsonObject flat;
  if (flat.decode(text)) return classify_object(flat.members(), options);

  auto parsed = parse_json_strict(text);
  if (auto* error = std::get_if<JsonSyntaxError>(&parsed)) {
    return rejected((terminated ? "invalid JSON: " : "incomplete last line: ") + error->message);
  }
  const ordered_json& object = std::get<ordered_json>(parsed);
  if (!object.is_object()) return rejected("not a JSON object");
  return classify_object(members_of(object), options);
}

}  // namespace telemetry::buffer
