#pragma once
// A fast hash for short keys (JSON member names), for the small
// open-addressing tables of the run parser. It reads the length and the first
// and last eight bytes only: enough to tell the API's member names apart, and
// a collision costs one more probe, never a wrong match (tables compare keys).
// The tables hold at most 64 keys, so crafted collisions cannot slow them much.
#include <cstdint>
#include <cstring>
#include <string_view>

namespace telemetry {

inline std::uint64_t key_hash(std::string_view key) {
  std::uint64_t head = 0;
  std::uint64_t tail = 0;
  if (key.size() >= 8) {
    std::memcpy(&head, key.data(), 8);
    std::memcpy(&tail, key.data() + key.size() - 8, 8);
  } else {
    std::memcpy(&head, key.data(), key.size());
  }
  std::uint64_t hash = (head * 0x9E3779B97F4A7C15ull) ^ ((tail + key.size()) * 0xC2B2AE3D27D4EB4Full);
  hash ^= hash >> 32;  // the tables index by the low bits
  hash *= 0x165667B19E3779F9ull;
  return hash ^ (hash >> 29);
}

}  // namespace telemetry
