#pragma once
// A fast hash for short keys (JSON member names), for the small
// open-addressing tables of the run parser. FNV-1a, 64 bits.
#include <cstdint>
#include <string_view>

namespace telemetry {

inline std::uint64_t key_hash(std::string_view key) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char c : key) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return hash;
}

}  // namespace telemetry
