#include "core/json_fast_decode.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <string>
#include <utility>
#include <vector>

#include "util/ascii.h"
#include "core/key_hash.h"
#include "core/utf8.h"

namespace telemetry {
namespace {

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

bool is_plain_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x20 && byte < 0x80 && byte != '"' && byte != '\\';
}

#if !defined(__SSE2__)
// True when none of the 8 bytes at `p` is plain (see is_plain_byte).
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
#endif

// How many bytes from `p` a string holds as they are (printable ASCII other
// than '"' and '\\'): the string scanners skip them in one step and look only
// at the byte after. Most of a buffer line is such bytes.
std::size_t plain_prefix_length(const char* p, const char* end) {
  const char* const start = p;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Compared as signed bytes, control characters and bytes >= 0x80 are both below 0x20.
    const __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                         _mm_cmplt_epi8(v, space));
    const int mask = _mm_movemask_epi8(special);
    if (mask != 0) return static_cast<std::size_t>(p - start) + static_cast<std::size_t>(__builtin_ctz(mask));
    p += 16;
  }
#else
  while (end - p >= 8 && is_plain_ascii_block(p)) p += 8;
#endif
  while (p < end && is_plain_byte(*p)) ++p;
  return static_cast<std::size_t>(p - start);
}

using Members = ordered_json::object_t;  // a vector of (const key, value) pairs

