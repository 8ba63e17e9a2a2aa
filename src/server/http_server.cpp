#include "server/http_server.h"

#include <httplib.h>
#include <sodium.h>

#include <sys/socket.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <stdexcept>

#include "clinic/ids.h"
#include "core/error.h"
#include "server/api_error.h"
#include "server/metrics.h"
#include "server/server_log.h"
#include "server/session_cookies.h"
#include "server/thread_slice.h"

namespace scarscope::server {

namespace {

using Json = nlohmann::json;

// Request ids: a random per-process prefix and a counter; unique, opaque, cheap.
std::string next_request_id() {
  static const std::string prefix = clinic::new_record_id().substr(0, 8);
  static std::atomic<std::uint64_t> counter{0};
  char digits[17];
  std::snprintf(digits, sizeof digits, "%08llx", static_cast<unsigned long long>(++counter));
  return prefix + "-" + digits;
}

void set_security_headers(httplib::Response& response, bool secure, bool api) {
  // An API answer is data, never a page: it may load nothing and be framed by nobody.
  response.set_header("Content-Security-Policy",
                      api ? "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
                          : "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
                            "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; "
                            "form-action 'self'");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("X-Frame-Options", "DENY");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cross-Origin-Resource-Policy", "same-origin");
  response.set_header("Cross-Origin-Opener-Policy", "same-origin");
  if (api) response.set_header("Cache-Control", "no-store");
  if (secure) response.set_header("Strict-Transport-Security", "max-age=31536000");
}

std::string content_type_base(const std::string& header) {
  std::string base = header.substr(0, header.find(';'));
  while (!base.empty() && base.back() == ' ') base.pop_back();
  for (char& c : base) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return base;
}

// A query value, typed by its schema ("integer", "number", "boolean" or string).
Json typed_query_value(const std::string& text, const Json& schema, const std::string& name) {
  const std::string type = schema.value("type", "string");
  if (type == "integer") {
    long long value = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || stop != end)
      throw InputError("query parameter '" + name + "' must be an integer", ErrorCode::wrong_type, name);
    return value;
  }
  if (type == "number") {
    try {
      std::size_t used = 0;
      const double value = std::stod(text, &used);
      if (used == text.size()) return value;
    } catch (const std::exception&) {
    }
    throw InputError("query parameter '" + name + "' must be a number", ErrorCode::wrong_type, name);
  }
  if (type == "boolean") {
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
    throw InputError("query parameter '" + name + "' must be true or false", ErrorCode::wrong_type, name);
  }
  return text;
}

// httplib's thread pool, each of whose threads first asks for the configured scheduler slice.
class SlicedThreadPool final : public httplib::TaskQueue {
 public:
  SlicedThreadPool(std::size_t threads, std::chrono::microseconds slice) : pool_(threads), slice_(slice) {}
  void enqueue(std::function<void()> task) override {
    pool_.enqueue([task = std::move(task), slice = slice_] {
      thread_local bool asked = false;
      if (!asked && slice.count() > 0) set_thread_slice(slice);
      asked = true;
      task();
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  std::chrono::microseconds slice_;
};

}  // namespace

struct HttpServer::Impl {
  const RouteTable& routes;
  HttpOptions options;
  Authenticate authenticate;
  RequestScope read_scope;
  const clinic::Clock& clock;
  std::unique_ptr<httplib::Server> server;
  bool secure = false;
  int listen_socket = -1;  // set while binding, for the backlog
  schema::Json object_schema = schema::object({});

  Impl(const RouteTable& table, HttpOptions opts, Authenticate auth, const clinic::Clock& time, RequestScope scope)
      : routes(table), options(std::move(opts)), authenticate(std::move(auth)), read_scope(std::move(scope)),
        clock(time) {}

  // Everything one request needs while it is handled.
  struct Exchange {
    Exchange(const httplib::Request& in, httplib::Response& out, const httplib::ContentReader* body)
        : request(in), response(out), reader(body) {}
    const httplib::Request& request;
    httplib::Response& response;
    const httplib::ContentReader* reader;  // null for GET
    bool body_read = false;                // the whole body was consumed
    std::string request_id;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::string route_name = "-";
    std::string user_id;
    std::string error_code;
  };

  void configure() {
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    if (!options.tls_certificate.empty() || !options.tls_private_key.empty()) {
      if (options.tls_certificate.empty() || options.tls_private_key.empty())
        throw InputError("TLS needs both --tls-cert and --tls-key", ErrorCode::missing_field, "--tls-key");
      auto tls = std::make_unique<httplib::SSLServer>(options.tls_certificate.c_str(),
                                                      options.tls_private_key.c_str());
      if (!tls->is_valid())
        throw InputError("the TLS certificate or key could not be loaded (" + options.tls_certificate + ", " +
                             options.tls_private_key + ")",
                         ErrorCode::bad_format, "--tls-cert");
      server = std::move(tls);
      secure = true;
    }
#endif
    if (!server) server = std::make_unique<httplib::Server>();
    secure = secure || options.behind_tls_proxy;
    const int threads = std::max(options.threads, 1);
    server->new_task_queue = [threads, slice = options.connection_thread_slice] {
      return new SlicedThreadPool(static_cast<std::size_t>(threads), slice);
    };
    server->set_tcp_nodelay(true);
    // Debian's httplib (0.11) listens with a backlog of 5 and SO_REUSEPORT. With 32 clients
    // connecting at once the accept queue overflows: the kernel drops the handshake's last ACK and
    // the client's first request waits for a retransmission (~200 ms, wrk's slowest request in
    // every run; TcpExtListenOverflows counted them). bind() listens again with SOMAXCONN. And
    // SO_REUSEADDR instead of SO_REUSEPORT, so that a second server on the same port fails to
    // start instead of silently sharing the port.
    server->set_socket_options([this](int socket) {
      int yes = 1;
      setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
      listen_socket = socket;
    });
    server->set_keep_alive_max_count(options.keep_alive_max_requests);
    server->set_keep_alive_timeout(options.keep_alive_timeout.count());
    server->set_read_timeout(options.read_timeout.count(), 0);
    server->set_write_timeout(options.write_timeout.count(), 0);
    // The largest body of any route; each route's own limit is checked while reading.
    server->set_payload_max_length(std::max(options.max_upload_bytes, options.max_json_bytes));
    if (!options.web_root.empty()) {
      if (!server->set_mount_point("/", options.web_root))
        throw InputError("the web folder does not exist: " + options.web_root, ErrorCode::not_found, "--web");
      server->set_file_request_handler([this](const httplib::Request&, httplib::Response& response) {
        set_security_headers(response, secure, false);
      });
    }

    auto without_body = [this](const httplib::Request& request, httplib::Response& response) {
      handle(request, response, nullptr);
    };
    auto with_body = [this](const httplib::Request& request, httplib::Response& response,
                            const httplib::ContentReader& reader) { handle(request, response, &reader); };
    server->Get(".*", without_body);
    server->Post(".*", with_body);
    server->Patch(".*", with_body);
    server->Put(".*", with_body);
    server->Delete(".*", with_body);
    server->Options(".*", without_body);
    // Answers httplib gives on its own (a request line that does not parse, a body over the
    // limit, an unknown method) still get a JSON error body.
    server->set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& request,
                                                                           httplib::Response& response) {
      if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      std::string code = "bad_input";
      std::string detail = "the request could not be read as HTTP";
      if (response.status == 413) {
        code = "too_large";
        detail = "the body is larger than the server accepts";
      } else if (response.status == 414) {
        code = "too_large";
        detail = "the request target is too long";
      } else if (response.status == 404) {
        code = "not_found";
        detail = "no such route";
      } else if (response.status >= 500) {
        code = "internal";
        detail = "internal error";
      }
      response.set_content(error_body(code, detail, ""), "application/json");
      set_security_headers(response, secure, true);
      const std::string id = next_request_id();
      response.set_header("X-Request-Id", id);
      log_request({id, request.method, "-", response.status, 0.0, "", code, response.body.size()});
      return httplib::Server::HandlerResponse::Handled;
    }));
  }

