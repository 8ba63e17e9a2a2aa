#include "surface/png_codec.h"

#include <png.h>
#include <zlib.h>

#include <bit>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>

#include "core/error.h"

namespace scarscope {

namespace {

// libpng reports errors by calling back and never returning: the callback records the message and
// longjmps to the setjmp of the function below it. Those functions hold no C++ object with a
// destructor between setjmp and the libpng calls, so the jump skips nothing that needs cleaning.
struct ErrorState {
  char message[200] = {};
};

[[noreturn]] void on_error(png_structp png, png_const_charp text) {
  auto* state = static_cast<ErrorState*>(png_get_error_ptr(png));
  std::snprintf(state->message, sizeof state->message, "%s", text ? text : "libpng error");
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // one line on stderr is the CLI's, not libpng's

struct MemoryInput {
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  std::size_t at = 0;
};

void read_from_memory(png_structp png, png_bytep out, png_size_t count) {
  auto* input = static_cast<MemoryInput*>(png_get_io_ptr(png));
  if (count > input->size - input->at) png_error(png, "the data ends early (truncated)");
  std::memcpy(out, input->data + input->at, count);
  input->at += count;
}

struct MemoryOutput {
  std::string bytes;
};

void write_to_memory(png_structp png, png_bytep data, png_size_t count) {
  auto* output = static_cast<MemoryOutput*>(png_get_io_ptr(png));
  bool ok = true;
  try {
    output->bytes.append(reinterpret_cast<const char*>(data), count);
  } catch (...) {
    ok = false;
  }
  if (!ok) png_error(png, "out of memory");
}

void flush_memory(png_structp) {}

struct Header {
  png_uint_32 width = 0;
  png_uint_32 height = 0;
  int bit_depth = 0;
  int colour_type = 0;
  int channels = 0;
};

bool read_header(png_structp png, png_infop info, Header* header) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  header->width = png_get_image_width(png, info);
  header->height = png_get_image_height(png, info);
  header->bit_depth = png_get_bit_depth(png, info);
  header->colour_type = png_get_color_type(png, info);
  header->channels = png_get_channels(png, info);
  return true;
}

bool read_rows(png_structp png, png_infop info, png_bytepp rows, int bit_depth) {
  if (setjmp(png_jmpbuf(png))) return false;
  if (bit_depth == 16 && std::endian::native == std::endian::little) png_set_swap(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

bool write_rows(png_structp png, png_infop info, png_bytepp rows, png_uint_32 width, png_uint_32 height,
                int bit_depth, int colour_type) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_IHDR(png, info, width, height, bit_depth, colour_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  // OpenCV's defaults, tuned for speed: a full-scan overlay (2000 x 2000 RGB) encodes in ~0.1 s.
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
  png_set_compression_level(png, Z_BEST_SPEED);
  png_set_compression_strategy(png, Z_RLE);
  png_write_info(png, info);
  if (bit_depth == 16 && std::endian::native == std::endian::little) png_set_swap(png);
  png_write_image(png, rows);
  png_write_end(png, info);
  return true;
}

struct ReadStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~ReadStructs() {
    if (png) png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
  }
};

struct WriteStructs {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~WriteStructs() {
    if (png) png_destroy_write_struct(&png, info ? &info : nullptr);
  }
};

}  // namespace

PngPixels decode_png(std::string_view bytes, const std::string& name) {
  ErrorState errors;
  MemoryInput input{reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), 0};
  ReadStructs structs;
  structs.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &errors, on_error, on_warning);
  if (!structs.png) throw std::bad_alloc();
  structs.info = png_create_info_struct(structs.png);
  if (!structs.info) throw std::bad_alloc();
  png_set_read_fn(structs.png, &input, read_from_memory);

