#include "server/server_log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace scarscope::server {

namespace {

std::mutex log_mutex;
std::shared_ptr<spdlog::logger> current_logger;  // guarded by log_mutex on change
std::atomic<int> current_level{static_cast<int>(LogLevel::info)};

spdlog::level::level_enum spdlog_level(LogLevel level) {
  switch (level) {
    case LogLevel::debug: return spdlog::level::debug;
    case LogLevel::info: return spdlog::level::info;
    case LogLevel::warn: return spdlog::level::warn;
    case LogLevel::error: return spdlog::level::err;
    case LogLevel::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::shared_ptr<spdlog::logger> logger() {
  std::lock_guard lock(log_mutex);
  if (!current_logger) {
    current_logger = std::make_shared<spdlog::logger>("scarscope.server", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    current_logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
    current_logger->set_level(spdlog_level(static_cast<LogLevel>(current_level.load())));
    current_logger->flush_on(spdlog::level::info);
  }
  return current_logger;
}

std::string json_quoted(std::string_view text) {
  return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

LogLevel parse_log_level(std::string_view text) {
  if (text == "debug") return LogLevel::debug;
  if (text == "info") return LogLevel::info;
  if (text == "warn") return LogLevel::warn;
  if (text == "error") return LogLevel::error;
  if (text == "off") return LogLevel::off;
  throw InputError("--log-level must be debug, info, warn, error or off", ErrorCode::out_of_range, "--log-level");
}

void configure_log(LogLevel level, const std::string& file) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(file);
  }
  auto created = std::make_shared<spdlog::logger>("scarscope.server", sink);
  created->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  created->set_level(spdlog_level(level));
  created->flush_on(spdlog::level::info);
  std::lock_guard lock(log_mutex);
  current_logger = std::move(created);
  current_level = static_cast<int>(level);
}

bool log_enabled(LogLevel level) {
  return level != LogLevel::off && static_cast<int>(level) >= current_level.load(std::memory_order_relaxed);
}

void log_request(const RequestRecord& record) {
  const LogLevel level = record.status >= 500 ? LogLevel::error : LogLevel::info;
  if (!log_enabled(level)) return;
  char milliseconds[32];
  std::snprintf(milliseconds, sizeof milliseconds, "%.3f", record.milliseconds);
  std::string line = R"("event":"request","request_id":)" + json_quoted(record.request_id) +
                     ",\"method\":" + json_quoted(record.method) + ",\"route\":" + json_quoted(record.route) +
                     ",\"status\":" + std::to_string(record.status) + ",\"ms\":" + milliseconds +
                     ",\"bytes\":" + std::to_string(record.response_bytes);
  if (!record.user_id.empty()) line += ",\"user\":" + json_quoted(record.user_id);
  if (!record.error.empty()) line += ",\"error\":" + json_quoted(record.error);
  logger()->log(spdlog_level(level), line);
}

void log_event(LogLevel level, std::string_view event, const nlohmann::json& fields) {
  if (!log_enabled(level)) return;
  std::string line = "\"event\":" + json_quoted(event);
  for (const auto& [key, value] : fields.items())
    line += "," + json_quoted(key) + ":" + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  logger()->log(spdlog_level(level), line);
}

}  // namespace scarscope::server