  // Reads the rest of the body into `text`. Past `limit` the bytes are read and dropped, so the
  // connection stays in step for the next request, and the request is refused afterwards.
  void read_body(Exchange& exchange, std::string& text, std::size_t limit) {
    if (exchange.reader == nullptr || exchange.body_read) return;
    bool over = false;
    exchange.body_read = true;
    const bool complete = (*exchange.reader)([&](const char* data, std::size_t size) {
      if (!over && text.size() + size <= limit) {
        text.append(data, size);
      } else {
        over = true;
      }
      return true;
    });
    if (over || exchange.response.status == 413)
      throw ApiError("too_large", "the body is larger than " + std::to_string(limit) + " bytes");
    if (!complete) throw ApiError("bad_format", "the body ended before its announced length");
  }

  UploadedFile read_file(Exchange& exchange, const FileSink& sink) {
    if (exchange.reader == nullptr || exchange.body_read) throw ApiError("missing_field", "no file in the body", "file");
    exchange.body_read = true;  // from here on the reader has the stream; never drained again
    UploadedFile file;
    std::size_t received = 0;
    bool over = false;
    bool stopped = false;
    bool saw_file = false;
    bool in_file_part = false;
    std::exception_ptr sink_error;
    // Past the limit, or once the sink refused, the rest is read and dropped (the connection
    // stays in step); the upload is refused when the body has ended.
    auto deliver = [&](const char* data, std::size_t size) {
      received += size;
      if (over || stopped) return true;
      if (received > options.max_upload_bytes) {
        over = true;
        return true;
      }
      try {
        if (!sink(std::string_view(data, size))) stopped = true;
      } catch (...) {
        // Kept until the body has ended, so the connection stays in step.
        sink_error = std::current_exception();
        stopped = true;
      }
      return true;
    };
    bool complete = false;
    if (exchange.request.is_multipart_form_data()) {
      complete = (*exchange.reader)(
          [&](const httplib::MultipartFormData& part) {
            in_file_part = part.name == "file";
            if (in_file_part) {
              if (saw_file) return false;  // one file per upload
              saw_file = true;
              file.file_name = part.filename;
              file.content_type = part.content_type;
            }
            return true;
          },
          [&](const char* data, std::size_t size) {
            if (!in_file_part) return true;  // other parts are ignored
            return deliver(data, size);
          });
      if (complete && !saw_file) throw ApiError("missing_field", "the multipart body has no part named 'file'", "file");
    } else {
      file.content_type = exchange.request.get_header_value("Content-Type");
      complete = (*exchange.reader)(deliver);
    }
    if (over || exchange.response.status == 413)
      throw ApiError("too_large", "the file is larger than " + std::to_string(options.max_upload_bytes) + " bytes",
                     "file");
    if (sink_error) std::rethrow_exception(sink_error);
    if (stopped) throw ApiError("bad_format", "the upload was refused while it was read", "file");
    if (!complete) throw ApiError("bad_format", "the upload ended before its announced length", "file");
    return file;
  }

