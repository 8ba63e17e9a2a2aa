#include "server_test_support.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <stdexcept>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <mutex>

#include "clinic/ids.h"
#include "clinic/password.h"
#include "surface/x3p.h"
#include "synth/synthetic_skin.h"

namespace scarscope::test {

namespace {

// One argon2id hash for every test user: hashing costs 0.13 s each.
const std::string& test_password_hash() {
  static const std::string hash = clinic::hash_password(test_password);
  return hash;
}

}  // namespace

ClinicStaff add_clinic_with_staff(store::Store& store, const std::string& name) {
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return store.write_system([&](store::SystemWriter& tx) {
    ClinicStaff staff;
    staff.clinic = tx.create_clinic(name);
    auto user = [&](clinic::Role role, const std::string& who) {
      clinic::User draft;
      draft.clinic_id = staff.clinic.id;
      draft.email = who + "@" + lower + ".test";
      draft.display_name = who + " of " + name;
      draft.role = role;
      draft.password_hash = test_password_hash();
      return tx.create_user(draft);
    };
    staff.admin = user(clinic::Role::admin, "admin");
    staff.clinician = user(clinic::Role::clinician, "clinician");
    staff.assistant = user(clinic::Role::assistant, "assistant");
    return staff;
  });
}

int spawn_in_folder(std::vector<std::string> arguments, const std::filesystem::path& folder,
                    const std::filesystem::path& log, int stdout_fd) {
  // Everything the child needs is made before fork(): after it, only exec-safe calls.
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  const std::string folder_path = folder.string();
  const std::string log_path = log.string();
  const int pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    const int out = stdout_fd >= 0 ? stdout_fd : ::open("/dev/null", O_WRONLY);
    if (out >= 0) ::dup2(out, STDOUT_FILENO);
    const int err = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (err >= 0) ::dup2(err, STDERR_FILENO);
    if (::chdir(folder_path.c_str()) != 0) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

ServeProcess::ServeProcess(const TestRecord& record, const std::vector<std::string>& extra_arguments)
    : folder_(std::make_unique<TempDir>()) {
  std::vector<std::string> arguments = {SCARSCOPE_CLI, "serve", "--listen", "127.0.0.1:0", "--log-level", "warn"};
  if (record.engine() == store::Engine::sqlite) {
    arguments.insert(arguments.end(), {"--data", record.location().data_dir.string()});
  } else {
    arguments.insert(arguments.end(), {"--db", record.location().url});
  }
  arguments.insert(arguments.end(), extra_arguments.begin(), extra_arguments.end());
  int out[2];  // close-on-exec: only the child's standard output (dup2) stays open in it
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  // It runs in its own empty folder (its log is there too): nothing shared with other processes.
  pid_ = spawn_in_folder(std::move(arguments), folder_->path(), folder_->path() / "serve.log", out[1]);
  ::close(out[1]);
  // Its first line names the address: "... on http://127.0.0.1:PORT/api/v1/ ...".
  std::string line;
  char c = 0;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out[0]);
  const std::string marker = "http://127.0.0.1:";
  const std::size_t at = line.find(marker);
  if (at == std::string::npos) {
    kill_hard();
    throw std::runtime_error("scarscope serve did not start: " + line + "\n" + log());
  }
  port_ = std::stoi(line.substr(at + marker.size()));
}

ServeProcess::~ServeProcess() { kill_hard(); }

std::string ServeProcess::login(const clinic::User& user) const {
  Answer answer = client().post("/api/v1/login", {{"email", user.email}, {"password", test_password}});
  if (answer.status != 200) throw std::runtime_error("login of " + user.email + " failed: " + answer.body);
  return answer.json["token"].get<std::string>();
}

void ServeProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

int ServeProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ServeProcess::log() const { return read_text_file(folder_->path() / "serve.log"); }

CommandResult run_fsck(const TestRecord& record) {
  return run_cli("fsck " + cli_arguments(record));
}

std::vector<store::Engine> test_engines() {
  // PostgreSQL is always in the list: without the server its tests fail and say why, rather than
  // passing unseen.
  return {store::Engine::sqlite, store::Engine::postgres};
}

std::string engine_name_for_test(const testing::TestParamInfo<store::Engine>& info) {
  return info.param == store::Engine::sqlite ? "SQLite" : "PostgreSQL";
}

std::string cli_arguments(const TestRecord& record) {
  return record.engine() == store::Engine::sqlite ? "--data '" + record.location().data_dir.string() + "'"
                                                  : "--db '" + record.location().url + "'";
}

std::string Answer::header(const std::string& name) const {
  auto found = headers.find(name);
  return found == headers.end() ? std::string() : found->second;
}

std::vector<std::string> Answer::headers_named(const std::string& name) const {
  std::vector<std::string> values;
  auto [begin, end] = headers.equal_range(name);
  for (auto it = begin; it != end; ++it) values.push_back(it->second);
  return values;
}

ApiClient::ApiClient(int port) : client_("127.0.0.1", port) {
  client_.set_keep_alive(true);
  client_.set_tcp_nodelay(true);  // else each body waits ~40 ms behind its headers (Nagle)
  client_.set_read_timeout(120, 0);
  client_.set_write_timeout(120, 0);
}

Answer ApiClient::send(const std::string& method, const std::string& path, const std::string& body,
                       const std::string& content_type, const httplib::Headers& headers) {
  httplib::Request request;
  request.method = method;
  request.path = path;
  request.headers = headers;
  if (!token_.empty() && !request.has_header("Authorization")) request.set_header("Authorization", "Bearer " + token_);
  if (!content_type.empty()) {
    request.body = body;
    request.set_header("Content-Type", content_type);
  }
  httplib::Result result = client_.send(request);
  if (!result) throw std::runtime_error(method + " " + path + ": no answer (" + httplib::to_string(result.error()) + ")");
  Answer answer;
  answer.status = result->status;
  answer.body = result->body;
  answer.headers = result->headers;
  if (result->get_header_value("Content-Type").rfind("application/json", 0) == 0) {
    answer.json = Json::parse(answer.body, nullptr, false);
  }
  return answer;
}

Answer ApiClient::get(const std::string& path, const httplib::Headers& headers) {
  return send("GET", path, "", "", headers);
}

Answer ApiClient::post(const std::string& path, const Json& body, const httplib::Headers& headers) {
  return send("POST", path, body.dump(), "application/json", headers);
}

Answer ApiClient::patch(const std::string& path, const Json& body, const httplib::Headers& headers) {
  return send("PATCH", path, body.dump(), "application/json", headers);
}

const clinic::User& ClinicStaff::with_role(clinic::Role role) const {
  switch (role) {
    case clinic::Role::admin: return admin;
    case clinic::Role::clinician: return clinician;
    case clinic::Role::assistant: return assistant;
  }
  return assistant;
}

TestServer::TestServer(store::Engine engine, std::function<void(server::ServeOptions&)> configure)
    : record_(std::make_unique<TestRecord>(engine)) {
  server::ServeOptions options;
  options.location = record_->location();
  options.http.host = "127.0.0.1";
  options.http.port = 0;
  options.http.threads = 16;
  options.workers = 1;
  options.kb_dir = std::filesystem::path(SCARSCOPE_SOURCE_DIR) / "kb";
  options.clock = &record_->clock();
  options.database_connections = 8;
  if (configure) configure(options);
  server_ = std::make_unique<server::ClinicServer>(std::move(options));
  north = add_clinic_with_staff(server_->store(), "North");
  south = add_clinic_with_staff(server_->store(), "South");
  port_ = server_->bind();
  thread_ = std::thread([this] { server_->run(); });
  while (!server_->is_serving()) std::this_thread::yield();
}

TestServer::~TestServer() { stop(); }

void TestServer::stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

std::map<std::string, std::int64_t> TestServer::counts() {
  server_->flush_audit();
  return record_counts(server_->store());
}

Json TestServer::wait_for_job(ApiClient& api, const std::string& job_id) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  while (true) {
    const std::uint64_t seen = server_->job_attempts_ended();
    auto job = store().read_system([&](const store::SystemReader& tx) { return tx.job(job_id); });
    if (!job) throw std::runtime_error("no job " + job_id);
    if (job->state != clinic::JobState::queued && job->state != clinic::JobState::running) break;
    if (std::chrono::steady_clock::now() > give_up) throw std::runtime_error("job " + job_id + " did not end");
    server_->wait_for_job_attempts(seen, std::chrono::seconds(1));
  }
  Answer answer = api.get("/api/v1/jobs/" + job_id);
  if (answer.status != 200) throw std::runtime_error("GET job " + job_id + ": " + answer.body);
  return answer.json;
}