  Header header;
  if (!read_header(structs.png, structs.info, &header)) {
    throw InputError(name + ": PNG cannot be decoded (" + errors.message + ")");
  }
  if (header.colour_type & PNG_COLOR_MASK_PALETTE) {
    throw UnsupportedError(name + ": PNG is a palette image; only grey or RGB(A) samples are read");
  }
  if (header.bit_depth != 8 && header.bit_depth != 16) {
    throw UnsupportedError(name + ": PNG has " + std::to_string(header.bit_depth) + "-bit samples; 8 or 16 are read");
  }
  if (header.channels < 1 || header.channels > 4 || header.width == 0 || header.height == 0) {
    throw InputError(name + ": PNG cannot be decoded (unexpected layout)");
  }
  PngPixels pixels;
  pixels.width = static_cast<int>(header.width);
  pixels.height = static_cast<int>(header.height);
  pixels.channels = header.channels;
  pixels.bit_depth = header.bit_depth;
  const std::size_t row_samples = std::size_t{header.width} * static_cast<std::size_t>(header.channels);
  pixels.samples.assign(row_samples * header.height, 0);
  std::vector<png_bytep> rows(header.height);
  std::vector<std::uint8_t> narrow;  // 8-bit samples land here first, then widen
  if (header.bit_depth == 16) {
    for (png_uint_32 r = 0; r < header.height; ++r) {
      rows[r] = reinterpret_cast<png_bytep>(pixels.samples.data() + row_samples * r);
    }
  } else {
    narrow.assign(row_samples * header.height, 0);
    for (png_uint_32 r = 0; r < header.height; ++r) rows[r] = narrow.data() + row_samples * r;
  }
  if (!read_rows(structs.png, structs.info, rows.data(), header.bit_depth)) {
    throw InputError(name + ": PNG cannot be decoded (" + errors.message + ")");
  }
  if (header.bit_depth == 8) std::copy(narrow.begin(), narrow.end(), pixels.samples.begin());
  return pixels;
}

std::string encode_png(const void* pixels, int width, int height, int channels, int bit_depth, const std::string& name) {
  if (!pixels || width <= 0 || height <= 0 || (channels != 1 && channels != 3) || (bit_depth != 8 && bit_depth != 16)) {
    throw InputError(name + ": nothing to write (empty or inconsistent image)");
  }
  ErrorState errors;
  MemoryOutput output;
  WriteStructs structs;
  structs.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &errors, on_error, on_warning);
  if (!structs.png) throw std::bad_alloc();
  structs.info = png_create_info_struct(structs.png);
  if (!structs.info) throw std::bad_alloc();
  png_set_write_fn(structs.png, &output, write_to_memory, flush_memory);
  const std::size_t row_bytes =
      static_cast<std::size_t>(width) * static_cast<std::size_t>(channels) * static_cast<std::size_t>(bit_depth / 8);
  std::vector<png_bytep> rows(static_cast<std::size_t>(height));
  auto* base = const_cast<png_bytep>(static_cast<const png_byte*>(pixels));  // libpng does not write through it
  for (int r = 0; r < height; ++r) rows[static_cast<std::size_t>(r)] = base + row_bytes * static_cast<std::size_t>(r);
  const int colour_type = channels == 1 ? PNG_COLOR_TYPE_GRAY : PNG_COLOR_TYPE_RGB;
  if (!write_rows(structs.png, structs.info, rows.data(), static_cast<png_uint_32>(width),
                  static_cast<png_uint_32>(height), bit_depth, colour_type)) {
    throw InputError(name + ": PNG encoding failed (" + errors.message + ")");
  }
  return std::move(output.bytes);
}

void write_png_file(const std::filesystem::path& path, const void* pixels, int width, int height, int channels,
                    int bit_depth) {
  const std::string encoded = encode_png(pixels, width, height, channels, bit_depth, path.string());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(encoded.data(), static_cast<std::streamsize>(encoded.size()));
  out.close();
  if (!out) throw InputError(path.string() + ": cannot write the PNG (folder missing or not writable?)");
}

}  // namespace scarscope
