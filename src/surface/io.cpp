#include "surface/io.h"

#include <algorithm>
#include <cctype>
#include <fstream>

#include "core/error.h"
#include "surface/formats/csv_format.h"
#include "surface/formats/format_common.h"
#include "surface/formats/ply_format.h"
#include "surface/formats/png_format.h"
#include "surface/formats/sidecar.h"
#include "surface/formats/tiff_format.h"
#include "surface/formats/xyz_format.h"
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

// The format the extension names, or empty.
std::string format_from_extension(const std::string& ext) {
  if (ext == ".x3p") return "x3p";
  if (ext == ".tif" || ext == ".tiff") return "tiff";
  if (ext == ".png") return "png";
  if (ext == ".csv") return "csv";
  if (ext == ".xyz") return "xyz";
  if (ext == ".ply") return "ply";
  return "";
}

const char* kSupported = "X3P, float TIFF, 16-bit PNG + sidecar, CSV grid, XYZ points, PLY";

}  // namespace

std::string detect_format(const fs::path& path) {
  const std::string head = read_prefix(path, 16);
  // Content first: the signature says what the file is, whatever its name.
  if (looks_like_zip(head)) return "x3p";
  if (formats::looks_like_tiff(head)) return "tiff";
  if (formats::looks_like_png(head)) return "png";
  if (formats::looks_like_ply(head)) return "ply";
  const std::string ext = lower_extension(path);
  const std::string by_extension = format_from_extension(ext);
  if (by_extension == "csv" || by_extension == "xyz") return by_extension;  // text has no signature
  if (head.empty()) throw InputError(path.string() + ": the file is empty");
  if (!by_extension.empty()) {
    throw InputError(path.string() + ": the name says " + by_extension +
                     " but the content does not start like one (truncated, or another kind of file)");
  }
  throw InputError(path.string() + ": not a height map format ScarScope reads (" + kSupported +
                   "); text grids must be named .csv, text points .xyz");
}

HeightMap read_height_map(const fs::path& path, const ReadOptions& options) {
  const std::string format = detect_format(path);
  if (format == "x3p") {
    X3pReadOptions x3p;
    x3p.max_points = options.max_points;
    return read_x3p(path, x3p);
  }
  const std::string name = path.string();
  const std::optional<formats::Sidecar> sidecar = formats::find_sidecar(path);
  const formats::Sidecar* side = sidecar ? &*sidecar : nullptr;
  const std::string bytes = formats::read_file_bytes(path);
  HeightMap map;
  if (format == "tiff") {
    map = formats::read_tiff_bytes(bytes, name, options, side);
  } else if (format == "png") {
    map = formats::read_png_bytes(bytes, name, options, side);
  } else if (format == "csv") {
    map = formats::read_csv_text(bytes, name, options, side);
  } else if (format == "xyz") {
    map = formats::read_xyz_text(bytes, name, options, side);
  } else if (format == "ply") {
    map = formats::read_ply_bytes(bytes, name, options, side);
  } else {
    throw InputError(name + ": no reader for format " + format);
  }
  if (side) map.metadata.warnings.push_back("units and spacing from the sidecar " + side->name);
  return map;
}

std::vector<std::string> write_height_map(const HeightMap& map, const fs::path& path, const WriteOptions& options) {
  const std::string format = format_from_extension(lower_extension(path));
  if (format == "x3p") {
    X3pWriteOptions x3p;
    x3p.date = options.date;
    write_x3p(map, path, x3p);
    return {};
  }
  if (format == "tiff") return formats::write_tiff(map, path);
  if (format == "png") return formats::write_png_height_map(map, path);
  if (format == "csv") return formats::write_csv(map, path);
  if (format == "xyz") return formats::write_xyz(map, path);
  throw InputError(path.string() + ": cannot write this format (by extension '" + lower_extension(path) +
                   "'); use .x3p, .tif, .png, .csv or .xyz");
}

}  // namespace scarscope
