// libFuzzer target: the text parsers behind query strings and settings:
// timestamps (canonical_utc in both syntaxes, restore_plus_in_filter), the
// integer grammar of query parameters (read_lax_integer_text), durations
// (parse_duration) and status normalisation. Properties checked:
//  - a canonical timestamp is a fixed point: it parses back to itself;
//  - every body timestamp is also a valid filter with the same value;
//  - restore_plus_in_filter changes at most one byte, a space into '+';
//  - an integer reading of kValue round-trips through its decimal text;
//  - a normalised status normalises to itself; a duration is positive.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/duration.h"
#include "core/lax_values.h"
#include "core/status.h"
#include "core/timestamp.h"
#include "fuzz_check.h"

namespace {

void check_canonical(const std::optional<std::string>& canonical) {
  if (!canonical) return;
  FUZZ_CHECK(canonical->size() == 32);
  FUZZ_CHECK(telemetry::canonical_utc(*canonical) == canonical);
  FUZZ_CHECK(telemetry::canonical_utc(*canonical, telemetry::TimestampSyntax::kFilter) == canonical);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using telemetry::TimestampSyntax;

  const auto body = telemetry::canonical_utc(text, TimestampSyntax::kBody);
  const auto filter = telemetry::canonical_utc(text, TimestampSyntax::kFilter);
  check_canonical(body);
  check_canonical(filter);
  if (body) FUZZ_CHECK(filter == body);

  const std::string restored = telemetry::restore_plus_in_filter(text);
  FUZZ_CHECK(restored.size() == text.size());
  std::size_t changed = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (restored[i] != text[i]) {
      FUZZ_CHECK(text[i] == ' ' && restored[i] == '+');
      ++changed;
    }
  }
  FUZZ_CHECK(changed <= 1);
  check_canonical(telemetry::canonical_utc(restored, TimestampSyntax::kFilter));

  const telemetry::IntegerReading integer = telemetry::read_lax_integer_text(text);
  if (integer.kind == telemetry::IntegerReading::Kind::kValue) {
    const telemetry::IntegerReading again = telemetry::read_lax_integer_text(std::to_string(integer.value));
    FUZZ_CHECK(again.kind == telemetry::IntegerReading::Kind::kValue && again.value == integer.value);
  }

  if (const auto status = telemetry::normalize_status(text)) {
    FUZZ_CHECK(telemetry::normalize_status(*status) == status);
  }
  if (const auto duration = telemetry::parse_duration(text)) FUZZ_CHECK(duration->count() > 0);
  return 0;
}
