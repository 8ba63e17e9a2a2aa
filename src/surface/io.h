// Reading and writing height maps in any supported format, from and to files or bytes in memory
// (an upload held as a blob is read, and a download made, without a temporary file). The reader is
// chosen by content (magic bytes) first, then by a format hint or the name's extension. Unit-less
// formats need their units stated (options or a sidecar).
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"
#include "surface/height_map.h"

namespace scarscope {

struct ReadOptions {
  std::optional<std::string> units;  // "m", "mm" or "um": heights (and xyz/ply coordinates) of unit-less files
  std::optional<double> spacing_um;  // grid spacing for CSV, resampling spacing for XYZ/PLY/OBJ/STL
  std::uint64_t max_points = std::uint64_t{1} << 28;
};

struct WriteOptions {
  std::string date;  // fixed metadata date for reproducible output (X3P); empty = from the map
};

// What comes with bytes held in memory besides the bytes themselves.
struct ByteSource {
  // The file's name, for messages and HeightMap::metadata.source_file ("cheek.png"); its extension
  // names the format of text that has no signature (.csv, .xyz) when `format` is empty.
  std::string name = "upload";
  // "x3p", "tiff", "png", "csv", "xyz", "ply", "obj" or "stl"; empty: from the content, then the name. A hint
  // that contradicts a signature in the content is refused (ErrorCode::bad_format).
  std::string format;
  // The JSON sidecar's text (surface/formats/sidecar.h: spacing, z unit, z scale and offset); a PNG
  // needs one. Empty: none.
  std::string sidecar_json;
};

// The format name ("x3p", "tiff", "png", "csv", "xyz", "ply", "obj", "stl") that would read this file.
// Throws InputError if the file cannot be opened or no reader recognises it.
std::string detect_format(const std::filesystem::path& path);
// The same for bytes in memory (see ByteSource::format for the order of the clues).
std::string detect_format(std::span<const std::byte> bytes, const ByteSource& source);

HeightMap read_height_map(const std::filesystem::path& path, const ReadOptions& options = {});
// Reads bytes in memory exactly as read_height_map reads a file holding them (with its sidecar).
HeightMap read_height_map(std::span<const std::byte> bytes, const ByteSource& source, const ReadOptions& options = {});

// A height map encoded in a file format, in memory.
struct EncodedHeightMap {
  Bytes bytes;
  // The sidecar that goes beside it as NAME.json (TIFF, PNG, CSV: spacing and units; PNG: its
  // height scale too); empty for formats that need none.
  std::string sidecar_json;
  std::vector<std::string> notes;  // for the user ("CSV carries no units: heights written in micrometres ...")
};

// The format the name's extension asks for ("x3p", "tiff", "png", "csv", "xyz"), or empty.
std::string format_from_name(const std::filesystem::path& name);

// Encodes in `format` ("x3p", "tiff", "png", "csv", "xyz"); `name` is used in messages and notes.
// Throws InputError (ErrorCode::unsupported) for a format ScarScope cannot write.
EncodedHeightMap encode_height_map(const HeightMap& map, std::string_view format, const WriteOptions& options = {},
                                   const std::string& name = "height map");

// Writes in the format named by the extension (and the sidecar beside it as PATH.json); returns
// notes for the user (e.g. "CSV carries no units: heights written in micrometres").
std::vector<std::string> write_height_map(const HeightMap& map, const std::filesystem::path& path,
                                          const WriteOptions& options = {});

}  // namespace scarscope
