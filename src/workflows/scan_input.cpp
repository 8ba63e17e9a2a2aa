#include "workflows/scan_input.h"

#include <string_view>

#include "core/error.h"
#include "surface/x3p.h"

namespace scarscope {

ScanInput ScanInput::file(std::filesystem::path path, ReadOptions read) {
  ScanInput scan;
  scan.path = std::move(path);
  scan.read = std::move(read);
  return scan;
}

ScanInput ScanInput::memory(std::span<const std::byte> bytes, std::string name, std::string format, ReadOptions read) {
  ScanInput scan;
  scan.bytes = bytes;
  scan.name = std::move(name);
  scan.format = std::move(format);
  scan.read = std::move(read);
  return scan;
}

std::string ScanInput::display_name() const {
  if (!name.empty()) return name;
  if (!path.empty()) return path.filename().string();
  return "scan";
}

HeightMap read_scan(const ScanInput& scan) {
  if (scan.bytes.empty()) {
    if (scan.path.empty()) throw InputError("no scan given: neither bytes nor a file", ErrorCode::missing_field, "scan");
    HeightMap map = read_height_map(scan.path, scan.read);
    if (!scan.name.empty()) map.metadata.source_file = scan.name;
    return map;
  }
  const std::string name = scan.display_name();
  const std::string_view text(reinterpret_cast<const char*>(scan.bytes.data()), scan.bytes.size());
  const bool x3p = scan.format == "x3p" || (scan.format.empty() && looks_like_zip(text.substr(0, 4)));
  if (!x3p) {
    throw InputError(name + ": only X3P scans can be read from memory in this build; give the file's path for " +
                         (scan.format.empty() ? std::string("other formats") : scan.format),
                     ErrorCode::unsupported, "format");
  }
  X3pReadOptions options;
  options.max_points = scan.read.max_points;
  HeightMap map = read_x3p_bytes(text, name, options);
  map.metadata.source_file = name;
  return map;
}

}  // namespace scarscope
