// Reading and writing height maps in any supported format; the reader is chosen by content
// (magic bytes) first, then by extension. Unit-less formats need their units stated.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "surface/height_map.h"

namespace scarscope {

struct ReadOptions {
  std::optional<std::string> units;  // "m", "mm" or "um": heights (and xyz/ply coordinates) of unit-less files
  std::optional<double> spacing_um;  // grid spacing for CSV, resampling spacing for XYZ/PLY
  std::uint64_t max_points = std::uint64_t{1} << 28;
};

struct WriteOptions {
  std::string date;  // fixed metadata date for reproducible output (X3P); empty = from the map
};

// The format name ("x3p", "tiff", "png", "csv", "xyz", "ply") that would read this file.
// Throws InputError if the file cannot be opened or no reader recognises it.
std::string detect_format(const std::filesystem::path& path);

HeightMap read_height_map(const std::filesystem::path& path, const ReadOptions& options = {});

// Writes in the format named by the extension; returns notes for the user
// (e.g. "CSV carries no units: heights written in micrometres").
std::vector<std::string> write_height_map(const HeightMap& map, const std::filesystem::path& path,
                                          const WriteOptions& options = {});

}  // namespace scarscope
