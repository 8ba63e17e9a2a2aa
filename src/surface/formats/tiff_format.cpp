#include "surface/formats/tiff_format.h"

#include <tiffio.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "surface/formats/format_common.h"

namespace scarscope::formats {

namespace {

// Largest expansion a TIFF compression can give (deflate ~1032:1, LZW ~4096:1); a grid larger
// than this times the file size cannot be in the file, so it is refused before allocating.
constexpr double kMaxCompressionRatio = 4200.0;

struct MemoryFile {
  std::string_view bytes;
  std::uint64_t position = 0;
};

tmsize_t memory_read(thandle_t handle, void* buffer, tmsize_t size) {
  auto* file = static_cast<MemoryFile*>(handle);
  if (size <= 0 || file->position >= file->bytes.size()) return 0;
  const std::uint64_t available = file->bytes.size() - file->position;
  const std::uint64_t count = std::min<std::uint64_t>(available, static_cast<std::uint64_t>(size));
  std::memcpy(buffer, file->bytes.data() + file->position, count);
  file->position += count;
  return static_cast<tmsize_t>(count);
}

tmsize_t memory_write(thandle_t, void*, tmsize_t) { return -1; }

toff_t memory_seek(thandle_t handle, toff_t offset, int whence) {
  auto* file = static_cast<MemoryFile*>(handle);
  std::uint64_t base = 0;
  if (whence == SEEK_CUR) base = file->position;
  if (whence == SEEK_END) base = file->bytes.size();
  const std::uint64_t target = base + offset;
  if (target < base) return static_cast<toff_t>(-1);
  file->position = target;
  return target;
}

int memory_close(thandle_t) { return 0; }
toff_t memory_size(thandle_t handle) { return static_cast<MemoryFile*>(handle)->bytes.size(); }
int memory_map(thandle_t, void**, toff_t*) { return 0; }
void memory_unmap(thandle_t, void*, toff_t) {}

// A TIFF being written into memory: libtiff writes, seeks back to patch offsets, and reads back.
struct MemoryOutput {
  std::string bytes;
  std::uint64_t position = 0;
};

tmsize_t output_write(thandle_t handle, void* buffer, tmsize_t size) {
  auto* out = static_cast<MemoryOutput*>(handle);
  if (size <= 0) return 0;
  const auto count = static_cast<std::uint64_t>(size);
  if (out->position + count > out->bytes.size()) out->bytes.resize(out->position + count);
  std::memcpy(out->bytes.data() + out->position, buffer, count);
  out->position += count;
  return size;
}

// Reading and seeking as in a file being read (the bytes so far), the position kept in `out`.
tmsize_t output_read(thandle_t handle, void* buffer, tmsize_t size) {
  auto* out = static_cast<MemoryOutput*>(handle);
  MemoryFile view{out->bytes, out->position};
  const tmsize_t count = memory_read(&view, buffer, size);
  out->position = view.position;
  return count;
}

toff_t output_seek(thandle_t handle, toff_t offset, int whence) {
  auto* out = static_cast<MemoryOutput*>(handle);
  MemoryFile view{out->bytes, out->position};
  const toff_t target = memory_seek(&view, offset, whence);
  out->position = view.position;  // writing beyond the end pads with zeros (see output_write)
  return target;
}

toff_t output_size(thandle_t handle) { return static_cast<MemoryOutput*>(handle)->bytes.size(); }

// libtiff reports through callbacks; collect the messages per file instead of printing them.
struct Diagnostics {
  std::string first_error;
  std::vector<std::string> warnings;
};

std::string format_message(const char* module, const char* format, va_list args) {
  char buffer[512];
  std::vsnprintf(buffer, sizeof buffer, format, args);
  std::string message = buffer;
  if (module && *module) message = std::string(module) + ": " + message;
  return message;
}

int on_error(TIFF*, void* user, const char* module, const char* format, va_list args) {
  auto* diagnostics = static_cast<Diagnostics*>(user);
  if (diagnostics->first_error.empty()) diagnostics->first_error = format_message(module, format, args);
  return 1;
}

int on_warning(TIFF*, void* user, const char* module, const char* format, va_list args) {
  auto* diagnostics = static_cast<Diagnostics*>(user);
  if (diagnostics->warnings.size() < 5) diagnostics->warnings.push_back(format_message(module, format, args));
  return 1;
}

struct TiffCloser {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};
struct OptionsFreer {
  void operator()(TIFFOpenOptions* options) const { TIFFOpenOptionsFree(options); }
};

std::unique_ptr<TIFFOpenOptions, OptionsFreer> make_open_options(Diagnostics& diagnostics, tmsize_t max_alloc) {
  std::unique_ptr<TIFFOpenOptions, OptionsFreer> options(TIFFOpenOptionsAlloc());
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), on_error, &diagnostics);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), on_warning, &diagnostics);
  if (max_alloc > 0) TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), max_alloc);
  return options;
}

