#include "core/json_body.h"

#include <utility>

#include "core/json_fast_decode.h"
#include "core/validation_errors.h"
#include "util/ascii.h"

namespace telemetry {

namespace {

constexpr std::size_t kMaxDepth = 256;

// Builds the document through nlohmann's own DOM builder (so duplicate keys
// keep their first position and last value) while counting nesting, and
// stops before a level deeper than kMaxDepth is built. nlohmann's SAX parser
// is iterative, so deep input cannot exhaust the stack.
class DepthLimitedBuilder {
 public:
  using Json = ordered_json;
  using number_integer_t = Json::number_integer_t;
  using number_unsigned_t = Json::number_unsigned_t;
  using number_float_t = Json::number_float_t;
  using string_t = Json::string_t;
  using binary_t = Json::binary_t;

  explicit DepthLimitedBuilder(Json& root) : dom_(root, /*allow_exceptions=*/false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool v) { return dom_.boolean(v); }
  bool number_integer(number_integer_t v) { return dom_.number_integer(v); }
  bool number_unsigned(number_unsigned_t v) { return dom_.number_unsigned(v); }
  bool number_float(number_float_t v, const string_t& s) { return dom_.number_float(v, s); }
  bool string(string_t& v) { return dom_.string(v); }
  bool binary(binary_t& v) { return dom_.binary(v); }
  bool key(string_t& v) { return dom_.key(v); }

  bool start_object(std::size_t n) { return enter() && dom_.start_object(n); }
  bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
  bool end_object() { return leave() && dom_.end_object(); }
  bool end_array() { return leave() && dom_.end_array(); }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) {
    error_position_ = position;
    error_message_ = error.what();
    syntax_error_ = true;
    return false;
  }

  bool too_deep() const { return too_deep_; }
  bool syntax_error() const { return syntax_error_; }
  std::size_t error_position() const { return error_position_; }
  const std::string& error_message() const { return error_message_; }

 private:
  bool enter() {
    if (++depth_ > kMaxDepth) too_deep_ = true;
    return !too_deep_;
  }
  bool leave() {
    --depth_;
    return true;
  }

  nlohmann::detail::json_sax_dom_parser<Json> dom_;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
  bool syntax_error_ = false;
  std::size_t error_position_ = 0;
  std::string error_message_;
};

bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Offset of the bracket that opens level kMaxDepth + 1. Called only when the
// parser stopped there, so everything before it is valid JSON and strings
// can be skipped naively.
std::size_t offset_of_excess_nesting(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return text.size();
}

std::size_t skip_digits(std::string_view text, std::size_t i) {
  while (i < text.size() && ascii::is_digit(text[i])) ++i;
  return i;
}

// End of the well-formed token starting at `i` (JSON's token grammar; a
// number ends where nlohmann's lexer ends it, so "01" is "0" then "1").
std::size_t end_of_token(std::string_view text, std::size_t i) {
  const char c = text[i];
  if (c == '"') {
    for (++i; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\') ++i;
    }
    return i + 1;
  }
  if (c == '-' || ascii::is_digit(c)) {
    if (c == '-') ++i;
    i = (i < text.size() && text[i] == '0') ? i + 1 : skip_digits(text, i);
    if (i < text.size() && text[i] == '.') i = skip_digits(text, i + 1);
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
      ++i;
      if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
      i = skip_digits(text, i);
    }
    return i;
  }
  if (c >= 'a' && c <= 'z') {
    while (i < text.size() && text[i] >= 'a' && text[i] <= 'z') ++i;
    return i;
  }
  return i + 1;  // a structural character
}

// Start of the token containing byte `last`. Used when the parser rejected a
// well-formed token: the error is where that token begins, as the Python
// service reported it ("Expecting ',' delimiter: ... (char 7)").
std::size_t start_of_token_containing(std::string_view text, std::size_t last) {
  std::size_t i = 0;
  while (i <= last) {
    if (is_json_whitespace(text[i])) {
      ++i;
      continue;
    }
    const std::size_t end = end_of_token(text, i);
    if (end > last) return i;
    i = end;
  }
  return last;
}

// nlohmann's what() is "[json.exception.parse_error.101] parse error at line 1,
// column 5: syntax error ..."; the position is reported separately, so keep
// only the description.
std::string describe(std::string what) {
  if (what.rfind("[json.exception.", 0) == 0) {
    const std::size_t close = what.find("] ");
    if (close != std::string::npos) what.erase(0, close + 2);
  }
  if (what.rfind("parse error", 0) == 0) {
    const std::size_t colon = what.find(": ");
    if (colon != std::string::npos) what.erase(0, colon + 2);
  }
  return what;
}

JsonSyntaxError syntax_error_of(std::string_view text, const DepthLimitedBuilder& builder) {
  // nlohmann counts characters read, 1-based; reading past the end counts too.
  std::size_t offset = builder.error_position() == 0 ? 0 : builder.error_position() - 1;
  if (offset > text.size()) offset = text.size();
  const std::string message = describe(builder.error_message());
  // A lexer error ("...; last read: '...'") is at the offending byte; an
  // unexpected but well-formed token is reported where that token starts.
  const bool lexer_error = message.find("; last read: '") != std::string::npos;
  if (!lexer_error && offset < text.size()) offset = start_of_token_containing(text, offset);
  return JsonSyntaxError{offset, message};
}

}  // namespace

std::variant<ordered_json, JsonSyntaxError> parse_json_strict(std::string_view text) {
  // nlohmann silently skips a UTF-8 BOM; the API refuses it (docs/reference/http-api.md §4).
  if (text.substr(0, 3) == "\xEF\xBB\xBF") {
    return JsonSyntaxError{0, "unexpected UTF-8 BOM"};
  }
  // The common case, quickly; everything else (and every error) through nlohmann.
  if (std::optional<ordered_json> decoded = decode_common_json(text)) return std::move(*decoded);
  ordered_json root;
  DepthLimitedBuilder builder(root);
  const bool ok = ordered_json::sax_parse(text.begin(), text.end(), &builder,
                                          nlohmann::detail::input_format_t::json,
                                          /*strict=*/true);
  if (builder.too_deep()) {
    return JsonSyntaxError{offset_of_excess_nesting(text),
                           "nesting deeper than 256 arrays/objects"};
  }
  if (!ok || builder.syntax_error()) return syntax_error_of(text, builder);
  return root;
}

FieldError json_invalid_error(const JsonSyntaxError& error) {
  FieldError out{"json_invalid", ordered_json::array({"body", error.offset}), "JSON decode error",
                 ordered_json::object(), std::nullopt};
  ordered_json ctx = ordered_json::object();
  ctx["error"] = error.message;
  out.ctx = std::move(ctx);
  return out;
}

std::string compact_json(const ordered_json& value) {
  // Values come from parse_json_strict, so strings are valid UTF-8; `replace`
  // only keeps dump() from throwing should that ever not hold.
  return value.dump(-1, ' ', /*ensure_ascii=*/false, ordered_json::error_handler_t::replace);
}

}  // namespace telemetry
