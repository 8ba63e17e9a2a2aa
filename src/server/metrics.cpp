#include "server/metrics.h"

#include <locale>
#include <sstream>

namespace scarscope::server {

template <std::size_t Buckets>
void Metrics::Histogram<Buckets>::add(const std::array<double, Buckets>& bounds, double value) {
  std::size_t bucket = 0;
  while (bucket < Buckets && value > bounds[bucket]) ++bucket;
  ++counts[bucket];
  sum += value;
  ++total;
}

void Metrics::record_request(std::string_view method, std::string_view route, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++requests_[{std::string(method), std::string(route), status}];
  latency_[std::string(route)].add(latency_buckets, seconds);
}

void Metrics::record_job(std::string_view kind, bool done, double seconds) {
  std::lock_guard lock(mutex_);
  jobs_[{std::string(kind), done}].add(job_buckets, seconds);
}

std::string prometheus_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

namespace {

template <class Histogram, std::size_t Buckets>
void write_histogram(std::ostream& out, const std::string& name, const std::string& labels, const Histogram& histogram,
                     const std::array<double, Buckets>& bounds) {
  std::uint64_t cumulative = 0;
  for (std::size_t bucket = 0; bucket < Buckets; ++bucket) {
    cumulative += histogram.counts[bucket];
    out << name << "_bucket{" << labels << ",le=\"" << bounds[bucket] << "\"} " << cumulative << "\n";
  }
  out << name << "_bucket{" << labels << ",le=\"+Inf\"} " << histogram.total << "\n";
  out << name << "_sum{" << labels << "} " << histogram.sum << "\n";
  out << name << "_count{" << labels << "} " << histogram.total << "\n";
}

}  // namespace

std::string Metrics::prometheus_text() const {
  std::ostringstream out;
  out.imbue(std::locale::classic());  // "0.005", whatever the process's locale
  std::lock_guard lock(mutex_);
  out << "# HELP scarscope_http_requests_total Requests answered, by method, route template and status.\n"
         "# TYPE scarscope_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, status] = key;
    out << "scarscope_http_requests_total{method=\"" << prometheus_label(method) << "\",route=\""
        << prometheus_label(route) << "\",status=\"" << status << "\"} " << count << "\n";
  }
  out << "# HELP scarscope_http_request_duration_seconds Time to answer a request, by route template.\n"
         "# TYPE scarscope_http_request_duration_seconds histogram\n";
  for (const auto& [route, histogram] : latency_)
    write_histogram(out, "scarscope_http_request_duration_seconds", "route=\"" + prometheus_label(route) + "\"",
                    histogram, latency_buckets);
  out << "# HELP scarscope_job_duration_seconds Run time of the jobs this process's workers ended, by kind and "
         "outcome.\n"
         "# TYPE scarscope_job_duration_seconds histogram\n";
  for (const auto& [key, histogram] : jobs_)
    write_histogram(out, "scarscope_job_duration_seconds",
                    "kind=\"" + prometheus_label(key.first) + "\",outcome=\"" + (key.second ? "done" : "failed") + "\"",
                    histogram, job_buckets);
  return out.str();
}

Metrics& process_metrics() {
  static Metrics metrics;
  return metrics;
}

}  // namespace scarscope::server