// Reads one stored sample as a double.
double sample_value(const unsigned char* p, std::uint16_t format, std::uint16_t bits) {
  switch (format) {
    case SAMPLEFORMAT_IEEEFP:
      if (bits == 32) {
        float v;
        std::memcpy(&v, p, 4);
        return v;
      } else {
        double v;
        std::memcpy(&v, p, 8);
        return v;
      }
    case SAMPLEFORMAT_INT:
      if (bits == 8) return static_cast<std::int8_t>(*p);
      if (bits == 16) {
        std::int16_t v;
        std::memcpy(&v, p, 2);
        return v;
      } else {
        std::int32_t v;
        std::memcpy(&v, p, 4);
        return v;
      }
    default:
      if (bits == 8) return *p;
      if (bits == 16) {
        std::uint16_t v;
        std::memcpy(&v, p, 2);
        return v;
      } else {
        std::uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
      }
  }
}

}  // namespace

bool looks_like_tiff(std::string_view first_bytes) {
  const std::string_view head = first_bytes.substr(0, 4);
  return head == std::string_view("II*\0", 4) || head == std::string_view("MM\0*", 4) ||
         head == std::string_view("II+\0", 4) || head == std::string_view("MM\0+", 4);
}

HeightMap read_tiff_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                          const Sidecar* sidecar) {
  if (!looks_like_tiff(bytes)) throw InputError(name + ": not a TIFF (no TIFF signature at the start)");
  Diagnostics diagnostics;
  const double max_alloc = std::max(16.0 * 1024 * 1024, static_cast<double>(bytes.size()) * kMaxCompressionRatio);
  auto open_options = make_open_options(diagnostics, static_cast<tmsize_t>(std::min(max_alloc, 4e9)));
  MemoryFile file{bytes, 0};
  std::unique_ptr<TIFF, TiffCloser> tif(TIFFClientOpenExt(name.c_str(), "rm", &file, memory_read, memory_write,
                                                          memory_seek, memory_close, memory_size, memory_map,
                                                          memory_unmap, open_options.get()));
  const auto fail = [&](const std::string& what) -> InputError {
    std::string message = name + ": " + what;
    if (!diagnostics.first_error.empty()) message += " (libtiff: " + diagnostics.first_error + ")";
    return InputError(message);
  };
  if (!tif) throw fail("not a readable TIFF");

  std::uint32_t width = 0, height = 0;
  std::uint16_t samples = 1, bits = 1, format = SAMPLEFORMAT_UINT;
  if (!TIFFGetField(tif.get(), TIFFTAG_IMAGEWIDTH, &width) || !TIFFGetField(tif.get(), TIFFTAG_IMAGELENGTH, &height)) {
    throw fail("the TIFF has no ImageWidth/ImageLength");
  }
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLESPERPIXEL, &samples);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_BITSPERSAMPLE, &bits);
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SAMPLEFORMAT, &format);
  if (width == 0 || height == 0) throw fail("the image is empty (" + std::to_string(width) + " x " + std::to_string(height) + ")");
  if (samples != 1) {
    throw UnsupportedError(name + ": the TIFF has " + std::to_string(samples) +
                           " samples per pixel; a height map has one (a grey, not colour, image)");
  }
  const bool is_float = format == SAMPLEFORMAT_IEEEFP && (bits == 32 || bits == 64);
  const bool is_integer = (format == SAMPLEFORMAT_UINT || format == SAMPLEFORMAT_INT) && (bits == 8 || bits == 16 || bits == 32);
  if (!is_float && !is_integer) {
    throw UnsupportedError(name + ": TIFF samples are " + std::to_string(bits) + "-bit (format " +
                           std::to_string(format) + "); heights must be 32- or 64-bit float, or integers with a sidecar z_scale");
  }
  if (is_integer && !(sidecar && sidecar->z_scale)) {
    throw InputError(name + ": the TIFF stores integers; give a sidecar " + sidecar_path_for(name).filename().string() +
                     " with \"z_scale\" (and \"z_offset\") saying what one step is");
  }
  const std::uint64_t points = std::uint64_t{width} * height;
  if (points > options.max_points) {
    throw InputError(name + ": " + std::to_string(width) + " x " + std::to_string(height) + " points exceeds the limit of " +
                     std::to_string(options.max_points) + " (--max-points)");
  }
  const double raw_bytes = static_cast<double>(points) * (bits / 8);
  std::uint16_t compression = COMPRESSION_NONE;
  TIFFGetFieldDefaulted(tif.get(), TIFFTAG_COMPRESSION, &compression);
  const double ratio = compression == COMPRESSION_NONE ? 1.0 : kMaxCompressionRatio;
  if (raw_bytes > static_cast<double>(bytes.size()) * ratio + 4096.0) {
    throw InputError(name + ": the header claims " + std::to_string(width) + " x " + std::to_string(height) +
                     " points, more than a " + std::to_string(bytes.size()) + "-byte file can hold");
  }

  // Spacing from the resolution tags, where they give a physical unit.
  std::optional<double> file_dx, file_dy;
  std::vector<std::string> warnings;
  {
    float xres = 0.0f, yres = 0.0f;
    std::uint16_t resolution_unit = RESUNIT_INCH;
    const bool has_x = TIFFGetField(tif.get(), TIFFTAG_XRESOLUTION, &xres) != 0;
    const bool has_y = TIFFGetField(tif.get(), TIFFTAG_YRESOLUTION, &yres) != 0;
    TIFFGetFieldDefaulted(tif.get(), TIFFTAG_RESOLUTIONUNIT, &resolution_unit);
    if (has_x && has_y && std::isfinite(xres) && std::isfinite(yres) && xres > 0 && yres > 0 &&
        (resolution_unit == RESUNIT_INCH || resolution_unit == RESUNIT_CENTIMETER)) {
      const double um_per_unit = resolution_unit == RESUNIT_INCH ? 25400.0 : 10000.0;
      file_dx = um_per_unit / xres;
      file_dy = um_per_unit / yres;
      if (resolution_unit == RESUNIT_INCH && (xres == 72.0f || xres == 96.0f || xres == 300.0f)) {
        warnings.push_back("spacing " + format_number(*file_dx) + " um comes from a resolution of " +
                           format_number(xres) + " dpi, a common image-software default; check it");
      }
    }
  }
  // ScarScope writes its units into ImageDescription as JSON; other writers' text is ignored.
  std::optional<std::string> file_unit;
  {
    char* description = nullptr;
    if (TIFFGetField(tif.get(), TIFFTAG_IMAGEDESCRIPTION, &description) && description) {
      const nlohmann::json doc = nlohmann::json::parse(description, nullptr, false);
      if (doc.is_object() && doc.contains("z_unit") && doc["z_unit"].is_string()) {
        file_unit = doc["z_unit"].get<std::string>();
        micrometres_per_unit(*file_unit, name + ": ImageDescription z_unit");
        // Exact spacings (the resolution tags hold only single precision).
        const auto positive = [&](const char* key) -> std::optional<double> {
          if (!doc.contains(key) || !doc[key].is_number()) return std::nullopt;
          const double v = doc[key].get<double>();
          return std::isfinite(v) && v > 0.0 ? std::optional<double>(v) : std::nullopt;
        };
        if (positive("dx_um") && positive("dy_um")) {
          file_dx = positive("dx_um");
          file_dy = positive("dy_um");
        }
      }
    }
  }
  UnitSources sources{name, "a TIFF", &options, sidecar, file_unit, file_dx, file_dy};
  const double z_factor = resolve_height_unit(sources);
  const Spacing spacing = resolve_grid_spacing(sources);
  const double z_scale = sidecar && sidecar->z_scale ? *sidecar->z_scale : 1.0;
  const double z_offset = sidecar && sidecar->z_offset ? *sidecar->z_offset : 0.0;
  // (a plain flag and value: g++ 12 misreads std::optional here as maybe-uninitialised)
  const bool has_missing_value = sidecar && sidecar->missing_value.has_value();
  const double missing_value = has_missing_value ? *sidecar->missing_value : 0.0;

  HeightMap map(static_cast<int>(width), static_cast<int>(height), spacing.dx_um, spacing.dy_um);
  const std::size_t sample_bytes = bits / 8;
  const auto store = [&](std::uint32_t row, std::uint32_t col, const unsigned char* p) {
    const double raw = sample_value(p, format, bits);
    if (!std::isfinite(raw) || (has_missing_value && raw == missing_value)) {
      map.set_missing(static_cast<int>(row), static_cast<int>(col));
      return;
    }
    map.set(static_cast<int>(row), static_cast<int>(col), static_cast<float>((z_offset + z_scale * raw) * z_factor));
  };

  if (TIFFIsTiled(tif.get())) {
    std::uint32_t tile_w = 0, tile_h = 0;
    TIFFGetField(tif.get(), TIFFTAG_TILEWIDTH, &tile_w);
    TIFFGetField(tif.get(), TIFFTAG_TILELENGTH, &tile_h);
    const tmsize_t tile_size = TIFFTileSize(tif.get());
    if (tile_w == 0 || tile_h == 0 || tile_size <= 0 ||
        static_cast<std::uint64_t>(tile_size) < std::uint64_t{tile_w} * tile_h * sample_bytes) {
      throw fail("invalid tile layout");
    }
    std::vector<unsigned char> buffer(static_cast<std::size_t>(tile_size));
    for (std::uint32_t y0 = 0; y0 < height; y0 += tile_h) {
      for (std::uint32_t x0 = 0; x0 < width; x0 += tile_w) {
        const ttile_t tile = TIFFComputeTile(tif.get(), x0, y0, 0, 0);
        if (TIFFReadEncodedTile(tif.get(), tile, buffer.data(), tile_size) < 0) {
          throw fail("tile at row " + std::to_string(y0) + ", column " + std::to_string(x0) + " cannot be read");
        }
        for (std::uint32_t y = y0; y < std::min(height, y0 + tile_h); ++y) {
          for (std::uint32_t x = x0; x < std::min(width, x0 + tile_w); ++x) {
            store(y, x, buffer.data() + ((std::size_t{y - y0} * tile_w) + (x - x0)) * sample_bytes);
          }
        }
      }
    }
  } else {
    std::uint32_t rows_per_strip = height;
    TIFFGetFieldDefaulted(tif.get(), TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
    rows_per_strip = std::clamp<std::uint32_t>(rows_per_strip, 1, height);
    const tmsize_t strip_size = TIFFStripSize(tif.get());
    const std::uint64_t row_bytes = std::uint64_t{width} * sample_bytes;
    if (strip_size <= 0) throw fail("invalid strip layout");
    std::vector<unsigned char> buffer(static_cast<std::size_t>(strip_size));
    for (std::uint32_t y0 = 0; y0 < height; y0 += rows_per_strip) {
      const tstrip_t strip = TIFFComputeStrip(tif.get(), y0, 0);
      const tmsize_t got = TIFFReadEncodedStrip(tif.get(), strip, buffer.data(), strip_size);
      const std::uint32_t rows = std::min(rows_per_strip, height - y0);
      if (got < 0 || static_cast<std::uint64_t>(got) < rows * row_bytes) {
        throw fail("strip at row " + std::to_string(y0) + " cannot be read (file truncated or corrupt?)");
      }
      for (std::uint32_t y = y0; y < y0 + rows; ++y) {
        const unsigned char* row = buffer.data() + std::size_t{y - y0} * row_bytes;
        for (std::uint32_t x = 0; x < width; ++x) store(y, x, row + std::size_t{x} * sample_bytes);
      }
    }
  }
  map.metadata.source_file = name;
  map.metadata.source_format = "tiff";
  map.metadata.warnings = std::move(warnings);
  for (const std::string& warning : diagnostics.warnings) map.metadata.warnings.push_back("libtiff: " + warning);
  return map;
}

