#include "scale_support.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace scarscope::test {

namespace {

int exit_status(int pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int free_loopback_port() {
  const int socket = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (socket < 0 || ::bind(socket, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &size) != 0)
    throw std::runtime_error("no free loopback port");
  const int port = ntohs(address.sin_port);
  ::close(socket);
  return port;
}

// Runs a shell command; throws with its output when it fails.
void shell(const std::string& command) {
  const int status = std::system((command + " >/dev/null 2>&1").c_str());
  if (status != 0) throw std::runtime_error("failed (" + std::to_string(status) + "): " + command);
}

}  // namespace

WorkerProcess::WorkerProcess(const TestRecord& record, const std::vector<std::string>& extra_arguments)
    : folder_(std::make_unique<TempDir>()) {
  std::vector<std::string> arguments = {SCARSCOPE_CLI, "worker", "--log-level", "info"};
  if (record.engine() == store::Engine::sqlite) {
    arguments.insert(arguments.end(), {"--data", record.location().data_dir.string()});
  } else {
    arguments.insert(arguments.end(), {"--db", record.location().url});
  }
  arguments.insert(arguments.end(), extra_arguments.begin(), extra_arguments.end());
  pid_ = spawn_in_folder(std::move(arguments), folder_->path(), folder_->path() / "worker.log");
}

WorkerProcess::~WorkerProcess() { kill_hard(); }

std::string WorkerProcess::lease_owner_prefix() const {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host[0] != '\0' ? host : "localhost") + ":" + std::to_string(pid_) + ":";
}

void WorkerProcess::kill_hard() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  exit_status(pid_);
  pid_ = -1;
}

int WorkerProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const int status = exit_status(pid_);
  pid_ = -1;
  return status;
}

int WorkerProcess::wait() {
  if (pid_ <= 0) return -1;
  const int status = exit_status(pid_);
  pid_ = -1;
  return status;
}

std::string WorkerProcess::log() const { return read_text_file(folder_->path() / "worker.log"); }

std::vector<std::string> queue_analysis_jobs(store::Store& store, const ClinicFixture& fixture, int count,
                                             const std::string& scan_bytes, int per_patient) {
  std::vector<std::string> jobs;
  std::string visit_id;
  for (int index = 0; index < count; ++index) {
    if (index % per_patient == 0) {
      const clinic::Patient patient = make_patient(store, fixture, "patient " + std::to_string(index));
      visit_id = make_visit(store, fixture, patient.id).id;
    }
    const clinic::Scan scan = make_scan(store, fixture, visit_id, scan_bytes);  // one blob: the same bytes
    jobs.push_back(store.write(fixture.clinic.id, [&](store::ClinicWriter& tx) {
      return tx.enqueue_job(clinic::JobKind::analysis, scan.id).id;
    }));
  }
  return jobs;
}

std::map<std::string, clinic::Job> all_jobs(store::Store& store) {
  std::map<std::string, clinic::Job> jobs;
  store::JobQuery query;
  query.page.limit = 1000;
  while (true) {
    const store::Page<clinic::Job> page = store.read_system([&](const store::SystemReader& tx) { return tx.jobs(query); });
    for (const clinic::Job& job : page.items) jobs.emplace(job.id, job);
    query.page.offset += static_cast<int>(page.items.size());
    if (page.items.empty() || query.page.offset >= page.total) return jobs;
  }
}

long long owner_number(const TestRecord& record, const std::string& sql) {
  return std::stoll(postgres_admin_query(record.database_name(), sql));
}

OwnPostgres::OwnPostgres() : folder_(std::make_unique<TempDir>()), port_(free_loopback_port()) {
  const char* previous = std::getenv("SCARSCOPE_TEST_POSTGRES_URL");
  previous_url_ = previous != nullptr ? previous : "";
  // The newest server of /usr/lib/postgresql/VERSION/bin.
  int newest = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql")) {
    const int version = std::atoi(entry.path().filename().c_str());
    if (version > newest && std::filesystem::exists(entry.path() / "bin" / "initdb")) {
      newest = version;
      bin_ = (entry.path() / "bin").string();
    }
  }
  if (bin_.empty()) throw std::runtime_error("no PostgreSQL server under /usr/lib/postgresql (package postgresql)");
  const std::string data = (folder_->path() / "data").string();
  // PostgreSQL refuses to run as root: then its folder belongs to the postgres user, who runs it.
  if (::geteuid() == 0) shell("chown postgres:postgres '" + folder_->path().string() + "'");
  shell((::geteuid() == 0 ? "runuser -u postgres -- " : "") + bin_ + "/initdb -D '" + data +
        "' -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync");
  start();
  ::setenv("SCARSCOPE_TEST_POSTGRES_URL", ("postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/postgres").c_str(), 1);
}

OwnPostgres::~OwnPostgres() {
  try {
    stop();
  } catch (const std::exception&) {
  }
  if (previous_url_.empty()) ::unsetenv("SCARSCOPE_TEST_POSTGRES_URL");
  else ::setenv("SCARSCOPE_TEST_POSTGRES_URL", previous_url_.c_str(), 1);
}

void OwnPostgres::pg_ctl(const std::string& action) {
  const std::string folder = folder_->path().string();
  shell((::geteuid() == 0 ? "runuser -u postgres -- " : "") + bin_ + "/pg_ctl -D '" + folder + "/data' -l '" + folder +
        "/server.log' -w -t 60 " + action);
}

void OwnPostgres::start() {
  if (running_) return;
  pg_ctl("-o '-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " + folder_->path().string() +
         " -c fsync=off -c synchronous_commit=off -c max_connections=100' start");
  running_ = true;
}

void OwnPostgres::stop() {
  if (!running_) return;
  pg_ctl("-m fast stop");
  running_ = false;
}

}  // namespace scarscope::test
