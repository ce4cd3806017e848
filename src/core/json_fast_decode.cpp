#include "core/json_fast_decode.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/key_hash.h"
#include "core/utf8.h"

namespace telemetry {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xC0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xE0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (code_point & 0x3F));
  }
}

// True when none of the 8 bytes at `p` ends or escapes a string or needs a
// closer look: no '"', no '\\', no control character, no byte >= 0x80.
// (Word-at-a-time tests: a byte b of v is flagged by (v - k) & ~v & 0x80
// when b < k, for k <= 0x80.)
bool is_plain_ascii_block(const char* p) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighBits = 0x8080808080808080ull;
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  const auto has_zero_byte = [](std::uint64_t x) { return (x - kOnes) & ~x & kHighBits; };
  const std::uint64_t quote = has_zero_byte(v ^ (kOnes * '"'));
  const std::uint64_t backslash = has_zero_byte(v ^ (kOnes * '\\'));
  const std::uint64_t control = (v - kOnes * 0x20) & ~v & kHighBits;
  return ((v & kHighBits) | quote | backslash | control) == 0;
}

using Members = ordered_json::object_t;  // a vector of (const key, value) pairs

// Repeated keys are left to nlohmann (its DOM keeps the first position and the
// last value). A small open-addressing table of key hashes finds them in one pass.
bool has_repeated_key(const Members& members) {
  constexpr std::size_t kSlots = 2 * kMaxFastMembers;  // power of two, at most half full
  int slots[kSlots];
  for (int& slot : slots) slot = -1;
  for (std::size_t i = 0; i < members.size(); ++i) {
    const std::string& key = (members.begin() + static_cast<std::ptrdiff_t>(i))->first;
    const std::uint64_t hash = key_hash(key);
    for (std::size_t slot = hash & (kSlots - 1);; slot = (slot + 1) & (kSlots - 1)) {
      if (slots[slot] < 0) {
        slots[slot] = static_cast<int>(i);
        break;
      }
      if ((members.begin() + slots[slot])->first == key) return true;
    }
  }
  return false;
}

class Decoder {
 public:
  explicit Decoder(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool document(ordered_json& out) {
    skip_whitespace();
    if (!value(out, 0)) return false;
    skip_whitespace();
    return p_ == end_;
  }

 private:
  void skip_whitespace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool consume(char c) {
    skip_whitespace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  bool value(ordered_json& out, std::size_t depth) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{': return object(out, depth + 1);
      case '[': return array(out, depth + 1);
      case '"': {
        std::string text;
        if (!string(text)) return false;
        out = std::move(text);
        return true;
      }
      case 't': return literal("true", out, ordered_json(true));
      case 'f': return literal("false", out, ordered_json(false));
      case 'n': return literal("null", out, ordered_json(nullptr));
      default: return number(out);
    }
  }

  bool literal(std::string_view word, ordered_json& out, ordered_json value) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    out = std::move(value);
    return true;
  }

  bool object(ordered_json& out, std::size_t depth) {
    if (depth > kMaxFastDepth) return false;
    ++p_;  // '{'
    out = ordered_json::object();
    skip_whitespace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    Members& members = out.get_ref<Members&>();
    // Room for every member the decoder accepts: the pairs' keys are const,
    // so a reallocation would copy each of them.
    members.reserve(kMaxFastMembers);
    while (true) {
      skip_whitespace();
      if (p_ == end_ || *p_ != '"') return false;
      std::string key;
      if (!string(key) || !consume(':')) return false;
      skip_whitespace();
      if (members.size() == kMaxFastMembers) return false;
      // Appended directly: ordered_map's own emplace would search for the key.
      auto& member = members.emplace_back(std::move(key), ordered_json()).second;
      if (!value(member, depth)) return false;
      skip_whitespace();
      if (p_ == end_) return false;
      const char next = *p_++;
      if (next == '}') break;
      if (next != ',') return false;
    }
    if (has_repeated_key(members)) return false;
    return true;
  }

  bool array(ordered_json& out, std::size_t depth) {
    if (depth > kMaxFastDepth) return false;
    ++p_;  // '['
    ordered_json::array_t elements;
    skip_whitespace();
    if (p_ < end_ && *p_ == ']') {
      ++p_;
      out = ordered_json::array();
      return true;
    }
    while (true) {
      skip_whitespace();
      ordered_json element;
      if (!value(element, depth)) return false;
      elements.push_back(std::move(element));
      skip_whitespace();
      if (p_ == end_) return false;
      const char next = *p_++;
      if (next == ']') break;
      if (next != ',') return false;
    }
    out = std::move(elements);
    return true;
  }

