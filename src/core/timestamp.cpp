#include "core/timestamp.h"

#include <cstdint>

#include <fmt/format.h>

#include "util/ascii.h"

namespace telemetry {

namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

struct TimestampParts {
  int year = 0, month = 0, day = 0;
  int hour = 0, minute = 0, second = 0;
  int microsecond = 0;
  int offset_minutes = 0;  // east of UTC
  bool has_time = false;
  bool has_offset = false;
};

// Reads the grammar of docs/reference/http-api.md §9.4 left to right.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ == text_.size(); }
  bool peek_is(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool peek_digit() const { return pos_ < text_.size() && ascii::is_digit(text_[pos_]); }

  bool accept(char c) {
    if (!peek_is(c)) return false;
    ++pos_;
    return true;
  }

  // Consumes the next character when it is one of `choices`.
  bool accept_any(std::string_view choices, char* which = nullptr) {
    if (pos_ >= text_.size() || choices.find(text_[pos_]) == std::string_view::npos) return false;
    if (which) *which = text_[pos_];
    ++pos_;
    return true;
  }

  // Exactly `count` ASCII digits.
  bool digits(int count, int& value) {
    if (text_.size() - pos_ < static_cast<std::size_t>(count)) return false;
    value = 0;
    for (int i = 0; i < count; ++i) {
      const char c = text_[pos_ + i];
      if (!ascii::is_digit(c)) return false;
      value = value * 10 + (c - '0');
    }
    pos_ += count;
    return true;
  }

  // One or more digits; the first six become microseconds (truncated, zero-padded).
  bool fraction(int& microsecond) {
    if (!peek_digit()) return false;
    microsecond = 0;
    int used = 0;
    while (peek_digit()) {
      if (used < 6) {
        microsecond = microsecond * 10 + (text_[pos_] - '0');
        ++used;
      }
      ++pos_;
    }
    for (; used < 6; ++used) microsecond *= 10;
    return true;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

bool is_leap_year(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (month == 2 && is_leap_year(year)) ? 29 : kDays[month - 1];
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct CivilDate {
  std::int64_t year;
  int month, day;
};

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {era * 400 + yoe + (month <= 2), month, day};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

bool read_offset(Reader& in, TimestampParts& parts) {
  if (in.accept('Z') || in.accept('z')) {
    parts.has_offset = true;
    return true;
  }
  char sign = 0;
  if (!in.accept_any("+-", &sign)) return true;  // no offset: read as UTC
  int hours = 0, minutes = 0;
  if (!in.digits(2, hours)) return false;
  if (in.accept(':')) {
    if (!in.digits(2, minutes)) return false;
  } else if (in.peek_digit()) {
    if (!in.digits(2, minutes)) return false;
  }
  if (hours > 23 || minutes > 59) return false;
  parts.offset_minutes = (sign == '-' ? -1 : 1) * (hours * 60 + minutes);
  parts.has_offset = true;
  return true;
}

bool read_time(Reader& in, TimestampParts& parts) {
  if (!in.digits(2, parts.hour) || !in.accept(':') || !in.digits(2, parts.minute)) return false;
  if (in.accept(':')) {
    if (!in.digits(2, parts.second)) return false;
    if (in.accept_any(".,") && !in.fraction(parts.microsecond)) return false;
  }
  parts.has_time = true;
  return parts.hour <= 23 && parts.minute <= 59 && parts.second <= 59;
}

// Syntax and field ranges; the UTC range is checked by to_canonical().
std::optional<TimestampParts> parse_parts(std::string_view text, TimestampSyntax syntax) {
  Reader in(text);
  TimestampParts parts;
  if (!in.digits(4, parts.year) || !in.accept('-') || !in.digits(2, parts.month) ||
      !in.accept('-') || !in.digits(2, parts.day)) {
    return std::nullopt;
  }
  if (parts.year < 1 || parts.month < 1 || parts.month > 12 || parts.day < 1 ||
      parts.day > days_in_month(parts.year, parts.month)) {
    return std::nullopt;
  }
  if (in.at_end()) {
    if (syntax == TimestampSyntax::kFilter) return parts;
    return std::nullopt;
  }
  if (!in.accept_any("Tt ") || !read_time(in, parts) || !read_offset(in, parts) || !in.at_end()) {
    return std::nullopt;
  }
  return parts;
}

// Writes `value` as exactly `width` decimal digits ending just before `end`.
// `value` is non-negative and has at most `width` digits.
void put_digits(char* end, std::int64_t value, int width) {
  for (int i = 0; i < width; ++i) {
    *--end = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "YYYY-MM-DDTHH:MM:SS.ffffff+00:00". Written by hand: it runs for several
// fields of every ingested line, where fmt's general formatter was a tenth of the cost.
std::string format_canonical(std::int64_t epoch_seconds, int microsecond) {
  const std::int64_t days = floor_div(epoch_seconds, kSecondsPerDay);
  const std::int64_t second_of_day = epoch_seconds - days * kSecondsPerDay;
  const CivilDate date = civil_from_days(days);
  if (date.year < 0 || date.year > 9999) {  // only from far-off clock arithmetic (prune cutoffs)
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}+00:00", date.year, date.month, date.day,
                       second_of_day / 3600, (second_of_day / 60) % 60, second_of_day % 60, microsecond);
  }
  std::string out = "0000-00-00T00:00:00.000000+00:00";
  char* base = out.data();
  put_digits(base + 4, date.year, 4);
  put_digits(base + 7, date.month, 2);
  put_digits(base + 10, date.day, 2);
  put_digits(base + 13, second_of_day / 3600, 2);
  put_digits(base + 16, (second_of_day / 60) % 60, 2);
  put_digits(base + 19, second_of_day % 60, 2);
  put_digits(base + 26, microsecond, 6);
  return out;
}

// Seconds since the epoch of `parts` in UTC; nullopt outside years 1-9999.
std::optional<std::int64_t> utc_seconds_of(const TimestampParts& parts) {
  const std::int64_t local_seconds =
      days_from_civil(parts.year, parts.month, parts.day) * kSecondsPerDay +
      parts.hour * 3600 + parts.minute * 60 + parts.second;
  const std::int64_t utc_seconds = local_seconds - parts.offset_minutes * 60;
  const std::int64_t utc_year = civil_from_days(floor_div(utc_seconds, kSecondsPerDay)).year;
  if (utc_year < 1 || utc_year > 9999) return std::nullopt;
  return utc_seconds;
}

std::optional<std::string> to_canonical(const TimestampParts& parts) {
  const auto utc_seconds = utc_seconds_of(parts);
  if (!utc_seconds) return std::nullopt;
  return format_canonical(*utc_seconds, parts.microsecond);
}

// "hh", "hhmm" or "hh:mm": what a '+' offset looks like once the '+' became a space.
bool looks_like_offset_digits(std::string_view text) {
  auto all_digits = [](std::string_view s) {
    for (char c : s) {
      if (!ascii::is_digit(c)) return false;
    }
    return true;
  };
  if (text.size() == 2 || text.size() == 4) return all_digits(text);
  return text.size() == 5 && text[2] == ':' && all_digits(text.substr(0, 2)) &&
         all_digits(text.substr(3));
}

}  // namespace

std::optional<std::string> canonical_utc(std::string_view text, TimestampSyntax syntax) {
  const std::optional<TimestampParts> parts = parse_parts(text, syntax);
  if (!parts) return std::nullopt;
  return to_canonical(*parts);
}

std::optional<std::chrono::system_clock::time_point> parse_utc(std::string_view text, TimestampSyntax syntax) {
  const std::optional<TimestampParts> parts = parse_parts(text, syntax);
  if (!parts) return std::nullopt;
  const auto utc_seconds = utc_seconds_of(*parts);
  if (!utc_seconds) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::duration_cast<std::chrono::system_clock::duration>(
      std::chrono::seconds(*utc_seconds) + std::chrono::microseconds(parts->microsecond)));
}

std::string restore_plus_in_filter(std::string_view text) {
  const std::size_t space = text.rfind(' ');
  if (space == std::string_view::npos) return std::string(text);
  const std::string_view before = text.substr(0, space);
  const std::string_view after = text.substr(space + 1);
  if (!looks_like_offset_digits(after)) return std::string(text);
  // Only a complete date-time without an offset of its own may precede it.
  const std::optional<TimestampParts> head = parse_parts(before, TimestampSyntax::kBody);
  if (!head || !head->has_time || head->has_offset) return std::string(text);
  std::string restored(text);
  restored[space] = '+';
  return restored;
}

std::string canonical_utc(std::chrono::system_clock::time_point when) {
  const std::int64_t micros =
      std::chrono::duration_cast<std::chrono::microseconds>(when.time_since_epoch()).count();
  const std::int64_t seconds = floor_div(micros, 1000000);
  return format_canonical(seconds, static_cast<int>(micros - seconds * 1000000));
}

std::string canonical_utc_now() { return canonical_utc(std::chrono::system_clock::now()); }

}  // namespace telemetry
