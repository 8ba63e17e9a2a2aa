#include "server/picture_cache.h"

namespace scarscope::server {

std::shared_ptr<const std::string> PictureCache::find(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(key);
  if (found == entries_.end()) return nullptr;
  ages_.splice(ages_.begin(), ages_, found->second.age);
  return found->second.png;
}

void PictureCache::put(const std::string& key, std::string png) {
  if (png.size() > max_bytes_) return;
  auto shared = std::make_shared<const std::string>(std::move(png));
  std::lock_guard lock(mutex_);
  auto found = entries_.find(key);
  if (found != entries_.end()) {
    bytes_ -= found->second.png->size();
    ages_.erase(found->second.age);
    entries_.erase(found);
  }
  ages_.push_front(key);
  bytes_ += shared->size();
  entries_.emplace(key, Entry{std::move(shared), ages_.begin()});
  while (bytes_ > max_bytes_ && !ages_.empty()) {
    auto oldest = entries_.find(ages_.back());
    bytes_ -= oldest->second.png->size();
    entries_.erase(oldest);
    ages_.pop_back();
  }
}

}  // namespace scarscope::server
