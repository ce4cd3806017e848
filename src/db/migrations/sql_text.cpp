#include "db/migrations/sql_text.h"

#include "util/ascii.h"

namespace telemetry::db::migrations {
namespace {

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_tight(char c) { return c == '(' || c == ')' || c == ','; }

}  // namespace

std::string normalize_sql(std::string_view sql) {
  std::string out;
  bool pending_space = false;
  auto emit = [&](char c, bool literal) {
    if (pending_space && !out.empty() && !is_tight(out.back()) && !(is_tight(c) && !literal)) {
      out.push_back(' ');
    }
    pending_space = false;
    out.push_back(c);
  };
  std::size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
      pending_space = true;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      std::size_t end = sql.find("*/", i + 2);
      i = end == std::string_view::npos ? sql.size() : end + 2;
      pending_space = true;
    } else if (c == '\'') {
      // String literal, copied verbatim ('' is an escaped quote).
      emit(c, true);
      ++i;
      while (i < sql.size()) {
        out.push_back(sql[i]);
        if (sql[i] == '\'') {
          if (i + 1 < sql.size() && sql[i + 1] == '\'') {
            out.push_back('\'');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
    } else if (c == '"' || c == '`' || c == '[') {
      char close = c == '[' ? ']' : c;
      ++i;
      bool first = true;
      while (i < sql.size()) {
        if (sql[i] == close) {
          if (close != ']' && i + 1 < sql.size() && sql[i + 1] == close) {
            i += 1;  // doubled quote inside the identifier
          } else {
            ++i;
            break;
          }
        }
        if (first) {
          emit(ascii::to_lower(sql[i]), false);
          first = false;
        } else {
          out.push_back(ascii::to_lower(sql[i]));
        }
        ++i;
      }
    } else if (ascii::is_space(c)) {
      pending_space = true;
      ++i;
    } else {
      if (is_tight(c)) pending_space = false;
      emit(ascii::to_lower(c), false);
      ++i;
    }
  }
  return out;
}

std::vector<std::string> check_expressions(std::string_view create_table_sql) {
  const std::string text = normalize_sql(create_table_sql);
  std::vector<std::string> expressions;
  std::size_t position = 0;
  while ((position = text.find("check", position)) != std::string::npos) {
    bool starts_word = position == 0 || !is_word_char(text[position - 1]);
    std::size_t after = position + 5;
    if (!starts_word || (after < text.size() && is_word_char(text[after]))) {
      position = after;
      continue;
    }
    if (after < text.size() && text[after] == ' ') ++after;
    if (after >= text.size() || text[after] != '(') {
      position = after;
      continue;
    }
    // Balanced parentheses, skipping string literals.
    int depth = 0;
    std::size_t j = after;
    for (; j < text.size(); ++j) {
      char c = text[j];
      if (c == '\'') {
        for (++j; j < text.size(); ++j) {
          if (text[j] != '\'') continue;
          if (j + 1 < text.size() && text[j + 1] == '\'') {
            ++j;  // '' inside the literal
            continue;
          }
          break;
        }
        continue;
      }
      if (c == '(') ++depth;
      if (c == ')' && --depth == 0) break;
    }
    expressions.push_back(text.substr(after + 1, j - after - 1));
    position = j;
  }
  return expressions;
}

bool contains_word(std::string_view normalized_sql, std::string_view word) {
  std::size_t position = 0;
  while ((position = normalized_sql.find(word, position)) != std::string_view::npos) {
    std::size_t end = position + word.size();
    bool starts = position == 0 || !is_word_char(normalized_sql[position - 1]);
    bool ends = end >= normalized_sql.size() || !is_word_char(normalized_sql[end]);
    if (starts && ends) return true;
    position = end;
  }
  return false;
}

}  // namespace telemetry::db::migrations