  bool hex4(std::uint32_t& code_unit) {
    if (end_ - p_ < 4) return false;
    code_unit = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = hex_value(p_[i]);
      if (digit < 0) return false;
      code_unit = code_unit * 16 + static_cast<std::uint32_t>(digit);
    }
    p_ += 4;
    return true;
  }

  // After a backslash: one escape, appended to `out`. Lone or reversed
  // surrogates are errors for nlohmann, so they are refused here.
  bool escape(std::string& out) {
    if (p_ == end_) return false;
    switch (*p_++) {
      case '"': out += '"'; return true;
      case '\\': out += '\\'; return true;
      case '/': out += '/'; return true;
      case 'b': out += '\b'; return true;
      case 'f': out += '\f'; return true;
      case 'n': out += '\n'; return true;
      case 'r': out += '\r'; return true;
      case 't': out += '\t'; return true;
      case 'u': break;
      default: return false;
    }
    std::uint32_t code_point = 0;
    if (!hex4(code_point)) return false;
    if (code_point >= 0xDC00 && code_point <= 0xDFFF) return false;
    if (code_point >= 0xD800 && code_point <= 0xDBFF) {
      std::uint32_t low = 0;
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
      code_point = 0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(out, code_point);
    return true;
  }

  bool string(std::string& out) {
    ++p_;  // opening quote
    const char* run_start = p_;
    bool non_ascii = false;
    while (p_ < end_) {
      if (end_ - p_ >= 8 && is_plain_ascii_block(p_)) {
        p_ += 8;
        continue;
      }
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out.append(run_start, p_);
        ++p_;
        return !non_ascii || is_valid_utf8(out);
      }
      if (c == '\\') {
        out.append(run_start, p_);
        ++p_;
        if (!escape(out)) return false;
        run_start = p_;
        continue;
      }
      if (c < 0x20) return false;  // control characters must be escaped
      if (c >= 0x80) non_ascii = true;
      ++p_;
    }
    return false;  // unterminated
  }

  const char* skip_digits(const char* p) const {
    while (p < end_ && is_digit(*p)) ++p;
    return p;
  }

  // JSON's number grammar. Integers become nlohmann's types directly; a
  // number with a fraction or exponent is converted by std::from_chars, which
  // rounds correctly as the strtod behind nlohmann's lexer does; one that over-
  // or underflows is left to nlohmann.
  bool number(ordered_json& out) {
    const char* start = p_;
    const bool negative = *p_ == '-';
    const char* digits = negative ? p_ + 1 : p_;
    if (digits == end_ || !is_digit(*digits)) return false;
    const char* after_int = *digits == '0' ? digits + 1 : skip_digits(digits);
    const char* p = after_int;
    bool is_float = false;
    if (p < end_ && *p == '.') {
      const char* fraction = p + 1;
      p = skip_digits(fraction);
      if (p == fraction) return false;  // "1." is not JSON
      is_float = true;
    }
    if (p < end_ && (*p == 'e' || *p == 'E')) {
      const char* exponent = p + 1;
      if (exponent < end_ && (*exponent == '+' || *exponent == '-')) ++exponent;
      p = skip_digits(exponent);
      if (p == exponent) return false;  // "1e" is not JSON
      is_float = true;
    }
    p_ = p;
    if (is_float) {
      double value = 0;
      const auto [end, error] = std::from_chars(start, p, value);
      if (error != std::errc() || end != p) return false;
      out = value;
      return true;
    }
    if (after_int - digits > 18) return false;  // 18 digits always fit in int64
    std::uint64_t magnitude = 0;
    for (const char* d = digits; d < after_int; ++d) magnitude = magnitude * 10 + static_cast<std::uint64_t>(*d - '0');
    if (negative) {
      out = -static_cast<std::int64_t>(magnitude);  // number_integer, as nlohmann's strtoll path
    } else {
      out = magnitude;  // number_unsigned, as nlohmann's strtoull path
    }
    return true;
  }

  const char* p_;
  const char* end_;
};

}  // namespace

std::optional<ordered_json> decode_common_json(std::string_view text) {
  ordered_json out;
  Decoder decoder(text);
  if (!decoder.document(out)) return std::nullopt;
  return out;
}

bool same_json_document(const ordered_json& a, const ordered_json& b) {
  if (a.type() != b.type() || a.size() != b.size()) return false;
  if (a.is_object()) {
    auto left = a.items().begin();
    auto right = b.items().begin();
    for (; left != a.items().end(); ++left, ++right) {
      if (left.key() != right.key() || !same_json_document(left.value(), right.value())) return false;
    }
    return true;
  }
  if (a.is_array()) {
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!same_json_document(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace telemetry
