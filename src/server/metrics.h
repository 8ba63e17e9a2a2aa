// What a `scarscope serve` process counts for GET /api/v1/metrics (the Prometheus text format):
// requests by method, route template and status, their latency, and the duration of the jobs its
// own workers ran. One registry per process, fed by the HTTP server and the job runner; the
// record's numbers (jobs per state, workers' heartbeats) are read from the database when scraped
// (routes_health.cpp), so every server of a deployment reports the same queue.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace scarscope::server {

// Upper bounds (seconds) of the latency histogram's buckets; one more bucket holds the rest.
inline constexpr std::array<double, 13> latency_buckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                           0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
inline constexpr std::array<double, 10> job_buckets = {0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};

class Metrics {
 public:
  // `route`: the route template ("/patients/{id}"), never the concrete path; "-" when none matched.
  void record_request(std::string_view method, std::string_view route, int status, double seconds);
  // A job this process's workers ended: done (true) or a failed attempt.
  void record_job(std::string_view kind, bool done, double seconds);
  // The counters and histograms in the Prometheus text format (version 0.0.4).
  std::string prometheus_text() const;

 private:
  template <std::size_t Buckets>
  struct Histogram {
    std::array<std::uint64_t, Buckets + 1> counts{};
    double sum = 0.0;
    std::uint64_t total = 0;
    void add(const std::array<double, Buckets>& bounds, double value);
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> requests_;  // method, route, status
  std::map<std::string, Histogram<latency_buckets.size()>> latency_;              // by route
  std::map<std::pair<std::string, bool>, Histogram<job_buckets.size()>> jobs_;    // kind, done
};

// The process's registry.
Metrics& process_metrics();

// A Prometheus label value: backslash, double quote and line feed escaped.
std::string prometheus_label(std::string_view value);

}  // namespace scarscope::server