EncodedHeightMap encode_tiff(const HeightMap& map, const std::string& name) {
  if (map.empty()) throw InputError(name + ": nothing to write (empty height map)");
  Diagnostics diagnostics;
  auto open_options = make_open_options(diagnostics, 0);
  MemoryOutput output;
  std::unique_ptr<TIFF, TiffCloser> tif(TIFFClientOpenExt(name.c_str(), "w", &output, output_read, output_write, output_seek,
                                                          memory_close, output_size, memory_map, memory_unmap,
                                                          open_options.get()));
  if (!tif) throw InputError(name + ": cannot start a TIFF (" + diagnostics.first_error + ")");
  TIFF* t = tif.get();
  const nlohmann::ordered_json description = {{"scarscope", "height map"},
                                              {"dx_um", map.dx_um()},
                                              {"dy_um", map.dy_um()},
                                              {"z_unit", "um"},
                                              {"missing", "NaN"}};
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, static_cast<std::uint32_t>(map.nx()));
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, static_cast<std::uint32_t>(map.ny()));
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 32);
  TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, SAMPLEFORMAT_IEEEFP);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_ADOBE_DEFLATE);
  TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, TIFFDefaultStripSize(t, 0));
  TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_CENTIMETER);
  TIFFSetField(t, TIFFTAG_XRESOLUTION, 1e4 / map.dx_um());
  TIFFSetField(t, TIFFTAG_YRESOLUTION, 1e4 / map.dy_um());
  TIFFSetField(t, TIFFTAG_SOFTWARE, "ScarScope " SCARSCOPE_VERSION);
  const std::string text = description.dump();
  TIFFSetField(t, TIFFTAG_IMAGEDESCRIPTION, text.c_str());
  std::vector<float> row(static_cast<std::size_t>(map.nx()));
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      row[static_cast<std::size_t>(c)] = map.valid(r, c) ? map.height(r, c) : std::numeric_limits<float>::quiet_NaN();
    }
    if (TIFFWriteScanline(t, row.data(), static_cast<std::uint32_t>(r), 0) < 0) {
      throw InputError(name + ": write failed at row " + std::to_string(r) + " " + diagnostics.first_error);
    }
  }
  tif.reset();
  if (!diagnostics.first_error.empty()) throw InputError(name + ": " + diagnostics.first_error);
  EncodedHeightMap encoded;
  encoded.bytes = to_bytes(output.bytes);
  encoded.sidecar_json = sidecar_to_json(micrometre_sidecar(map.dx_um(), map.dy_um()));
  encoded.notes = {"TIFF heights written as 32-bit float micrometres (NaN = missing); spacing in the resolution tags and in " +
                   sidecar_path_for(name).filename().string()};
  return encoded;
}

std::vector<std::string> write_tiff(const HeightMap& map, const std::filesystem::path& path) {
  return write_encoded(encode_tiff(map, path.string()), path);
}

}  // namespace scarscope::formats
