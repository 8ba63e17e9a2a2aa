// `scarscope users add|list|disable|enable`: the staff of the record's clinics. A password is read
// from standard input (asked twice without echo on a terminal), never from the command line.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "clinic/password.h"
#include "clinic/validation.h"
#include "clinic/vocabulary.h"
#include "cli/json_output.h"
#include "cli/store_options.h"
#include "cli/verb.h"
#include "core/error.h"

namespace scarscope::cli {
namespace {

struct UsersOptions {
  RecordOptions record;
  JsonOutput json;
  std::string clinic;
  std::string email;
  std::string role = "clinician";
  std::string display_name;
  CLI::App* add = nullptr;
  CLI::App* list = nullptr;
  CLI::App* disable = nullptr;
  CLI::App* enable = nullptr;
};

// One line of standard input, without its line end.
std::string read_line() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

std::string read_password() {
  if (!::isatty(STDIN_FILENO)) {
    const std::string password = read_line();
    if (password.empty()) {
      throw InputError("password: give it on standard input (e.g. from a password manager), one line",
                       ErrorCode::missing_field, "password");
    }
    return password;
  }
  termios saved{};
  ::tcgetattr(STDIN_FILENO, &saved);
  termios quiet = saved;
  quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
  ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::cerr << "Password: " << std::flush;
  const std::string first = read_line();
  std::cerr << "\nAgain: " << std::flush;
  const std::string second = read_line();
  std::cerr << "\n";
  ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
  if (first != second) throw InputError("password: the two entries differ", ErrorCode::bad_input, "password");
  return first;
}

int run_add(const UsersOptions& options) {
  const std::string email = clinic::normalise_email(options.email, "--email");
  const clinic::Role role = clinic::parse_role(options.role, "--role");
  clinic::check_clinic_name(options.clinic);
  const std::string password = read_password();
  clinic::check_password_rules(password);
  const std::string hash = clinic::hash_password(password);
  const std::unique_ptr<store::Store> store = options.record.open();
  bool new_clinic = false;
  const clinic::User user = store->write_system([&](store::SystemWriter& tx) {
    std::optional<clinic::Clinic> found = tx.clinic_by_name(options.clinic);
    new_clinic = !found;
    const clinic::Clinic owner = found ? *found : tx.create_clinic(options.clinic);
    clinic::User draft;
    draft.clinic_id = owner.id;
    draft.email = email;
    draft.display_name = options.display_name;
    draft.role = role;
    draft.password_hash = hash;
    const clinic::User created = tx.create_user(draft);
    tx.append_audit(owner.id, {{}, clinic::AuditAction::create, "user", created.id, {}, "scarscope users add"});
    return created;
  });
  if (options.json.requested()) {
    options.json.write({{"id", user.id}, {"email", user.email}, {"role", clinic::name(user.role)},
                        {"clinic", options.clinic}, {"new_clinic", new_clinic}});
  }
  if (!options.json.to_stdout()) {
    std::cout << "Added " << clinic::name(user.role) << " " << user.email << " to " << options.clinic
              << (new_clinic ? " (a new clinic)" : "") << ".\n";
  }
  return 0;
}

int run_list(const UsersOptions& options) {
  const std::unique_ptr<store::Store> store = options.record.open();
  const auto [clinics, users] = store->read_system([](store::SystemReader& tx) { return std::make_pair(tx.clinics(), tx.users()); });
  std::map<std::string, std::string> clinic_names;
  for (const clinic::Clinic& clinic : clinics) clinic_names[clinic.id] = clinic.name;
  nlohmann::json list = nlohmann::json::array();
  for (const clinic::User& user : users) {
    if (!options.clinic.empty() && clinic_names[user.clinic_id] != options.clinic) continue;
    list.push_back({{"id", user.id}, {"email", user.email}, {"display_name", user.display_name},
                    {"role", clinic::name(user.role)}, {"clinic", clinic_names[user.clinic_id]},
                    {"disabled", user.disabled}, {"created_at", clinic::format_timestamp(user.created_at)}});
  }
  if (options.json.requested()) options.json.write({{"users", list}});
  if (!options.json.to_stdout()) {
    if (list.empty()) std::cout << "No users" << (options.clinic.empty() ? "" : " in " + options.clinic) << ".\n";
    for (const auto& user : list) {
      std::cout << user["email"].get<std::string>() << "  " << user["role"].get<std::string>() << "  "
                << user["clinic"].get<std::string>() << (user["disabled"].get<bool>() ? "  (disabled)" : "") << "\n";
    }
  }
  return 0;
}

int run_set_disabled(const UsersOptions& options, bool disabled) {
  const std::unique_ptr<store::Store> store = options.record.open();
  const std::string email = clinic::normalise_email(options.email, "--email");
  store->write_system([&](store::SystemWriter& tx) {
    const std::optional<clinic::User> user = tx.user_by_email(email);
    if (!user) throw InputError("--email: no user " + email + " in this record", ErrorCode::not_found, "--email");
    tx.set_user_disabled(user->id, disabled);
    tx.append_audit(user->clinic_id, {{}, clinic::AuditAction::update, "user", user->id, {},
                                      disabled ? "scarscope users disable" : "scarscope users enable"});
  });
  std::cout << (disabled ? "Disabled " : "Enabled ") << email
            << (disabled ? "; their sessions were ended.\n" : ".\n");
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<UsersOptions>();
  app.require_subcommand(1);
  options->add = app.add_subcommand("add", "Add a user (and the clinic, if new); the password comes from standard input");
  options->add->add_option("--clinic", options->clinic, "The clinic's name")->required();
  options->add->add_option("--email", options->email, "The user's email (their login)")->required();
  options->add->add_option("--role", options->role, "admin, clinician or assistant")->required();
  options->add->add_option("--name", options->display_name, "The name shown for them");
  options->record.add_to(*options->add);
  options->json.add_to(*options->add);
  options->list = app.add_subcommand("list", "List the users of every clinic (or of one)");
  options->list->add_option("--clinic", options->clinic, "Only this clinic's users");
  options->record.add_to(*options->list);
  options->json.add_to(*options->list);
  options->disable = app.add_subcommand("disable", "Disable a user and end their sessions");
  options->disable->add_option("--email", options->email, "The user's email")->required();
  options->record.add_to(*options->disable);
  options->enable = app.add_subcommand("enable", "Enable a disabled user again");
  options->enable->add_option("--email", options->email, "The user's email")->required();
  options->record.add_to(*options->enable);
  return [options] {
    if (options->add->parsed()) return run_add(*options);
    if (options->list->parsed()) return run_list(*options);
    if (options->disable->parsed()) return run_set_disabled(*options, true);
    return run_set_disabled(*options, false);
  };
}

const VerbRegistrar registrar{{"users", "Manage the record's users: add, list, disable, enable", 210, setup}};

}  // namespace
}  // namespace scarscope::cli
