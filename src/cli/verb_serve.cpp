// `scarscope serve [--data DIR | --db URL] [--listen ADDR:PORT] [--workers N] ...`: the clinic API
// over HTTP (see README "Clinic server"). Listens on 127.0.0.1:8080 by default; put nginx in front
// for TLS and for anything beyond this machine. SIGINT/SIGTERM stop it gracefully: no new requests,
// running analyses are given back to the queue, queued audit entries are written.
#include <pthread.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/verb.h"
#include "core/error.h"
#include "cli/kb_location.h"
#include "server/clinic_server.h"
#include "server/server_log.h"

namespace scarscope::cli {
namespace {

struct ServeCliOptions {
  std::string data_dir;
  std::string db_url;
  std::string listen = "127.0.0.1:8080";
  int workers = -1;
  int http_threads = 64;
  std::string log_level = "info";
  std::string log_file;
  std::string tls_certificate;
  std::string tls_private_key;
  bool behind_tls_proxy = false;
  std::string web_root;
  double session_hours = 8.0;
  double max_upload_mb = 256.0;
  int audit_flush_ms = 5;
  bool init = false;
};

// "127.0.0.1:8080", "[::1]:8080", ":8080" (all IPv4 interfaces: say so explicitly with 0.0.0.0).
void parse_listen(const std::string& text, server::HttpOptions& http) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 >= text.size())
    throw InputError("--listen must be ADDRESS:PORT (e.g. 127.0.0.1:8080), not '" + text + "'", ErrorCode::bad_input,
                     "--listen");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "127.0.0.1";
  int port = -1;
  try {
    std::size_t used = 0;
    port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1) port = -1;
  } catch (const std::exception&) {
    port = -1;
  }
  if (port < 0 || port > 65535)
    throw InputError("--listen: the port must be 0-65535, not '" + text.substr(colon + 1) + "'", ErrorCode::out_of_range,
                     "--listen");
  http.host = host;
  http.port = port;
}

int run_serve(const ServeCliOptions& cli) {
  server::configure_log(server::parse_log_level(cli.log_level), cli.log_file);
  server::ServeOptions options;
  options.location = store::StoreLocation::from_options(cli.data_dir, cli.db_url);
  parse_listen(cli.listen, options.http);
  if (cli.workers < -1) throw InputError("--workers must be 0 or more", ErrorCode::out_of_range, "--workers");
  if (cli.workers >= 0) options.workers = cli.workers;
  if (cli.http_threads < 8 || cli.http_threads > 4096)
    throw InputError("--http-threads must be 8-4096", ErrorCode::out_of_range, "--http-threads");
  options.http.threads = cli.http_threads;
  options.http.tls_certificate = cli.tls_certificate;
  options.http.tls_private_key = cli.tls_private_key;
  options.http.behind_tls_proxy = cli.behind_tls_proxy;
  options.http.web_root = cli.web_root;
  if (!(cli.session_hours > 0.0 && cli.session_hours <= 24.0 * 30))
    throw InputError("--session-hours must be more than 0 and at most 720", ErrorCode::out_of_range, "--session-hours");
  options.policy.session_lifetime = std::chrono::seconds(static_cast<long long>(cli.session_hours * 3600.0));
  if (!(cli.max_upload_mb >= 1.0 && cli.max_upload_mb <= 65536.0))
    throw InputError("--max-upload-mb must be 1-65536", ErrorCode::out_of_range, "--max-upload-mb");
  options.http.max_upload_bytes = static_cast<std::size_t>(cli.max_upload_mb * 1024.0 * 1024.0);
  if (cli.audit_flush_ms < 0 || cli.audit_flush_ms > 600000)
    throw InputError("--audit-flush-ms must be 0-600000", ErrorCode::out_of_range, "--audit-flush-ms");
  options.audit_interval = std::chrono::milliseconds(cli.audit_flush_ms);
  options.kb_dir = knowledge_base_dir();
  options.create = cli.init;

  // SIGINT and SIGTERM go to one thread that asks the server to stop; every other thread (made
  // after this point) has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::ClinicServer server(std::move(options));
  const int port = server.bind();
  std::atomic<bool> finished{false};
  std::thread signal_watcher([&] {
    int received = 0;
    while (sigwait(&signals, &received) == 0) {
      if (finished.load()) return;
      server.stop();
    }
  });
  std::cout << "ScarScope " SCARSCOPE_VERSION " serving " << server.store().location().describe() << " ("
            << store::engine_name(server.store().engine()) << ") on " << (cli.tls_certificate.empty() ? "http" : "https")
            << "://" << cli.listen.substr(0, cli.listen.rfind(':') + 1) << port << "/api/v1/ with "
            << server.worker_count() << " analysis worker(s); Ctrl-C stops" << std::endl;
  server.run();
  finished = true;
  pthread_kill(signal_watcher.native_handle(), SIGTERM);
  signal_watcher.join();
  return 0;
}

VerbRunner setup(CLI::App& app) {
  auto options = std::make_shared<ServeCliOptions>();
  app.add_option("--data", options->data_dir, "The record's data folder (SQLite); default ./scarscope-data");
  app.add_option("--db", options->db_url, "A PostgreSQL record: postgresql://USER@HOST[:PORT]/DATABASE");
  app.add_option("--listen", options->listen, "ADDRESS:PORT to listen on (default 127.0.0.1:8080; port 0: any free)");
  app.add_option("--workers", options->workers, "Analysis worker threads (default: cores - 1, at least 1; 0: none)");
  app.add_option("--http-threads", options->http_threads,
                 "Connection threads: clients served at once (default 64)");
  app.add_option("--log-level", options->log_level, "debug, info (every request), warn, error or off");
  app.add_option("--log-file", options->log_file, "Write the log (JSON lines) to this file instead of stderr");
  app.add_option("--tls-cert", options->tls_certificate, "Serve HTTPS with this PEM certificate chain");
  app.add_option("--tls-key", options->tls_private_key, "... and this PEM private key");
  app.add_flag("--behind-tls-proxy", options->behind_tls_proxy,
               "A TLS proxy (nginx) faces the clients: session cookies get the Secure flag, and the "
               "client address comes from its X-Real-IP header");
  app.add_option("--web", options->web_root, "Serve the web UI's built files from this folder at /");
  app.add_option("--session-hours", options->session_hours, "How long a login lasts (default 8)");
  app.add_option("--max-upload-mb", options->max_upload_mb, "Largest scan file accepted, in MiB (default 256; each upload is held in memory while checked)");
  app.add_option("--audit-flush-ms", options->audit_flush_ms,
                 "Read audit entries are written in batches at most this old (default 5 ms)");
  app.add_flag("--init", options->init, "Create an empty SQLite record if the data folder has none");
  return [options] { return run_serve(*options); };
}

const VerbRegistrar registrar{{"serve", "Serve the clinic API (and the web UI) over HTTP", 90, setup}};

}  // namespace
}  // namespace scarscope::cli
