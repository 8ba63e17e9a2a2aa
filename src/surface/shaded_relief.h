// A shaded-relief picture of a height map, for people to look at (convert --preview, overlays):
// grey hillshade lit from the north-west (the top-left of the image), with the vertical
// exaggeration chosen from the surface's roughness so that shallow skin relief is visible, and
// missing points in a colour of their own. Pixel (column, row) shows grid point (column, row), so
// a point at x, y millimetres is at pixel (x * 1000 / dx_um, y * 1000 / dy_um).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.h"
#include "surface/height_map.h"

namespace scarscope {

// 8-bit RGB pixels, row-major, row 0 at the top, 3 bytes per pixel (red, green, blue).
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;

  std::size_t offset(int column, int row) const {
    return (static_cast<std::size_t>(row) * static_cast<std::size_t>(width) + static_cast<std::size_t>(column)) * 3;
  }
  bool contains(int column, int row) const { return column >= 0 && row >= 0 && column < width && row < height; }
  // Sets one pixel; ignores pixels outside the image (so outlines may run off the edge).
  void set_pixel(int column, int row, std::array<std::uint8_t, 3> colour) {
    if (!contains(column, row)) return;
    const std::size_t i = offset(column, row);
    rgb[i] = colour[0];
    rgb[i + 1] = colour[1];
    rgb[i + 2] = colour[2];
  }
};

struct ShadedReliefOptions {
  double light_azimuth_deg = 315.0;   // compass direction the light comes from (315 = north-west)
  double light_altitude_deg = 45.0;   // light elevation above the horizon
  // Vertical exaggeration; unset = chosen from the surface (see shaded_relief_exaggeration).
  std::optional<double> exaggeration;
  std::array<std::uint8_t, 3> missing_colour{255, 0, 255};  // magenta: never a shade of grey
};

// The exaggeration used when none is given: 10 x dx / Sq (Sq after removing the mean plane),
// clamped to [1, 1000], so that a surface whose roughness is small against its spacing still
// shows its relief, and a steep one is not exaggerated at all.
double shaded_relief_exaggeration(const HeightMap& map);

// Renders the relief; the result is map.nx() x map.ny() pixels. An empty map gives an empty image.
RgbImage render_shaded_relief(const HeightMap& map, const ShadedReliefOptions& options = {});

// The image as an 8-bit RGB PNG in memory (a preview for a response). InputError for an empty or
// inconsistent image.
Bytes encode_rgb_png(const RgbImage& image, const std::string& name = "image");
// Writes the image as an 8-bit RGB PNG; InputError naming the path if it cannot be written.
void write_png(const RgbImage& image, const std::filesystem::path& path);

}  // namespace scarscope
