#pragma once
// Process exit codes (docs/reference/configuration.md §7), sysexits-style.
namespace telemetry::cli::exit_code {
constexpr int kOk = 0;
constexpr int kWarnings = 1;  // `check` only
constexpr int kUsage = 64;
constexpr int kDataErr = 65;
constexpr int kNoInput = 66;
constexpr int kUnavailable = 69;
constexpr int kSoftware = 70;
constexpr int kCantCreate = 73;
constexpr int kIoErr = 74;
constexpr int kTempFail = 75;
constexpr int kConfig = 78;
constexpr int kInterrupted = 130;  // SIGINT
constexpr int kTerminated = 143;   // SIGTERM
}  // namespace telemetry::cli::exit_code
