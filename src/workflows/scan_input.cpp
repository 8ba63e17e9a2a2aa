#include "workflows/scan_input.h"

#include "core/error.h"

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
  ByteSource source;
  source.name = scan.display_name();
  source.format = scan.format;
  source.sidecar_json = scan.sidecar_json;
  HeightMap map = read_height_map(scan.bytes, source, scan.read);
  map.metadata.source_file = source.name;
  return map;
}

}  // namespace scarscope
