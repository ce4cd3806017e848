#include "util/config_values.h"

#include <arpa/inet.h>

#include <climits>

#include "util/ascii.h"

namespace telemetry::config_values {

std::optional<bool> parse_bool(const std::string& text) {
  std::string word = ascii::lower(text);
  if (word == "true" || word == "1" || word == "yes" || word == "on") return true;
  if (word == "false" || word == "0" || word == "no" || word == "off") return false;
  return std::nullopt;
}

IntegerCheck parse_integer(const std::string& text, long long min, long long max, long long& out) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  if (i == text.size()) return IntegerCheck::kNotInteger;
  // Accumulate as a negative number so LLONG_MIN fits; saturate on overflow,
  // which the range check then rejects ("99999999999999999999" is an integer).
  long long value = 0;
  bool overflow = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return IntegerCheck::kNotInteger;
    int digit = c - '0';
    if (value < (LLONG_MIN + digit) / 10) overflow = true;
    if (!overflow) value = value * 10 - digit;
  }
  if (overflow) return IntegerCheck::kOutOfRange;
  if (!negative) {
    if (value == LLONG_MIN) return IntegerCheck::kOutOfRange;
    value = -value;
  }
  if (value < min || value > max) return IntegerCheck::kOutOfRange;
  out = value;
  return IntegerCheck::kOk;
}

std::optional<std::string> match_word(const std::string& text, const std::vector<std::string>& words) {
  std::string wanted = ascii::upper(text);
  for (const std::string& word : words)
    if (ascii::upper(word) == wanted) return word;
  return std::nullopt;
}

bool is_ipv4_literal(const std::string& text) {
  unsigned char buffer[sizeof(struct in_addr)];
  return inet_pton(AF_INET, text.c_str(), buffer) == 1;
}

bool is_ipv6_literal(const std::string& text) {
  unsigned char buffer[sizeof(struct in6_addr)];
  return inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool is_host_name(const std::string& text) {
  if (text.empty() || text.size() > 253) return false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('.', start);
    if (end == std::string::npos) end = text.size();
    size_t length = end - start;
    if (length == 0 || length > 63) return false;
    if (text[start] == '-' || text[end - 1] == '-') return false;
    for (size_t i = start; i < end; ++i) {
      char c = text[i];
      bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    start = end + 1;
  }
  return true;
}

std::string url_for_listen_address(const std::string& host, int port) {
  std::string shown = host;
  if (host == "0.0.0.0") shown = "127.0.0.1";
  // A host name never holds a colon: any host with one is an IPv6 literal,
  // bracketed even when inet_pton would not take it (a zone id, fe80::1%eth0).
  else if (host.find(':') != std::string::npos) shown = "[" + (host == "::" ? std::string("::1") : host) + "]";
  return "http://" + shown + ":" + std::to_string(port);
}

namespace {

bool valid_port(const std::string& digits) {
  long long port = 0;
  bool all_digits = !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
  return all_digits && parse_integer(digits, 1, 65535, port) == IntegerCheck::kOk;
}

// host[:port] or [v6][:port]; user information is not accepted.
bool valid_authority(const std::string& authority) {
  if (authority.empty()) return false;
  if (authority[0] == '[') {
    size_t close = authority.find(']');
    if (close == std::string::npos || !is_ipv6_literal(authority.substr(1, close - 1))) return false;
    std::string rest = authority.substr(close + 1);
    return rest.empty() || (rest[0] == ':' && valid_port(rest.substr(1)));
  }
  size_t colon = authority.find(':');
  std::string host = authority.substr(0, colon);
  if (!is_ipv4_literal(host) && !is_host_name(host)) return false;
  return colon == std::string::npos || valid_port(authority.substr(colon + 1));
}

}  // namespace

std::optional<std::string> normalise_service_url(const std::string& given) {
  // Like curl, a URL without a scheme is taken as http://.
  const std::string text = given.find("://") == std::string::npos ? "http://" + given : given;
  std::string lowered = ascii::lower(text);
  size_t scheme_end;
  if (lowered.rfind("http://", 0) == 0) scheme_end = 7;
  else if (lowered.rfind("https://", 0) == 0) scheme_end = 8;
  else return std::nullopt;
  size_t authority_end = text.find_first_of("/?#", scheme_end);
  std::string authority = text.substr(scheme_end, authority_end == std::string::npos ? std::string::npos
                                                                                     : authority_end - scheme_end);
  std::string tail = authority_end == std::string::npos ? "" : text.substr(authority_end);
  if (!(tail.empty() || tail == "/")) return std::nullopt;
  if (!valid_authority(authority)) return std::nullopt;
  return lowered.substr(0, scheme_end) + authority;
}

}  // namespace telemetry::config_values