void TestServer::wait_for_all_jobs() {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::minutes(5);
  while (true) {
    const std::uint64_t seen = server_->job_attempts_ended();
    auto counts = store().read_system([](const store::SystemReader& tx) { return tx.job_counts(); });
    if (counts[clinic::JobState::queued] == 0 && counts[clinic::JobState::running] == 0) return;
    if (std::chrono::steady_clock::now() > give_up) throw std::runtime_error("jobs did not end");
    server_->wait_for_job_attempts(seen, std::chrono::seconds(1));
  }
}

std::string TestServer::login(const clinic::User& user) {
  Answer answer = client().post("/api/v1/login", {{"email", user.email}, {"password", test_password}});
  if (answer.status != 200) throw std::runtime_error("login of " + user.email + " failed: " + answer.body);
  return answer.json["token"].get<std::string>();
}

ApiClient TestServer::client_as(const clinic::User& user) {
  ApiClient api = client();
  api.bearer(login(user));
  return api;
}

const std::string& synthetic_scan_x3p(std::uint64_t seed, double response, double width_mm) {
  static std::mutex mutex;
  static std::map<std::tuple<std::uint64_t, double, double>, std::string> made;
  std::lock_guard lock(mutex);
  auto key = std::make_tuple(seed, response, width_mm);
  auto found = made.find(key);
  if (found != made.end()) return found->second;
  synth::SynthRequest request;
  request.preset = "cheek";
  request.seed = seed;
  request.width_mm = width_mm;
  request.height_mm = width_mm;
  request.spacing_um = 40.0;
  synth::SyntheticScan scan;
  if (response == 1.0) {
    scan = synth::generate_scan(request);
  } else {
    synth::FollowupRequest followup;
    followup.seed = seed + 100;
    followup.global_response = response;
    followup.max_shift_mm = 0.5;
    followup.max_rotation_deg = 1.0;
    scan = synth::generate_followup(request, followup);
  }
  X3pWriteOptions options;
  options.date = "2026-11-02T09:00:00Z";
  return made.emplace(key, write_x3p_bytes(scan.map, options)).first->second;
}

Json complete_patient(const std::string& name) {
  return {{"name", name},
          {"birth_year", 1990},
          {"sex", "female"},
          {"fitzpatrick", 3},
          {"profile",
           {{"active_acne", "none"},
            {"isotretinoin", {{"status", "never"}}},
            {"keloid_history", false},
            {"hsv_history", false},
            {"active_cold_sore", false},
            {"active_skin_infection", false},
            {"pregnant_or_breastfeeding", false},
            {"anticoagulants", false},
            {"bdd_screen_positive", false},
            {"distress_0_10", 4}}}};
}

std::map<std::string, std::int64_t> record_counts(store::Store& store) {
  return store.read_system([](const store::SystemReader& tx) { return tx.record_counts(); });
}

}  // namespace scarscope::test
