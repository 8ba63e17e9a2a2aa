#include "surface/shaded_relief.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>

#include "core/error.h"
#include "surface/formats/format_common.h"
#include "surface/png_codec.h"

namespace scarscope {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Root-mean-square height about the least-squares plane, over valid points.
double rms_about_plane(const HeightMap& map) {
  // Normal equations for z = a + b x + c y, x and y in grid steps centred on the grid.
  double s[3][3] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
  double t[3] = {0, 0, 0};
  const double cx = (map.nx() - 1) / 2.0, cy = (map.ny() - 1) / 2.0;
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (!map.valid(r, c)) continue;
      const double v[3] = {1.0, c - cx, r - cy};
      const double z = map.height(r, c);
      for (int i = 0; i < 3; ++i) {
        t[i] += v[i] * z;
        for (int j = 0; j < 3; ++j) s[i][j] += v[i] * v[j];
      }
    }
  }
  if (s[0][0] < 3) return 0.0;
  cv::Matx33d a(s[0][0], s[0][1], s[0][2], s[1][0], s[1][1], s[1][2], s[2][0], s[2][1], s[2][2]);
  cv::Vec3d coefficients;
  if (!cv::solve(a, cv::Vec3d(t[0], t[1], t[2]), coefficients, cv::DECOMP_SVD)) return 0.0;
  double sum = 0.0;
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (!map.valid(r, c)) continue;
      const double d = map.height(r, c) - (coefficients[0] + coefficients[1] * (c - cx) + coefficients[2] * (r - cy));
      sum += d * d;
    }
  }
  return std::sqrt(sum / s[0][0]);
}

// Slope along one axis at a point from its valid neighbours (central difference where both are
// valid, one-sided otherwise, 0 when neither is).
double slope(const HeightMap& map, int r, int c, int dr, int dc, double step) {
  const int r0 = r - dr, c0 = c - dc, r1 = r + dr, c1 = c + dc;
  const bool before = r0 >= 0 && c0 >= 0 && map.valid(r0, c0);
  const bool after = r1 < map.ny() && c1 < map.nx() && map.valid(r1, c1);
  const double here = map.height(r, c);
  if (before && after) return (map.height(r1, c1) - map.height(r0, c0)) / (2.0 * step);
  if (after) return (map.height(r1, c1) - here) / step;
  if (before) return (here - map.height(r0, c0)) / step;
  return 0.0;
}

}  // namespace

double shaded_relief_exaggeration(const HeightMap& map) {
  const double sq = rms_about_plane(map);
  if (!(sq > 0.0) || !std::isfinite(sq)) return 1.0;
  return std::clamp(10.0 * std::min(map.dx_um(), map.dy_um()) / sq, 1.0, 1000.0);
}

RgbImage render_shaded_relief(const HeightMap& map, const ShadedReliefOptions& options) {
  RgbImage image;
  if (map.empty()) return image;
  image.width = map.nx();
  image.height = map.ny();
  image.rgb.assign(static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3, 0);
  const double exaggeration = options.exaggeration.value_or(shaded_relief_exaggeration(map));
  // Light direction in image axes (x to the right = east, y down = south, z up).
  const double azimuth = options.light_azimuth_deg * kPi / 180.0;
  const double altitude = options.light_altitude_deg * kPi / 180.0;
  const double lx = std::sin(azimuth) * std::cos(altitude);
  const double ly = -std::cos(azimuth) * std::cos(altitude);
  const double lz = std::sin(altitude);
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (!map.valid(r, c)) {
        image.set_pixel(c, r, options.missing_colour);
        continue;
      }
      const double gx = exaggeration * slope(map, r, c, 0, 1, map.dx_um());
      const double gy = exaggeration * slope(map, r, c, 1, 0, map.dy_um());
      // Surface normal (-gx, -gy, 1), normalised; Lambertian shade with a little ambient light.
      const double shade = std::max(0.0, (-gx * lx - gy * ly + lz) / std::sqrt(gx * gx + gy * gy + 1.0));
      const auto grey = static_cast<std::uint8_t>(std::lround(255.0 * std::clamp(0.12 + 0.88 * shade, 0.0, 1.0)));
      image.set_pixel(c, r, {grey, grey, grey});
    }
  }
  return image;
}

Bytes encode_rgb_png(const RgbImage& image, const std::string& name) {
  if (image.width <= 0 || image.height <= 0 ||
      image.rgb.size() != static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3) {
    throw InputError(name + ": nothing to write (empty or inconsistent image)");
  }
  return to_bytes(encode_png(image.rgb.data(), image.width, image.height, 3, 8, name));
}

void write_png(const RgbImage& image, const std::filesystem::path& path) {
  const Bytes png = encode_rgb_png(image, path.string());
  formats::write_file_bytes(path, as_chars(png));
}

}  // namespace scarscope
