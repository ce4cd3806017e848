#include "db/migrations/event_id.h"

#include <stdexcept>

#include "util/ascii.h"
#include "db/migrations/sha1.h"

namespace telemetry::db::migrations {
namespace {

constexpr std::string_view kUrlNamespace = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

std::string uuid_bytes(std::string_view text) {
  std::string bytes;
  int high = -1;
  for (char c : text) {
    if (c == '-') continue;
    int value = ascii::hex_value(c);
    if (value < 0) throw std::invalid_argument("not a UUID: " + std::string(text));
    if (high < 0) {
      high = value;
    } else {
      bytes.push_back(static_cast<char>(high * 16 + value));
      high = -1;
    }
  }
  if (bytes.size() != 16 || high >= 0) throw std::invalid_argument("not a UUID: " + std::string(text));
  return bytes;
}

}  // namespace

std::string uuid5(std::string_view namespace_uuid, std::string_view name) {
  std::string input = uuid_bytes(namespace_uuid);
  input.append(name.data(), name.size());
  Sha1Digest digest = sha1(input);
  digest[6] = static_cast<std::uint8_t>((digest[6] & 0x0F) | 0x50);  // version 5
  digest[8] = static_cast<std::uint8_t>((digest[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0F]);
  }
  return out;
}

std::string event_id_for_name(std::string_view name) { return uuid5(kUrlNamespace, name); }

std::string event_id_for_run_id(std::string_view run_id) {
  std::string name = "telemetry:run_id:";
  name.append(run_id.data(), run_id.size());
  return uuid5(kUrlNamespace, name);
}

std::string event_id_for_id(std::int64_t id) {
  return uuid5(kUrlNamespace, "telemetry:id:" + std::to_string(id));
}

}  // namespace telemetry::db::migrations
