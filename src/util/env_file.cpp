#include "util/env_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace telemetry::env_file {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string trim(const std::string& s) {
  size_t begin = 0, end = s.size();
  while (begin < end && is_blank(s[begin])) ++begin;
  while (end > begin && is_blank(s[end - 1])) --end;
  return s.substr(begin, end - begin);
}

bool valid_key(const std::string& key) {
  if (key.empty()) return false;
  auto head = [](char c) { return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  auto tail = [&](char c) { return head(c) || (c >= '0' && c <= '9'); };
  if (!head(key[0])) return false;
  for (char c : key)
    if (!tail(c)) return false;
  return true;
}

// What may follow a closing quote: blanks, optionally then a comment.
bool only_comment_left(const std::string& rest) {
  std::string t = trim(rest);
  return t.empty() || t[0] == '#';
}

struct ValueOrError {
  std::string value;
  std::string error;  // empty when the value is good
};

ValueOrError single_quoted(const std::string& raw) {
  size_t close = raw.find('\'', 1);
  if (close == std::string::npos) return {"", "unterminated single quote"};
  if (!only_comment_left(raw.substr(close + 1))) return {"", "unexpected text after the closing quote"};
  return {raw.substr(1, close - 1), ""};
}

ValueOrError double_quoted(const std::string& raw) {
  std::string value;
  for (size_t i = 1; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '"') {
      if (!only_comment_left(raw.substr(i + 1))) return {"", "unexpected text after the closing quote"};
      return {value, ""};
    }
    if (c == '\\' && i + 1 < raw.size()) {
      char next = raw[i + 1];
      if (next == '"' || next == '\\') { value += next; ++i; continue; }
      if (next == 'n') { value += '\n'; ++i; continue; }
      // Only \" \\ \n are escapes; any other backslash is kept as written.
    }
    value += c;
  }
  return {"", "unterminated double quote"};
}

ValueOrError unquoted(const std::string& raw) {
  // " #" starts a comment; a '#' glued to the '=' (KEY=#x) is part of the value.
  std::string value = raw;
  for (size_t i = 1; i < value.size(); ++i) {
    if (value[i] == '#' && is_blank(value[i - 1])) { value.resize(i); break; }
  }
  return {trim(value), ""};
}

ValueOrError parse_value(const std::string& after_equals) {
  std::string lead_trimmed = after_equals;
  size_t start = 0;
  while (start < lead_trimmed.size() && is_blank(lead_trimmed[start])) ++start;
  std::string raw = lead_trimmed.substr(start);
  if (!raw.empty() && raw[0] == '\'') return single_quoted(raw);
  if (!raw.empty() && raw[0] == '"') return double_quoted(raw);
  // Keep a leading blank so that "KEY= #comment" reads as an empty value.
  return unquoted(start > 0 ? " " + raw : raw);
}

// Strips "export " (with any blanks after it) when it prefixes an assignment.
std::string without_export(const std::string& line) {
  const std::string word = "export";
  if (line.compare(0, word.size(), word) == 0 && line.size() > word.size() && is_blank(line[word.size()]))
    return trim(line.substr(word.size()));
  return line;
}

}  // namespace

Parsed parse(const std::string& content, const std::string& display_name) {
  Parsed parsed;
  std::istringstream in(content);
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    auto fail = [&](const std::string& reason) {
      parsed.errors.push_back(display_name + ":" + std::to_string(number) + ": " + reason);
    };
    text = without_export(text);
    size_t equals = text.find('=');
    if (equals == std::string::npos) { fail("expected KEY=VALUE"); continue; }
    std::string key = trim(text.substr(0, equals));
    if (!valid_key(key)) { fail("invalid key '" + key + "'"); continue; }
    ValueOrError value = parse_value(text.substr(equals + 1));
    if (!value.error.empty()) { fail(value.error); continue; }
    parsed.entries[key] = Entry{value.value, number};
  }
  return parsed;
}

Loaded load(const std::string& path, const std::string& display_name) {
  Loaded loaded;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    loaded.missing = (errno == ENOENT);
    loaded.read_error = "cannot read env file " + display_name + ": " + std::strerror(errno);
    return loaded;
  }
  if (S_ISDIR(st.st_mode)) {
    loaded.read_error = "cannot read env file " + display_name + ": " + std::strerror(EISDIR);
    return loaded;
  }
  errno = 0;
  std::ifstream file(path, std::ios::binary);
  std::ostringstream content;
  if (!file || !(content << file.rdbuf())) {
    int saved = errno != 0 ? errno : EIO;
    // An empty file makes `content << rdbuf()` fail without being an error.
    if (!(file && st.st_size == 0)) {
      loaded.read_error = "cannot read env file " + display_name + ": " + std::strerror(saved);
      return loaded;
    }
  }
  loaded.readable_by_others = (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
  loaded.parsed = parse(content.str(), display_name);
  return loaded;
}

}  // namespace telemetry::env_file
