#include "server/route_table.h"

#include <algorithm>
#include <stdexcept>

namespace scarscope::server {

namespace {

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

bool Route::allows(clinic::Role role) const {
  return roles.empty() || std::find(roles.begin(), roles.end(), role) != roles.end();
}

std::optional<std::vector<std::string_view>> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    if (end == start) return std::nullopt;  // "//" or a trailing "/"
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

void RouteTable::add(Route route) {
  auto segments = split_path(route.path);
  if (!segments) throw std::logic_error("route path is malformed: " + route.path);
  Pattern pattern;
  for (std::string_view segment : *segments) pattern.segments.emplace_back(segment);
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    if (routes_[index].method == route.method && patterns_[index].segments.size() == pattern.segments.size()) {
      bool same = true;
      for (std::size_t at = 0; at < pattern.segments.size() && same; ++at) {
        const std::string& a = patterns_[index].segments[at];
        const std::string& b = pattern.segments[at];
        same = a == b || (is_parameter(a) && is_parameter(b));
      }
      if (same) throw std::logic_error("two routes for " + route.method + " " + route.path);
    }
  }
  routes_.push_back(std::move(route));
  patterns_.push_back(std::move(pattern));
}

RouteMatch RouteTable::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  const auto segments = split_path(path);
  if (!segments) return result;
  // Literal segments beat parameters: of the routes that match, the one with the most literal
  // segments wins (so "/patients/search" would never be read as a patient id).
  int best_literals = -1;
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    const Pattern& pattern = patterns_[index];
    if (pattern.segments.size() != segments->size()) continue;
    int literals = 0;
    bool matches = true;
    for (std::size_t at = 0; at < segments->size() && matches; ++at) {
      if (is_parameter(pattern.segments[at])) continue;
      matches = pattern.segments[at] == (*segments)[at];
      ++literals;
    }
    if (!matches) continue;
    if (routes_[index].method != method) {
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), routes_[index].method) ==
          result.allowed_methods.end())
        result.allowed_methods.push_back(routes_[index].method);
      continue;
    }
    if (literals <= best_literals) continue;
    best_literals = literals;
    result.route = &routes_[index];
    result.parameters.clear();
    for (std::size_t at = 0; at < segments->size(); ++at) {
      const std::string& segment = pattern.segments[at];
      if (is_parameter(segment))
        result.parameters.emplace_back(segment.substr(1, segment.size() - 2), std::string((*segments)[at]));
    }
  }
  return result;
}

}  // namespace scarscope::server
