#include "cli/app.h"

#include <algorithm>
#include <iostream>
#include <regex>

#include "cli/common.h"
#include "cli/exit_codes.h"
#include "telemetry_version.h"

namespace telemetry::cli {
namespace {

// --help: "--port PORT   port to listen on [default: 8765]", then where the
// manual is. CLI11's own layout would print "--port TEXT=8765".
class HelpFormatter : public CLI::Formatter {
 public:
  std::string make_option_opts(const CLI::Option* option) const override {
    if (option->get_type_size() == 0 || option->get_positional()) return "";
    std::string text = " " + option->get_type_name();
    if (option->get_expected_max() == CLI::detail::expected_max_vector_size) text += " ...";
    if (option->get_required()) text += " (required)";
    return text;
  }

  std::string make_option_desc(const CLI::Option* option) const override {
    std::string text = option->get_description();
    if (!option->get_default_str().empty()) text += " [default: " + option->get_default_str() + "]";
    return text;
  }

  std::string make_footer(const CLI::App* app) const override {
    const CLI::App* top = app;
    while (top->get_parent() && top->get_parent()->get_parent()) top = top->get_parent();
    const std::string page = top->get_parent() ? "telemetry-" + top->get_name() : "telemetry";
    return "The manual: man " + page + (top->get_parent() ? "" : "  (settings: man telemetry.env)") + "\n";
  }
};

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names.push_back(sub->get_name());
  return names;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}

std::string join(const std::vector<std::string>& words, const std::string& separator) {
  std::string text;
  for (const std::string& word : words) text += (text.empty() ? "" : separator) + word;
  return text;
}

bool is_flag_word(const std::string& word) { return word.size() > 1 && word[0] == '-' && word != "--"; }

// A usage error: printed here, exit 64.
int usage(const std::string& command, const std::string& problem) {
  std::cerr << "telemetry: " << usage_error(command, problem).what() << "\n";
  return exit_code::kUsage;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  auto close = nearest(word, candidates);
  return close ? "; did you mean '" + *close + "'?" : "";
}

// The word in place of a subcommand is not one: say so and name the nearest.
int unknown_command(const CLI::App& app, const std::string& word) {
  const std::vector<std::string> names = subcommand_names(app);
  const std::string path = command_path(app);
  return usage(path, "'" + word + "' is not a command of telemetry" + (path.empty() ? "" : " " + path) +
                         did_you_mean(word, names) + "\nCommands: " + join(names, ", "));
}

// What the user typed before the subcommand, checked and rearranged:
// `help [COMMAND...]` and `version` become --help and --version, and global
// flags typed first (telemetry --db X metrics) move after the subcommand,
// where CLI11 looks for them. Returns an exit code when the words make no sense.
std::optional<int> rearrange(const CLI::App& app, std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "help") {
    args.erase(args.begin());
    args.push_back("--help");
  } else if (!args.empty() && args[0] == "version") {
    args[0] = "--version";
  }
  std::vector<std::string> moved;
  std::size_t i = 0;
  while (i < args.size() && is_flag_word(args[i])) {
    const std::string name = args[i].substr(0, args[i].find('='));
    if (app.get_option_no_throw(name)) {  // --help, --version: CLI11 handles them
      ++i;
      continue;
    }
    if (!is_global_flag(name)) {
      return usage("", name + " is not an option of telemetry" + did_you_mean(name, option_names(app)) +
                           "\nA command comes first, then its options: telemetry COMMAND [OPTIONS]\nCommands: " +
                           join(subcommand_names(app), ", "));
    }
    const bool takes_value = name != "--no-env-file" && args[i].find('=') == std::string::npos;
    moved.push_back(args[i]);
    args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    if (takes_value && i < args.size()) {
      moved.push_back(args[i]);
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  if (i == args.size()) {
    if (i > 0) return std::nullopt;  // --help or --version
    return usage("", std::string(moved.empty() ? "" : join(moved, " ") + ": ") + "a command is required: " +
                         join(subcommand_names(app), ", "));
  }
  if (args[i] == "--") return usage("", "a command is required before --");
  const std::vector<std::string> names = subcommand_names(app);
  if (std::find(names.begin(), names.end(), args[i]) == names.end()) return unknown_command(app, args[i]);
  // After the subcommand's own words, before any "--" (after which everything is positional).
  auto end = std::find(args.begin(), args.end(), std::string("--"));
  args.insert(end, moved.begin(), moved.end());
  return std::nullopt;
}

// The subcommand CLI11 was working on when it stopped.
const CLI::App& deepest(const CLI::App& app) {
  const CLI::App* current = &app;
  while (!current->get_subcommands().empty()) current = current->get_subcommands().front();
  return *current;
}

// CLI11's messages in our words: what was not understood, what is expected.
int parse_failure(const CLI::App& app, const CLI::ParseError& error) {
  const CLI::App& command = deepest(app);
  const std::string path = command_path(command);
  const std::string message = error.what();
  std::smatch match;
  if (dynamic_cast<const CLI::ExtrasError*>(&error)) {
    std::vector<std::string> extras = command.remaining();
    const std::string word = extras.empty() ? message : extras.front();
    if (is_flag_word(word)) {
      const std::string name = word.substr(0, word.find('='));
      return usage(path, name + " is not an option of 'telemetry " + path + "'" +
                             did_you_mean(name, option_names(command)));
    }
    if (!command.get_subcommands([](const CLI::App*) { return true; }).empty()) return unknown_command(command, word);
    return usage(path, "unexpected argument '" + word + "'");
  }
  static const std::regex kConversion(R"(Could not convert: (\S+) = (.*))");
  if (std::regex_match(message, match, kConversion)) {
    const CLI::Option* option = command.get_option_no_throw(match[1].str());
    const std::string type = option ? option->get_type_name() : "";
    const std::string expected = type == "INT" || type == "UINT" ? "a whole number" : "a " + type + " value";
    return usage(path, match[1].str() + " " + match[2].str() + ": expected " + expected);
  }
  static const std::regex kMissing(R"((\S+): \d+ required (\S+) missing)");
  if (std::regex_match(message, match, kMissing)) {
    return usage(path, match[1].str() + " needs a value (" + match[2].str() + ")");
  }
  return usage(path, message);
}

}  // namespace

std::unique_ptr<CLI::App> make_app() {
  auto app = std::make_unique<CLI::App>("telemetry: records runs of automation agents in SQLite, through one writer",
                                        "telemetry");
  app->formatter(std::make_shared<HelpFormatter>());
  app->get_formatter()->column_width(34);
  app->set_version_flag("--version", std::string("telemetry ") + TELEMETRY_VERSION);
  app->require_subcommand(1);
  return app;
}

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (auto code = rearrange(app, args)) return code;
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    app.exit(e);
    return exit_code::kOk;
  } catch (const CLI::CallForAllHelp& e) {
    app.exit(e);
    return exit_code::kOk;
  } catch (const CLI::CallForVersion& e) {
    app.exit(e);
    return exit_code::kOk;
  } catch (const CLI::Success&) {
    return exit_code::kOk;
  } catch (const CLI::ParseError& e) {
    // CLI11's own exit codes are never passed through (docs/reference/configuration.md §6).
    return parse_failure(app, e);
  }
  return std::nullopt;
}

std::string command_path(const CLI::App& command) {
  std::string path;
  for (const CLI::App* app = &command; app->get_parent(); app = app->get_parent())
    path = app->get_name() + (path.empty() ? "" : " " + path);
  return path;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const std::string& candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (!best || distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  // A typo changes a few letters; beyond that the nearest name is a guess.
  if (!best || best_distance > std::max<std::size_t>(2, word.size() / 3)) return std::nullopt;
  return best;
}

}  // namespace telemetry::cli
