// X3P (ISO 25178-72) reader and writer: a zip holding main.xml, bindata/data.bin,
// an optional bindata/valid.bin and md5checksum.hex. Heights come back in micrometres.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "surface/height_map.h"

namespace scarscope {

struct X3pReadOptions {
  // Largest grid accepted (points); a larger claim is refused before anything is allocated.
  std::uint64_t max_points = std::uint64_t{1} << 28;
  // data.bin and valid.bin are inflated this many bytes at a time, each piece converted straight
  // into the height map (and hashed), so the raw data never sits in memory whole. Tests set small
  // values to put values across piece boundaries.
  std::size_t chunk_bytes = std::size_t{256} << 10;
};

struct X3pWriteOptions {
  // 'D' (float64) or 'F' (float32) heights in data.bin. X3P stores metres: float64 metres give
  // back exactly the float32 micrometres written; float32 metres halve the size but may move a
  // height by one float step (about 1e-7 of its value).
  char data_type = 'D';
  // Date written to Record1 (ISO 8601). Empty: the height map's metadata date, else a fixed date,
  // so that the same height map always gives the same bytes.
  std::string date;
};

// Reads an X3P file. Throws InputError naming the file and the problem; UnsupportedError for
// profiles (PRF), point clouds (PCL) and irregular lateral axes. Checksum mismatches are warnings.
HeightMap read_x3p(const std::filesystem::path& path, const X3pReadOptions& options = {});
// The same from bytes in memory; `name` is used in messages (the fuzzer's entry point).
HeightMap read_x3p_bytes(std::string_view bytes, const std::string& name, const X3pReadOptions& options = {});

// Writes a strict, valid X3P with correct checksums; deterministic for the same input.
void write_x3p(const HeightMap& map, const std::filesystem::path& path, const X3pWriteOptions& options = {});
std::string write_x3p_bytes(const HeightMap& map, const X3pWriteOptions& options = {});

// True if the bytes start like a zip archive (X3P files are zips).
bool looks_like_zip(std::string_view first_bytes);

}  // namespace scarscope
