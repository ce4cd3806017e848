#include "core/lax_values.h"

#include <cmath>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "core/json_body.h"
#include "core/status.h"
#include "core/timestamp.h"
#include "core/validation_errors.h"
#include "util/ascii.h"

namespace telemetry {

namespace {

using Kind = IntegerReading::Kind;

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t kInt64MinMagnitude = static_cast<std::uint64_t>(kInt64Max) + 1;

IntegerReading integer(std::int64_t value) { return {Kind::kValue, value}; }
IntegerReading failure(Kind kind) { return {kind, 0}; }

IntegerReading read_float(double value) {
  if (std::trunc(value) != value) return failure(Kind::kFraction);
  // 2^63 is exactly representable; every double at or above it is out of range.
  if (value >= 9223372036854775808.0) return failure(Kind::kAboveInt64);
  if (value < -9223372036854775808.0) return failure(Kind::kBelowInt64);
  return integer(static_cast<std::int64_t>(value));
}

// Signed magnitude of a digit string; saturates past the int64 range.
IntegerReading from_digits(bool negative, std::string_view digits) {
  std::uint64_t magnitude = 0;
  for (char c : digits) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (magnitude > (kInt64MinMagnitude - digit) / 10) {
      return failure(negative ? Kind::kBelowInt64 : Kind::kAboveInt64);
    }
    magnitude = magnitude * 10 + digit;
  }
  if (negative) {
    if (magnitude == kInt64MinMagnitude) return integer(std::numeric_limits<std::int64_t>::min());
    return integer(-static_cast<std::int64_t>(magnitude));
  }
  if (magnitude > static_cast<std::uint64_t>(kInt64Max)) return failure(Kind::kAboveInt64);
  return integer(static_cast<std::int64_t>(magnitude));
}

bool is_one_of(const std::string& lowered, std::initializer_list<const char*> words) {
  for (const char* word : words) {
    if (lowered == word) return true;
  }
  return false;
}

std::size_t count_code_points(std::string_view utf8) {
  std::size_t count = 0;
  for (char c : utf8) {
    // Continuation bytes are 10xxxxxx; every other byte starts a code point.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace

// A UTF-8 string has at most as many code points as bytes, so the byte length
// (known) settles every value within the limit; only a longer one is counted.
bool longer_than(std::string_view utf8, std::size_t max_length) {
  return utf8.size() > max_length && count_code_points(utf8) > max_length;
}

IntegerReading read_lax_integer_text(std::string_view text) {
  std::string_view rest = ascii::trim(text);
  bool negative = false;
  if (!rest.empty() && (rest.front() == '+' || rest.front() == '-')) {
    negative = rest.front() == '-';
    rest.remove_prefix(1);
  }
  std::size_t digit_count = 0;
  while (digit_count < rest.size() && ascii::is_digit(rest[digit_count])) ++digit_count;
  if (digit_count == 0) return failure(Kind::kUnparsable);
  const std::string_view digits = rest.substr(0, digit_count);
  std::string_view tail = rest.substr(digit_count);
  // "7.00" and "7." are whole numbers written with a decimal point.
  if (!tail.empty()) {
    if (tail.front() != '.') return failure(Kind::kUnparsable);
    for (char c : tail.substr(1)) {
      if (c != '0') return failure(Kind::kUnparsable);
    }
  }
  return from_digits(negative, digits);
}

IntegerReading read_lax_integer(const JsonView& value) {
  using Type = JsonView::Type;
  switch (value.type()) {
    case Type::kBoolean:
      return integer(value.boolean_value() ? 1 : 0);
    case Type::kInteger:
      return integer(value.integer_value());
    case Type::kUnsigned:
      if (value.unsigned_value() > static_cast<std::uint64_t>(kInt64Max)) return failure(Kind::kAboveInt64);
      return integer(static_cast<std::int64_t>(value.unsigned_value()));
    case Type::kFloat:
      return read_float(value.float_value());
    case Type::kString:
      return read_lax_integer_text(value.string_value());
    default:
      return failure(Kind::kWrongType);
  }
}

// Errors echo the value as received, so only a failing check rebuilds it as JSON.
FieldCheck check_non_negative_integer(const JsonView& value, const FieldLoc& loc) {
  const IntegerReading reading = read_lax_integer(value);
  switch (reading.kind) {
    case Kind::kValue:
      if (reading.value < 0) return greater_than_equal_error(loc.json(), value.to_json(), 0);
      return SqlValue{reading.value};
    case Kind::kBelowInt64: return greater_than_equal_error(loc.json(), value.to_json(), 0);
    case Kind::kAboveInt64: return less_than_equal_error(loc.json(), value.to_json(), kInt64Max);
    case Kind::kWrongType: return int_type_error(loc.json(), value.to_json());
    case Kind::kUnparsable: return int_parsing_error(loc.json(), value.to_json());
    case Kind::kFraction: return int_from_float_error(loc.json(), value.to_json());
  }
  return int_type_error(loc.json(), value.to_json());
}

FieldCheck check_lax_boolean(const JsonView& value, const FieldLoc& loc) {
  auto stored = [](bool b) { return SqlValue{std::int64_t{b ? 1 : 0}}; };
  if (value.is_boolean()) return stored(value.boolean_value());
  if (value.is_number()) {
    const double number = value.number_as_double();
    if (number == 0.0 || number == 1.0) return stored(number == 1.0);
    return bool_parsing_error(loc.json(), value.to_json());
  }
  if (value.is_string()) {
    const std::string lowered = ascii::lower(value.string_value());
    if (is_one_of(lowered, {"1", "true", "t", "yes", "y", "on"})) return stored(true);
    if (is_one_of(lowered, {"0", "false", "f", "no", "n", "off"})) {
      return stored(false);
    }
    return bool_parsing_error(loc.json(), value.to_json());
  }
  return bool_type_error(loc.json(), value.to_json());
}

FieldCheck check_string(const JsonView& value, const FieldLoc& loc, std::size_t max_length) {
  if (!value.is_string()) return string_type_error(loc.json(), value.to_json());
  const std::string_view text = value.string_value();
  if (longer_than(text, max_length)) {
    return string_too_long_error(loc.json(), value.to_json(), static_cast<std::int64_t>(max_length));
  }
  return SqlValue{std::string(text)};
}

FieldCheck check_non_empty_string(const JsonView& value, const FieldLoc& loc,
                                  std::size_t max_length) {
  if (value.is_string() && value.string_value().empty()) {
    return string_too_short_error(loc.json(), value.to_json(), 1);
  }
  return check_string(value, loc, max_length);
}

FieldCheck check_commit_hash(const JsonView& value, const FieldLoc& loc) {
  if (!value.is_string()) return string_type_error(loc.json(), value.to_json());
  const std::size_t length = count_code_points(value.string_value());
  if (length < 7) return string_too_short_error(loc.json(), value.to_json(), 7);
  if (length > 40) return string_too_long_error(loc.json(), value.to_json(), 40);
  return SqlValue{std::string(value.string_value())};
}

FieldCheck check_timestamp(const JsonView& value, const FieldLoc& loc,
                           EmptyTimestamp empty, TimestampStorage storage) {
  if (!value.is_string()) return string_type_error(loc.json(), value.to_json());
  const std::string_view text = value.string_value();
  if (text.empty() && empty == EmptyTimestamp::kCountsAsNull) return SqlValue{};
  std::optional<std::string> canonical = canonical_utc(text, TimestampSyntax::kBody);
  if (!canonical) return datetime_parsing_error(loc.json(), value.to_json());
  if (storage == TimestampStorage::kCanonical) return SqlValue{std::move(*canonical)};
  return SqlValue{std::string(text)};
}

FieldCheck check_status(const JsonView& value, const FieldLoc& loc) {
  if (!value.is_string()) return string_type_error(loc.json(), value.to_json());
  std::optional<std::string> status = normalize_status(value.string_value());
  if (!status) return value_error(loc.json(), value.to_json(), std::string("Status must be one of: ") + kStatusList);
  return SqlValue{std::move(*status)};
}

FieldCheck check_json_object(const JsonView& value, const FieldLoc& loc,
                             std::string_view field, std::size_t max_length) {
  // The limit applies to the text that would be stored, whichever form was sent.
  auto stored = [&](std::string compact) -> FieldCheck {
    if (longer_than(compact, max_length)) {
      return value_error(loc.json(), value.to_json(),
                         fmt::format("{} must be at most {} characters as compact JSON", field, max_length));
    }
    return SqlValue{std::move(compact)};
  };
  if (value.is_null()) return SqlValue{};
  if (value.is_object()) return stored(compact_json(value.container()));
  if (!value.is_string()) return dict_type_error(loc.json(), value.to_json());
  const std::string_view text = value.string_value();
  if (ascii::trim(text).empty()) return SqlValue{};
  auto parsed = parse_json_strict(text);
  if (const auto* object = std::get_if<ordered_json>(&parsed); object && object->is_object()) {
    return stored(compact_json(*object));
  }
  return value_error(
      loc.json(), value.to_json(), fmt::format("{} must be a JSON object or a string containing a JSON object", field));
}

FieldCheck check_commit_source(const JsonView& value, const FieldLoc& loc,
                               std::string_view field) {
  if (!value.is_string()) return string_type_error(loc.json(), value.to_json());
  const std::string_view text = value.string_value();
  if (text == "manual" || text == "llm" || text == "ci") return SqlValue{std::string(text)};
  return value_error(loc.json(), value.to_json(), fmt::format("{} must be 'manual', 'llm', or 'ci'", field));
}

}  // namespace telemetry
