#pragma once
// The value syntax of docs/reference/configuration.md §3 and the address forms of §4.2 and §4.3,
// as pure functions: no sources, no messages.
#include <optional>
#include <string>
#include <vector>

namespace telemetry::config_values {

// true/1/yes/on and false/0/no/off, ASCII case ignored; nullopt for anything else.
std::optional<bool> parse_bool(const std::string& text);

enum class IntegerCheck { kOk, kNotInteger, kOutOfRange };
// Optional sign and decimal digits, nothing else, within [min, max].
IntegerCheck parse_integer(const std::string& text, long long min, long long max, long long& out);

// The listed word matching `text` with ASCII case ignored (returned as listed).
std::optional<std::string> match_word(const std::string& text, const std::vector<std::string>& words);

bool is_ipv4_literal(const std::string& text);
bool is_ipv6_literal(const std::string& text);
// RFC 1123 host name syntax (letters, digits, hyphens, dot-separated labels).
bool is_host_name(const std::string& text);

// "http://<host>:<port>" for a listen address: 0.0.0.0 -> 127.0.0.1,
// :: -> [::1], other IPv6 literals (any host with a ':') in brackets.
std::string url_for_listen_address(const std::string& host, int port);

// An http:// or https:// URL with a host, an optional port (1-65535) and no
// path other than "/"; returned without the trailing "/". nullopt when malformed.
// Without a scheme ("localhost:8765") it is http://, as curl assumes.
std::optional<std::string> normalise_service_url(const std::string& text);

}  // namespace telemetry::config_values
