// The HTTP side of the server (cpp-httplib, Debian's 0.11): listens, turns each request into a
// Call for the route table (routing, login, role, CSRF, query and body checks, limits), turns the
// handler's Reply or error into the response with the security headers, and logs it. Tuned for
// many keep-alive clients: TCP_NODELAY, a large thread pool, a high keep-alive count.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "clinic/clock.h"
#include "server/call.h"
#include "server/route_table.h"

namespace scarscope::server {

struct HttpOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see HttpServer::port())
  // Connection threads. Each keep-alive connection holds one while it is open, so this is also
  // how many clients are served at once (httplib's default of 8 starves the 9th).
  int threads = 64;
  // The scheduler slice each connection thread asks for (server/thread_slice.h); 0 keeps the
  // kernel's default. 300 us: p99 of the audited read load 7.3-10.3 ms (median 8.2) against
  // 8.4-12.4 ms (median 10.3) with the default 1.4 ms, on 2 cores (bench/RESULTS.md, issue 16).
  std::chrono::microseconds connection_thread_slice{300};
  std::size_t keep_alive_max_requests = 1000000;
  std::chrono::seconds keep_alive_timeout{5};
  std::chrono::seconds read_timeout{30};  // per read of a request (a stalled upload ends here)
  std::chrono::seconds write_timeout{30};
  std::size_t max_json_bytes = std::size_t{1} << 20;   // JSON bodies
  // Scan files. An upload is held in memory once while it is checked, so this also bounds the
  // memory each concurrent upload takes.
  std::size_t max_upload_bytes = std::size_t{256} << 20;
  // TLS: both set -> HTTPS with this certificate chain and key (PEM files).
  std::string tls_certificate;
  std::string tls_private_key;
  // Behind a TLS-terminating proxy (nginx): cookies get Secure although this server speaks HTTP,
  // and the client's address is taken from the proxy's X-Real-IP header.
  bool behind_tls_proxy = false;
  // A folder of static files (the web UI) served at "/"; empty: none.
  std::string web_root;
};

// Finds the user of a session token; nullopt when the token is unknown, expired or revoked.
using Authenticate = std::function<std::optional<Principal>(const std::string& token, bool by_cookie)>;

// Made before a reading route's session check and dropped when its handler returns (the clinic
// server's holds a store::Store::CarriedRead: the check and the route's read share a transaction).
using RequestScope = std::function<std::shared_ptr<void>()>;

class HttpServer {
 public:
  HttpServer(const RouteTable& routes, HttpOptions options, Authenticate authenticate, const clinic::Clock& clock,
             RequestScope read_scope = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the listening socket; throws std::runtime_error naming the address when it cannot.
  // Returns the port (the chosen one when options.port was 0).
  int bind();
  int port() const { return port_; }
  bool secure() const;
  // Serves until stop(); returns when the listener has closed.
  void run();
  // Asks run() to return (safe from any thread, including a signal-watching one).
  void stop();
  bool is_running() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace scarscope::server
