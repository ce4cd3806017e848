#include "util/sqlite_settings.h"

#include "util/ascii.h"

namespace telemetry {
namespace {

template <typename Enum>
struct Named {
  Enum value;
  const char* name;
};

constexpr Named<JournalMode> kJournalModes[] = {
    {JournalMode::kDelete, "DELETE"}, {JournalMode::kTruncate, "TRUNCATE"}, {JournalMode::kPersist, "PERSIST"},
    {JournalMode::kWal, "WAL"},       {JournalMode::kMemory, "MEMORY"},     {JournalMode::kOff, "OFF"},
};

constexpr Named<Synchronous> kSynchronousLevels[] = {
    {Synchronous::kOff, "OFF"}, {Synchronous::kNormal, "NORMAL"}, {Synchronous::kFull, "FULL"},
    {Synchronous::kExtra, "EXTRA"},
};

template <typename Enum, std::size_t N>
const char* name_in(const Named<Enum> (&table)[N], Enum value) {
  for (const Named<Enum>& entry : table)
    if (entry.value == value) return entry.name;
  return "";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_in(const Named<Enum> (&table)[N], std::string_view text) {
  const std::string wanted = ascii::upper(text);
  for (const Named<Enum>& entry : table)
    if (wanted == entry.name) return entry.value;
  return std::nullopt;
}

}  // namespace

const char* journal_mode_name(JournalMode mode) { return name_in(kJournalModes, mode); }

std::optional<JournalMode> parse_journal_mode(std::string_view text) { return value_in(kJournalModes, text); }

const char* synchronous_name(Synchronous level) { return name_in(kSynchronousLevels, level); }

std::optional<Synchronous> parse_synchronous(std::string_view text) {
  if (text.size() == 1 && text[0] >= '0' && text[0] <= '3') return synchronous_from_level(text[0] - '0');
  return value_in(kSynchronousLevels, text);
}

std::optional<Synchronous> synchronous_from_level(std::int64_t level) {
  if (level < 0 || level > 3) return std::nullopt;
  return static_cast<Synchronous>(level);
}

}  // namespace telemetry
