// A scan given to a workflow: its bytes (an upload, a stored blob: nothing is written to disk to
// read it) or a file, with what the reader needs to know.
#pragma once
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

#include "surface/height_map.h"
#include "surface/io.h"

namespace scarscope {

struct ScanInput {
  // The file's bytes. When empty, the file at `path` is read instead.
  std::span<const std::byte> bytes;
  std::filesystem::path path;
  // The file name results record ("cheek.x3p"); default: the path's file name ("scan" for bytes).
  std::string name;
  // The format ("x3p", "tiff", "png", "csv", "xyz", "ply", "obj", "stl"); empty: recognised from the
  // content, then the name.
  std::string format;
  // Units and spacing of unit-less formats, the largest grid accepted.
  ReadOptions read;
  // With bytes: the text of the file's JSON sidecar (spacing, units, a PNG's height scale), which a
  // file would have beside it as NAME.json. Empty: none.
  std::string sidecar_json;

  static ScanInput file(std::filesystem::path path, ReadOptions read = {});
  // The bytes must outlive the workflow call (they are not copied).
  static ScanInput memory(std::span<const std::byte> bytes, std::string name, std::string format = {},
                          ReadOptions read = {});
  // The name results record.
  std::string display_name() const;
};

// Reads the scan (bytes exactly as a file holding them). Throws InputError naming it.
HeightMap read_scan(const ScanInput& scan);

// A scan as a clinic record keeps it. Files that describe themselves (X3P, TIFF, PNG) are kept as
// they came. Files whose reading needs what the uploader said (a CSV's spacing and unit; the unit
// and resampling spacing of XYZ, PLY, OBJ and STL) are kept as the X3P of the height map read with
// those options, so that every later reader (analysis jobs, reports, pictures) reads the same
// heights without being told again.
struct RecordScan {
  HeightMap map;         // the heights as read
  std::string format;    // the format the kept bytes are in ("x3p" after a conversion)
  std::string read_as;   // the format the given bytes were read as ("obj", ...)
  Bytes converted;       // the bytes to keep when converted; empty: keep the given bytes
  bool was_converted() const { return !converted.empty(); }
};
// Throws InputError naming what is wrong (as read_scan), also for a scan without a valid point.
RecordScan read_scan_for_record(const ScanInput& scan);

}  // namespace scarscope
