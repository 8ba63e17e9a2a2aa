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

RecordScan read_scan_for_record(const ScanInput& scan) {
  RecordScan kept;
  kept.map = read_scan(scan);
  if (kept.map.valid_count() == 0)
    throw InputError(scan.display_name() + ": the scan has no valid point", ErrorCode::bad_input, "file");
  kept.read_as = kept.map.metadata.source_format;
  kept.format = kept.read_as;
  const std::string& f = kept.read_as;
  if (f == "csv" || f == "xyz" || f == "ply" || f == "obj" || f == "stl") {
    // WriteOptions' date left empty: the map's own, so the same upload keeps the same bytes.
    kept.converted = encode_height_map(kept.map, "x3p", WriteOptions{}, scan.display_name()).bytes;
    kept.format = "x3p";
  }
  return kept;
}

}  // namespace scarscope
