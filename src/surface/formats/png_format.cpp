#include "surface/formats/png_format.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "core/error.h"
#include "surface/formats/format_common.h"
#include "surface/png_codec.h"

namespace scarscope::formats {

namespace {

constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
// Deflate expands at most about 1032:1; a bigger claim cannot be in the file.
constexpr double kMaxDeflateRatio = 1040.0;

std::uint32_t big_endian_u32(std::string_view bytes, std::size_t at) {
  return (std::uint32_t{static_cast<unsigned char>(bytes[at])} << 24) |
         (std::uint32_t{static_cast<unsigned char>(bytes[at + 1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(bytes[at + 2])} << 8) |
         std::uint32_t{static_cast<unsigned char>(bytes[at + 3])};
}

std::uint32_t crc32_of(std::string_view bytes) {
  static constexpr auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

// Walks the chunks (length, type, data, CRC) up to IEND, so that a truncated or corrupted file
// is named here, precisely, rather than by the decoder.
void check_chunks(std::string_view bytes, const std::string& name) {
  std::size_t at = 8;
  int index = 0;
  while (true) {
    if (bytes.size() - at < 12) {
      throw InputError(name + ": PNG is truncated (it ends after chunk " + std::to_string(index) + ", before IEND)");
    }
    const std::uint32_t length = big_endian_u32(bytes, at);
    const std::string type(bytes.substr(at + 4, 4));
    if (length > bytes.size() - at - 12) {
      throw InputError(name + ": PNG chunk " + std::to_string(index) + " ('" + type + "') runs past the end of the file");
    }
    if (crc32_of(bytes.substr(at + 4, 4 + std::size_t{length})) != big_endian_u32(bytes, at + 8 + length)) {
      throw InputError(name + ": PNG chunk " + std::to_string(index) + " ('" + type + "') is corrupt (CRC mismatch)");
    }
    at += 12 + std::size_t{length};
    ++index;
    if (type == "IEND") return;
  }
}

}  // namespace

bool looks_like_png(std::string_view first_bytes) { return first_bytes.substr(0, 8) == kSignature; }

HeightMap read_png_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                         const Sidecar* sidecar) {
  if (!looks_like_png(bytes)) throw InputError(name + ": not a PNG (no PNG signature at the start)");
  if (!sidecar) {
    throw InputError(name + ": a PNG height map needs its sidecar " + sidecar_path_for(name).filename().string() +
                     " (or " + std::filesystem::path(name).replace_extension(".json").filename().string() +
                     ") with \"z_scale\", \"z_offset\", \"z_unit\", \"dx_um\" and \"dy_um\"");
  }
  if (!sidecar->z_scale || !sidecar->z_offset) {
    throw InputError(sidecar->name + ": a PNG sidecar must give \"z_scale\" and \"z_offset\" (height = z_offset + z_scale * pixel)");
  }
  // Check the claimed size before decoding: IHDR is the first chunk.
  if (bytes.size() < 33 || bytes.substr(12, 4) != "IHDR") throw InputError(name + ": PNG has no IHDR header chunk");
  const std::uint32_t width = big_endian_u32(bytes, 16);
  const std::uint32_t height = big_endian_u32(bytes, 20);
  const int bit_depth = static_cast<unsigned char>(bytes[24]);
  const int colour_type = static_cast<unsigned char>(bytes[25]);
  if (width == 0 || height == 0 || width > (1u << 30) || height > (1u << 30)) {
    throw InputError(name + ": PNG header gives an invalid size " + std::to_string(width) + " x " + std::to_string(height));
  }
  if (colour_type != 0) {
    throw UnsupportedError(name + ": PNG is a colour or alpha image (colour type " + std::to_string(colour_type) +
                           "); a height map PNG is grey (16-bit)");
  }
  if (bit_depth != 16 && bit_depth != 8) {
    throw UnsupportedError(name + ": PNG has " + std::to_string(bit_depth) + "-bit samples; heights need 16 (or 8) bits");
  }
  const std::uint64_t points = std::uint64_t{width} * height;
  if (points > options.max_points) {
    throw InputError(name + ": " + std::to_string(width) + " x " + std::to_string(height) +
                     " points exceeds the limit of " + std::to_string(options.max_points) + " (--max-points)");
  }
  if (static_cast<double>(points) * (bit_depth / 8) > static_cast<double>(bytes.size()) * kMaxDeflateRatio + 4096.0) {
    throw InputError(name + ": the PNG header claims " + std::to_string(width) + " x " + std::to_string(height) +
                     " pixels, more than a " + std::to_string(bytes.size()) + "-byte file can hold");
  }
  check_chunks(bytes, name);
  UnitSources sources{name, "a PNG sidecar", &options, sidecar, std::nullopt, std::nullopt, std::nullopt};
  const double z_factor = resolve_height_unit(sources);
  const Spacing spacing = resolve_grid_spacing(sources);

  const PngPixels image = decode_png(bytes, name);
  if (image.channels != 1 || image.bit_depth != bit_depth || image.width != static_cast<int>(width) ||
      image.height != static_cast<int>(height)) {
    throw InputError(name + ": PNG decoded to an unexpected image layout");
  }
  const double missing = sidecar->missing_value.value_or(0.0);
  const double scale = *sidecar->z_scale;
  const double offset = *sidecar->z_offset;
  HeightMap map(image.width, image.height, spacing.dx_um, spacing.dy_um);
  for (int r = 0; r < image.height; ++r) {
    for (int c = 0; c < image.width; ++c) {
      const double raw = image.at(c, r);
      if (raw == missing) {
        map.set_missing(r, c);
      } else {
        map.set(r, c, static_cast<float>((offset + scale * raw) * z_factor));
      }
    }
  }
  map.metadata.source_file = name;
  map.metadata.source_format = "png";
  return map;
}

EncodedHeightMap encode_png_height_map(const HeightMap& map, const std::string& name) {
  if (map.empty()) throw InputError(name + ": nothing to write (empty height map)");
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (!map.valid(r, c)) continue;
      lo = std::min(lo, static_cast<double>(map.height(r, c)));
      hi = std::max(hi, static_cast<double>(map.height(r, c)));
    }
  }
  if (!std::isfinite(lo)) {  // nothing valid: any scale will do
    lo = 0.0;
    hi = 0.0;
  }
  // Pixel 0 is missing; 1..65535 span [lo, hi].
  const double scale = hi > lo ? (hi - lo) / 65534.0 : 1.0;
  const double offset = lo - scale;
  std::vector<std::uint16_t> image(map.size(), 0);
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (!map.valid(r, c)) continue;  // 0 = missing
      const double level = std::round((map.height(r, c) - offset) / scale);
      image[static_cast<std::size_t>(r) * static_cast<std::size_t>(map.nx()) + static_cast<std::size_t>(c)] =
          static_cast<std::uint16_t>(std::clamp(level, 1.0, 65535.0));
    }
  }
  EncodedHeightMap encoded;
  encoded.bytes = to_bytes(encode_png(image.data(), map.nx(), map.ny(), 1, 16, name));
  Sidecar sidecar = micrometre_sidecar(map.dx_um(), map.dy_um());
  sidecar.z_scale = scale;
  sidecar.z_offset = offset;
  sidecar.missing_value = 0;
  encoded.sidecar_json = sidecar_to_json(sidecar);
  encoded.notes = {"PNG heights quantised to 16 bits: one step is " + format_number(scale) +
                   " um; scale, offset and spacing in " + sidecar_path_for(name).filename().string() +
                   " (keep it beside the PNG)"};
  return encoded;
}

std::vector<std::string> write_png_height_map(const HeightMap& map, const std::filesystem::path& path) {
  return write_encoded(encode_png_height_map(map, path.string()), path);
}

}  // namespace scarscope::formats
