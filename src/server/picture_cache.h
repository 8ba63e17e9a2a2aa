// Recently drawn pictures of scans (the shaded relief, the scars outlined on it), kept in memory
// so a scan view does not analyse its scan again each time. The analysis job puts its pictures
// here as it finishes; a miss (another process analysed it, the server restarted, the entry aged
// out) is drawn again on request. Bounded in bytes; the least recently used go first.
#pragma once
#include <cstddef>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace scarscope::server {

class PictureCache {
 public:
  explicit PictureCache(std::size_t max_bytes = std::size_t{128} << 20) : max_bytes_(max_bytes) {}

  // A key says exactly what the picture shows: "relief:SCAN" or "overlay:ASSESSMENT:CORRECTION".
  std::shared_ptr<const std::string> find(const std::string& key);
  void put(const std::string& key, std::string png);

 private:
  struct Entry {
    std::shared_ptr<const std::string> png;
    std::list<std::string>::iterator age;
  };
  std::mutex mutex_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;
  std::map<std::string, Entry> entries_;
  std::list<std::string> ages_;  // most recent first
};

}  // namespace scarscope::server
