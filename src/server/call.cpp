#include "server/call.h"

namespace scarscope::server {

const std::string& Call::user_id() const {
  static const std::string none;
  return principal ? principal->user_id : none;
}

const Principal& Call::user() const {
  if (!principal) throw ApiError("unauthenticated", "log in first");
  return *principal;
}

const std::string& Call::parameter(std::string_view name) const {
  for (const auto& [key, value] : path_parameters)
    if (key == name) return value;
  throw std::logic_error("route has no path parameter " + std::string(name));
}

Reply Reply::json(const schema::Json& value, int status) {
  Reply reply;
  reply.status = status;
  reply.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return reply;
}

Reply Reply::bytes(std::string body, std::string content_type) {
  Reply reply;
  reply.body = std::move(body);
  reply.content_type = std::move(content_type);
  return reply;
}

}  // namespace scarscope::server