  void check_query(Call& call, const httplib::Request& request) {
    for (auto it = request.params.begin(); it != request.params.end(); it = request.params.upper_bound(it->first)) {
      const std::string& name = it->first;
      const QueryParameter* parameter = nullptr;
      for (const QueryParameter& known : call.route->query)
        if (known.name == name) parameter = &known;
      if (parameter == nullptr) {
        std::string known_names;
        for (const QueryParameter& known : call.route->query)
          known_names += (known_names.empty() ? "" : ", ") + known.name;
        throw InputError("unknown query parameter '" + name + "'" +
                             (known_names.empty() ? std::string(" (this route takes none)")
                                                  : " (known: " + known_names + ")"),
                         ErrorCode::unknown_field, name);
      }
      if (request.params.count(name) > 1)
        throw InputError("query parameter '" + name + "' is given more than once", ErrorCode::bad_input, name);
      Json value = typed_query_value(it->second, parameter->schema, name);
      routes.components().validate(value, parameter->schema, name);
      call.query[name] = std::move(value);
    }
    for (const QueryParameter& parameter : call.route->query) {
      if (parameter.required && !call.query.contains(parameter.name))
        throw InputError("query parameter '" + parameter.name + "' is required", ErrorCode::missing_field,
                         parameter.name);
    }
  }

