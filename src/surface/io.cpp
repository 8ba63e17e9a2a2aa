#include "surface/io.h"

#include <algorithm>
#include <cctype>
#include <fstream>

#include "core/error.h"
#include "surface/formats/csv_format.h"
#include "surface/formats/format_common.h"
#include "surface/formats/obj_format.h"
#include "surface/formats/ply_format.h"
#include "surface/formats/png_format.h"
#include "surface/formats/sidecar.h"
#include "surface/formats/stl_format.h"
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
  if (!fs::exists(path, ec)) throw InputError(path.string() + ": no such file", ErrorCode::not_found);
  if (fs::is_directory(path, ec)) throw InputError(path.string() + ": is a folder, not a file", ErrorCode::not_found);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open for reading", ErrorCode::not_found);
  std::string bytes(count, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(count));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

// The format the content's signature names, or empty (text formats have none).
std::string format_from_content(std::string_view head) {
  if (looks_like_zip(head)) return "x3p";
  if (formats::looks_like_tiff(head)) return "tiff";
  if (formats::looks_like_png(head)) return "png";
  if (formats::looks_like_ply(head)) return "ply";
  return "";
}

bool known_format(const std::string& format) {
  return format == "x3p" || format == "tiff" || format == "png" || format == "csv" || format == "xyz" || format == "ply" ||
         format == "obj" || format == "stl";
}

// Formats with no signature in their first bytes: named by the extension or the caller. (A binary
// STL's 80-byte header is free text, and an ASCII one's "solid" can begin a binary one too.)
bool has_no_signature(const std::string& format) {
  return format == "csv" || format == "xyz" || format == "obj" || format == "stl";
}

const char* kSupported = "X3P, float TIFF, 16-bit PNG + sidecar, CSV grid, XYZ points, PLY, OBJ, STL";

// Content first: the signature says what the file is, whatever its name; a format the caller
// states (`hint`) or the extension names is taken for text, which has no signature.
std::string choose_format(std::string_view head, const std::string& hint, const std::string& by_extension,
                          const std::string& name) {
  const std::string by_content = format_from_content(head);
  if (!hint.empty()) {
    if (!known_format(hint)) {
      throw InputError(name + ": '" + hint + "' is not a height map format ScarScope reads (" + kSupported + ")",
                       ErrorCode::unsupported, "format");
    }
    if (!by_content.empty() && by_content != hint) {
      throw InputError(name + ": said to be " + hint + ", but the content is " + by_content, ErrorCode::bad_format,
                       "format");
    }
    if (by_content.empty() && !has_no_signature(hint)) {
      if (head.empty()) throw InputError(name + ": the file is empty", ErrorCode::bad_format);
      throw InputError(name + ": said to be " + hint + ", but the content does not start like one (truncated, or another kind of file)",
                       ErrorCode::bad_format, "format");
    }
    return hint;
  }
  if (!by_content.empty()) return by_content;
  if (has_no_signature(by_extension)) return by_extension;
  if (head.empty()) throw InputError(name + ": the file is empty", ErrorCode::bad_format);
  if (!by_extension.empty()) {
    throw InputError(name + ": the name says " + by_extension +
                         " but the content does not start like one (truncated, or another kind of file)",
                     ErrorCode::bad_format);
  }
  throw InputError(name + ": not a height map format ScarScope reads (" + kSupported +
                       "); text grids must be named .csv, text points .xyz, meshes .obj or .stl",
                   ErrorCode::bad_format);
}

// Every format but X3P, from bytes in memory (X3P has its own streaming file reader).
HeightMap read_format_bytes(const std::string& format, std::string_view bytes, const std::string& name,
                            const ReadOptions& options, const formats::Sidecar* side) {
  HeightMap map;
  if (format == "x3p") {
    X3pReadOptions x3p;
    x3p.max_points = options.max_points;
    return read_x3p_bytes(bytes, name, x3p);
  }
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
  } else if (format == "obj") {
    map = formats::read_obj_bytes(bytes, name, options, side);
  } else if (format == "stl") {
    map = formats::read_stl_bytes(bytes, name, options, side);
  } else {
    throw InputError(name + ": no reader for format " + format, ErrorCode::unsupported);
  }
  if (side) map.metadata.warnings.push_back("units and spacing from the sidecar " + side->name);
  return map;
}

}  // namespace

