#include "surface/io.h"

#include <algorithm>
#include <cctype>
#include <fstream>

#include "core/error.h"
#include "surface/x3p.h"

namespace scarscope {

namespace fs = std::filesystem;

namespace {

std::string lower_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext;
}

std::string read_prefix(const fs::path& path, std::size_t count) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path.string() + ": no such file");
  if (fs::is_directory(path, ec)) throw InputError(path.string() + ": is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open for reading");
  std::string bytes(count, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(count));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

}  // namespace

std::string detect_format(const fs::path& path) {
  const std::string head = read_prefix(path, 16);
  if (looks_like_zip(head)) return "x3p";
  const std::string ext = lower_extension(path);
  if (ext == ".x3p") return "x3p";
  throw InputError(path.string() + ": not a height map format ScarScope reads (expected X3P)");
}

HeightMap read_height_map(const fs::path& path, const ReadOptions& options) {
  const std::string format = detect_format(path);
  if (format == "x3p") {
    X3pReadOptions x3p;
    x3p.max_points = options.max_points;
    return read_x3p(path, x3p);
  }
  throw InputError(path.string() + ": no reader for format " + format);
}

std::vector<std::string> write_height_map(const HeightMap& map, const fs::path& path,
                                          const WriteOptions& options) {
  const std::string ext = lower_extension(path);
  if (ext == ".x3p") {
    X3pWriteOptions x3p;
    x3p.date = options.date;
    write_x3p(map, path, x3p);
    return {};
  }
  throw InputError(path.string() + ": cannot write this format (by extension '" + ext + "'); use .x3p");
}

}  // namespace scarscope