  void check_body(Call& call, Exchange& exchange) {
    const Route& route = *call.route;
    const httplib::Request& request = exchange.request;
    if (route.body == Body::file) return;  // the handler streams it
    const bool has_body = exchange.reader != nullptr &&
                          (request.get_header_value_count("Content-Length") > 0 ||
                           request.get_header_value("Transfer-Encoding") == "chunked");
    if (route.body == Body::none) {
      if (!has_body) return;
      std::string text;
      read_body(exchange, text, 1024);
      if (text.find_first_not_of(" \t\r\n") == std::string::npos) return;
      const Json body = schema::parse_body(text);
      routes.components().validate(body, object_schema);
      return;
    }
    const std::string type = content_type_base(request.get_header_value("Content-Type"));
    if (type != "application/json")
      throw ApiError("unsupported_media_type", "this route takes a JSON body (Content-Type: application/json)");
    std::string text;
    read_body(exchange, text, options.max_json_bytes);
    if (text.empty()) throw InputError("the body is empty; this route takes a JSON object", ErrorCode::missing_field);
    call.body = schema::parse_body(text);
    routes.components().validate(call.body, route.request_schema);
  }

  void authenticate_call(Call& call, Exchange& exchange) {
    const httplib::Request& request = exchange.request;
    std::optional<std::string> token;
    bool by_cookie = false;
    if (request.has_header("Authorization")) {
      token = bearer_token(request.get_header_value("Authorization"));
      if (!token) throw ApiError("unauthenticated", "the Authorization header must be 'Bearer TOKEN'");
    } else if (request.has_header("Cookie")) {
      token = cookie_value(request.get_header_value("Cookie"), session_cookie_name);
      by_cookie = token.has_value();
    }
    if (!token || token->empty())
      throw ApiError("unauthenticated", "log in first: POST /api/v1/login, then send the token or the cookie");
    if (token->size() > 256) throw ApiError("unauthenticated", "the session has expired or was ended; log in again");
    call.principal = authenticate(*token, by_cookie);
    if (!call.principal) throw ApiError("unauthenticated", "the session has expired or was ended; log in again");
    exchange.user_id = call.principal->user_id;
    if (!call.route->allows(call.principal->role))
      throw ApiError("forbidden", "the role '" + std::string(role_label(call.principal->role)) +
                                      "' may not use " + call.route->method + " " + call.route->path);
    if (by_cookie && call.route->changes_data() &&
        !csrf_token_matches(*token, request.get_header_value(std::string(csrf_header_name).c_str())))
      throw ApiError("csrf_failed",
                     "a change made with the session cookie needs the header X-CSRF-Token (the csrf_token of the login)");
  }

  static std::string_view role_label(clinic::Role role) {
    switch (role) {
      case clinic::Role::admin: return "admin";
      case clinic::Role::clinician: return "clinician";
      case clinic::Role::assistant: return "assistant";
    }
    return "?";
  }

  void answer_error(Exchange& exchange, const ApiError& error) {
    exchange.error_code = error.code();
    httplib::Response& response = exchange.response;
    response.status = error.status();
    response.set_content(error_body(error.code(), error.what(), error.field()), "application/json");
    if (error.code() == "rate_limited") response.set_header("Retry-After", "60");
  }