// Repeated keys are left to nlohmann (its DOM keeps the first position and the
// last value). A small open-addressing table of key hashes finds them in one
// pass; key_at(i) is the i-th key of `count` (at most kMaxFastMembers).
template <typename KeyAt>
bool has_repeated_key(std::size_t count, KeyAt key_at) {
  constexpr std::size_t kSlots = 2 * kMaxFastMembers;  // power of two, at most half full
  int slots[kSlots];
  for (int& slot : slots) slot = -1;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string_view key = key_at(i);
    const std::uint64_t hash = key_hash(key);
    for (std::size_t slot = hash & (kSlots - 1);; slot = (slot + 1) & (kSlots - 1)) {
      if (slots[slot] < 0) {
        slots[slot] = static_cast<int>(i);
        break;
      }
      if (key_at(static_cast<std::size_t>(slots[slot])) == key) return true;
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

  // The same grammar and limits as document(), for a top-level object only,
  // as views: strings with escapes are decoded into `unescaped` (whose
  // capacity the caller reserved to the text's size: a decoded string is
  // never longer than its JSON form, so appending never moves earlier views),
  // nested objects and arrays are built into `nested` (capacity reserved to
  // kMaxFastMembers, one per member at most, so nodes never move either).
  bool flat_document(JsonMembers& members, std::string& unescaped, std::vector<ordered_json>& nested) {
    skip_whitespace();
    if (p_ == end_ || *p_ != '{') return false;
    ++p_;
    skip_whitespace();
    if (p_ < end_ && *p_ == '}') {
      ++p_;
    } else {
      while (true) {
        skip_whitespace();
        if (p_ == end_ || *p_ != '"') return false;
        std::string_view key;
        if (!string_view_of(key, unescaped) || !consume(':')) return false;
        skip_whitespace();
        if (members.size() == kMaxFastMembers) return false;
        JsonView member = JsonView::null();
        if (!flat_value(member, unescaped, nested)) return false;
        members.push_back(JsonMember{key, member});
        skip_whitespace();
        if (p_ == end_) return false;
        const char next = *p_++;
        if (next == '}') break;
        if (next != ',') return false;
      }
      if (has_repeated_key(members.size(), [&](std::size_t i) { return members[i].key; })) return false;
    }
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
      default: {
        JsonView scalar = JsonView::null();
        if (!literal_or_number(scalar)) return false;
        out = scalar.to_json();
        return true;
      }
    }
  }

  // A member of the top-level object, for flat_document().
  bool flat_value(JsonView& out, std::string& unescaped, std::vector<ordered_json>& nested) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '{':
      case '[': {
        ordered_json& node = nested.emplace_back();
        if (!value(node, /*depth=*/1)) return false;  // the top-level object is depth 1
        out = JsonView(node);
        return true;
      }
      case '"': {
        std::string_view text;
        if (!string_view_of(text, unescaped)) return false;
        out = JsonView::string(text);
        return true;
      }
      default: return literal_or_number(out);
    }
  }

  bool literal_or_number(JsonView& out) {
    switch (*p_) {
      case 't': out = JsonView::boolean(true); return literal("true");
      case 'f': out = JsonView::boolean(false); return literal("false");
      case 'n': out = JsonView::null(); return literal("null");
      default: return number(out);
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
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
    if (has_repeated_key(members.size(), [&](std::size_t i) -> std::string_view {
          return (members.begin() + static_cast<std::ptrdiff_t>(i))->first;
        })) {
      return false;
    }
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
      const int digit = ascii::hex_value(p_[i]);
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

  // Moves over a string's bytes up to its closing quote or a backslash, and
  // leaves p_ there; false at a control character (they must be escaped) or
  // at the end of the text. Sets `non_ascii` when it passed a byte >= 0x80.
  bool scan_string_run(bool& non_ascii) {
    while (true) {
      p_ += plain_prefix_length(p_, end_);
      if (p_ == end_) return false;  // unterminated
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"' || c == '\\') return true;
      if (c < 0x20) return false;
      non_ascii = true;
      ++p_;
    }
  }

  // Appends the decoded string to `out`.
  bool string(std::string& out) {
    const std::size_t begin = out.size();
    ++p_;  // opening quote
    bool non_ascii = false;
    while (true) {
      const char* run_start = p_;
      if (!scan_string_run(non_ascii)) return false;
      out.append(run_start, p_);
      if (*p_++ == '"') return !non_ascii || is_valid_utf8(std::string_view(out).substr(begin));
      if (!escape(out)) return false;
    }
  }

  // A string as a view of the text when it holds no escape (the common case:
  // no copy), else decoded by string() into `unescaped`.
  bool string_view_of(std::string_view& out, std::string& unescaped) {
    const char* opening_quote = p_;
    const char* start = ++p_;
    bool non_ascii = false;
    if (!scan_string_run(non_ascii)) return false;
    if (*p_ == '"') {
      out = std::string_view(start, static_cast<std::size_t>(p_ - start));
      ++p_;
      return !non_ascii || is_valid_utf8(out);
    }
    p_ = opening_quote;
    const std::size_t begin = unescaped.size();
    if (!string(unescaped)) return false;
    out = std::string_view(unescaped).substr(begin);
    return true;
  }

  const char* skip_digits(const char* p) const {
    while (p < end_ && ascii::is_digit(*p)) ++p;
    return p;
  }

  // JSON's number grammar. Integers become nlohmann's types directly; a
  // number with a fraction or exponent is converted by std::from_chars, which
  // rounds correctly as the strtod behind nlohmann's lexer does; one that over-
  // or underflows is left to nlohmann.
  bool number(JsonView& out) {
    const char* start = p_;
    const bool negative = *p_ == '-';
    const char* digits = negative ? p_ + 1 : p_;
    if (digits == end_ || !ascii::is_digit(*digits)) return false;
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
      out = JsonView::floating(value);
      return true;
    }
    if (after_int - digits > 18) return false;  // 18 digits always fit in int64
    std::uint64_t magnitude = 0;
    for (const char* d = digits; d < after_int; ++d) magnitude = magnitude * 10 + static_cast<std::uint64_t>(*d - '0');
    if (negative) {
      out = JsonView::integer(-static_cast<std::int64_t>(magnitude));  // number_integer, as nlohmann's strtoll path
    } else {
      out = JsonView::unsigned_integer(magnitude);  // number_unsigned, as nlohmann's strtoull path
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

bool FlatJsonObject::decode(std::string_view text) {
  members_.clear();
  unescaped_.clear();
  unescaped_.reserve(text.size());
  nested_.clear();
  nested_.reserve(kMaxFastMembers);
  Decoder decoder(text);
  return decoder.flat_document(members_, unescaped_, nested_);
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
