#include "util/random_ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace telemetry {
namespace {

std::vector<unsigned char> random_bytes(int count) {
  std::vector<unsigned char> bytes(static_cast<std::size_t>(count));
  std::size_t filled = 0;
  while (filled < bytes.size()) {
    const ssize_t n = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
    }
    filled += static_cast<std::size_t>(n);
  }
  return bytes;
}

}  // namespace

std::string random_hex(int count) {
  std::string out;
  for (unsigned char byte : random_bytes(count)) out += fmt::format("{:02x}", byte);
  return out;
}

std::string uuid4() {
  std::vector<unsigned char> b = random_bytes(16);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  std::string hex;
  for (unsigned char byte : b) hex += fmt::format("{:02x}", byte);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

}  // namespace telemetry