  void handle(const httplib::Request& request, httplib::Response& response, const httplib::ContentReader* reader) {
    Exchange exchange(request, response, reader);
    exchange.request_id = next_request_id();
    response.status = 200;
    const std::string_view path = request.path;
    try {
      if (path.substr(0, api_prefix.size()) != api_prefix ||
          (path.size() > api_prefix.size() && path[api_prefix.size()] != '/'))
        throw ApiError("not_found", "no such route: the API is under " + std::string(api_prefix));
      const RouteMatch match = routes.match(request.method, path.substr(api_prefix.size()));
      if (match.route == nullptr) {
        if (!match.allowed_methods.empty()) {
          std::string allowed;
          for (const std::string& method : match.allowed_methods) allowed += (allowed.empty() ? "" : ", ") + method;
          response.set_header("Allow", allowed);
          throw ApiError("method_not_allowed", request.method + " is not allowed here (allowed: " + allowed + ")");
        }
        throw ApiError("not_found", "no such route");
      }
      Call call;
      call.route = match.route;
      exchange.route_name = match.route->path;
      call.request_id = exchange.request_id;
      call.method = request.method;
      // Behind a proxy every connection comes from the proxy: its X-Real-IP names the client (for
      // the login limits per address). Trusted only when the server was told it is behind one.
      call.client_address = request.remote_addr;
      if (options.behind_tls_proxy && request.has_header("X-Real-IP"))
        call.client_address = request.get_header_value("X-Real-IP").substr(0, 64);
      call.now = clock.now();
      call.secure = secure;
      call.path_parameters = match.parameters;
      for (const auto& [name, value] : call.path_parameters) {
        // Only an id of the record's shape can name anything: "../x", "%00", a name... cannot.
        if (!clinic::is_record_id(value)) throw ApiError("not_found", "no such " + name + ": '" + value.substr(0, 40) + "'", name);
      }
      call.header = [&request](std::string_view name) { return request.get_header_value(std::string(name).c_str()); };
      call.read_file = [this, &exchange](const FileSink& sink) { return read_file(exchange, sink); };
      // A route that only reads (it has no body to wait for) runs its session check and its read
      // in one transaction; the scope ends with the handler, before the answer is sent.
      std::shared_ptr<void> scope;
      if (read_scope && !match.route->is_public() && !match.route->changes_data()) scope = read_scope();
      if (!match.route->is_public()) authenticate_call(call, exchange);
      check_query(call, request);
      check_body(call, exchange);
      Reply reply = match.route->handler(call);
      scope.reset();
      response.status = reply.status;
      for (auto& [name, value] : reply.headers) response.set_header(name.c_str(), value);
      if (reply.status != 204) response.set_content(std::move(reply.body), reply.content_type.c_str());
    } catch (...) {
      std::string internal;
      const ApiError error = api_error_from_exception(std::current_exception(), &internal);
      if (!internal.empty())
        log_event(LogLevel::error, "handler_failed",
                  {{"request_id", exchange.request_id}, {"route", exchange.route_name}, {"what", internal}});
      answer_error(exchange, error);
    }
    // A body left unread would be taken for the next request on this connection (httplib keeps
    // it open whatever the answer says): read it to the end and drop it. Its size is bounded by
    // the payload limit; beyond that httplib has refused it already.
    if (reader != nullptr && !exchange.body_read) {
      const int status = response.status;
      (*reader)([](const char*, std::size_t) { return true; });
      response.status = status;
    }
    set_security_headers(response, secure, true);
    response.set_header("X-Request-Id", exchange.request_id);
    const double milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - exchange.started).count();
    // Labels from the route table only (a client's own method or path would grow the registry).
    const bool routed = exchange.route_name != "-";
    process_metrics().record_request(routed ? request.method : "-", exchange.route_name, response.status,
                                     milliseconds / 1000.0);
    if (log_enabled(LogLevel::info) || response.status >= 500) {
      log_request({exchange.request_id, request.method, exchange.route_name, response.status, milliseconds,
                   exchange.user_id, exchange.error_code, response.body.size()});
    }
  }
};

HttpServer::HttpServer(const RouteTable& routes, HttpOptions options, Authenticate authenticate,
                       const clinic::Clock& clock, RequestScope read_scope)
    : impl_(std::make_unique<Impl>(routes, std::move(options), std::move(authenticate), clock, std::move(read_scope))) {
  impl_->configure();
}

HttpServer::~HttpServer() { stop(); }

bool HttpServer::secure() const { return impl_->secure; }

int HttpServer::bind() {
  const HttpOptions& options = impl_->options;
  if (options.port == 0) {
    port_ = impl_->server->bind_to_any_port(options.host.c_str());
  } else {
    port_ = impl_->server->bind_to_port(options.host.c_str(), options.port) ? options.port : -1;
  }
  if (port_ <= 0)
    throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                             " (address in use, or not an address of this machine)");
  // Listening again on a listening socket only changes its backlog (Linux).
  if (impl_->listen_socket >= 0 && ::listen(impl_->listen_socket, SOMAXCONN) != 0)
    throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(port_) +
                             " with a backlog of " + std::to_string(SOMAXCONN));
  return port_;
}

void HttpServer::run() { impl_->server->listen_after_bind(); }

void HttpServer::stop() {
  if (impl_ && impl_->server) impl_->server->stop();
}

bool HttpServer::is_running() const { return impl_->server->is_running(); }

}  // namespace scarscope::server
