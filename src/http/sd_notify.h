#pragma once
// systemd's readiness protocol: a datagram to $NOTIFY_SOCKET, when set.
#include <string>

namespace telemetry::http {

// Sends e.g. "READY=1"; does nothing without NOTIFY_SOCKET. Returns false on failure.
bool sd_notify(const std::string& state);

}  // namespace telemetry::http