std::string format_from_name(const fs::path& name) {
  const std::string ext = lower_extension(name);
  if (ext == ".x3p") return "x3p";
  if (ext == ".tif" || ext == ".tiff") return "tiff";
  if (ext == ".png") return "png";
  if (ext == ".csv") return "csv";
  if (ext == ".xyz") return "xyz";
  if (ext == ".ply") return "ply";
  if (ext == ".obj") return "obj";
  if (ext == ".stl") return "stl";
  return "";
}

std::string detect_format(const fs::path& path) {
  return choose_format(read_prefix(path, 16), "", format_from_name(path), path.string());
}

std::string detect_format(std::span<const std::byte> bytes, const ByteSource& source) {
  return choose_format(as_chars(bytes.first(std::min<std::size_t>(bytes.size(), 16))), source.format,
                       format_from_name(source.name), source.name);
}

HeightMap read_height_map(const fs::path& path, const ReadOptions& options) {
  const std::string format = detect_format(path);
  if (format == "x3p") {
    // Read from the file in pieces: a large scan is never held whole as compressed bytes too.
    X3pReadOptions x3p;
    x3p.max_points = options.max_points;
    return read_x3p(path, x3p);
  }
  const std::optional<formats::Sidecar> sidecar = formats::find_sidecar(path);
  const std::string bytes = formats::read_file_bytes(path);
  return read_format_bytes(format, bytes, path.string(), options, sidecar ? &*sidecar : nullptr);
}

HeightMap read_height_map(std::span<const std::byte> bytes, const ByteSource& source, const ReadOptions& options) {
  const std::string format = detect_format(bytes, source);
  std::optional<formats::Sidecar> sidecar;
  if (!source.sidecar_json.empty()) {
    sidecar = formats::parse_sidecar(source.sidecar_json, formats::sidecar_path_for(source.name).string());
  }
  return read_format_bytes(format, as_chars(bytes), source.name, options, sidecar ? &*sidecar : nullptr);
}

EncodedHeightMap encode_height_map(const HeightMap& map, std::string_view format, const WriteOptions& options,
                                   const std::string& name) {
  if (format == "x3p") {
    X3pWriteOptions x3p;
    x3p.date = options.date;
    EncodedHeightMap encoded;
    encoded.bytes = to_bytes(write_x3p_bytes(map, x3p));
    return encoded;
  }
  if (format == "tiff") return formats::encode_tiff(map, name);
  if (format == "png") return formats::encode_png_height_map(map, name);
  if (format == "csv") return formats::encode_csv(map, name);
  if (format == "xyz") return formats::encode_xyz(map, name);
  throw InputError(name + ": cannot write " + (format.empty() ? std::string("this format") : std::string(format)) +
                       "; ScarScope writes x3p, tiff, png, csv and xyz",
                   ErrorCode::unsupported, "format");
}

std::vector<std::string> write_height_map(const HeightMap& map, const fs::path& path, const WriteOptions& options) {
  const std::string format = format_from_name(path);
  if (format.empty() || format == "ply" || format == "obj" || format == "stl") {
    throw InputError(path.string() + ": cannot write this format (by extension '" + lower_extension(path) +
                         "'); use .x3p, .tif, .png, .csv or .xyz",
                     ErrorCode::unsupported);
  }
  if (format == "x3p") {
    X3pWriteOptions x3p;
    x3p.date = options.date;
    write_x3p(map, path, x3p);
    return {};
  }
  return formats::write_encoded(encode_height_map(map, format, options, path.string()), path);
}

}  // namespace scarscope
