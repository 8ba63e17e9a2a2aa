// PNG encoding and decoding with libpng (OpenCV's imgcodecs is not linked: it pulls in ~120 shared
// libraries, GDAL, poppler, HDF5..., and costs every command 0.1 s and 40 MB just to start).
// Samples are stored exactly as in the file: no gamma, no colour conversion, no palette expansion.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace scarscope {

// Decoded pixels: row-major, row 0 at the top, `channels` samples per pixel (1 grey, 2 grey +
// alpha, 3 RGB, 4 RGBA), each sample as stored (0..255 for 8-bit, 0..65535 for 16-bit images).
struct PngPixels {
  int width = 0;
  int height = 0;
  int channels = 0;
  int bit_depth = 0;  // 8 or 16
  std::vector<std::uint16_t> samples;
  std::uint16_t at(int column, int row, int channel = 0) const {
    return samples[(static_cast<std::size_t>(row) * static_cast<std::size_t>(width) + static_cast<std::size_t>(column)) *
                       static_cast<std::size_t>(channels) +
                   static_cast<std::size_t>(channel)];
  }
};

// Decodes a whole PNG held in memory. Palette images and bit depths below 8 are refused; the
// caller checks the size it is willing to allocate before (the IHDR is the first chunk).
// Throws InputError naming `name` when libpng refuses the data.
PngPixels decode_png(std::string_view bytes, const std::string& name);

// Encodes 8-bit or 16-bit pixels (channels 1 = grey or 3 = RGB; 16-bit samples in host byte
// order), with the settings OpenCV used (SUB filter, fastest deflate, RLE strategy) so previews
// of full scans stay quick. Throws InputError naming `name` if the parameters are inconsistent.
std::string encode_png(const void* pixels, int width, int height, int channels, int bit_depth, const std::string& name);

// encode_png, then writes the file; InputError naming the path if it cannot be written.
void write_png_file(const std::filesystem::path& path, const void* pixels, int width, int height, int channels,
                    int bit_depth);

}  // namespace scarscope
