#include "scars/overlay.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "surface/png_codec.h"
#include "surface/shaded_relief.h"

namespace scarscope {

std::array<std::uint8_t, 3> scar_type_colour(ScarType type) {
  switch (type) {
    case ScarType::ice_pick: return {230, 30, 30};
    case ScarType::boxcar: return {255, 150, 0};
    case ScarType::rolling: return {40, 110, 255};
    case ScarType::hypertrophic: return {20, 190, 60};
  }
  return {255, 255, 255};
}

namespace {

// The overlay's pixels: 8-bit RGB, continuous (made by resize).
cv::Mat overlay_pixels(const HeightMap& relief, const ScarInventory& inventory) {
  RgbImage image = render_shaded_relief(relief);
  if (image.width == 0 || image.height == 0) {
    image.width = std::max(1, relief.nx());
    image.height = std::max(1, relief.ny());
    image.rgb.assign(static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 3, 128);
  }
  cv::Mat picture(image.height, image.width, CV_8UC3, image.rgb.data());
  // Outlines are drawn at a size people can read: large scans are shrunk first.
  double scale = 1.0;
  const int longest = std::max(image.width, image.height);
  if (longest > 2400) scale = 2400.0 / longest;
  if (longest < 600) scale = 600.0 / longest;
  cv::Mat canvas;
  cv::resize(picture, canvas, cv::Size(), scale, scale, scale < 1.0 ? cv::INTER_AREA : cv::INTER_NEAREST);
  const double px_per_mm_x = scale * 1000.0 / relief.dx_um();
  const double px_per_mm_y = scale * 1000.0 / relief.dy_um();
  const int thickness = std::max(1, static_cast<int>(std::lround(canvas.cols / 600.0)));
  const double font = std::max(0.4, canvas.cols / 1500.0);
  for (const Scar& scar : inventory.scars) {
    const auto rgb = scar_type_colour(scar.type);
    const cv::Scalar colour(rgb[0], rgb[1], rgb[2]);  // the buffer is RGB, drawn as such
    std::vector<cv::Point> outline;
    for (const auto& p : scar.outline_mm) {
      outline.emplace_back(static_cast<int>(std::lround(p[0] * px_per_mm_x)), static_cast<int>(std::lround(p[1] * px_per_mm_y)));
    }
    if (outline.size() >= 2) {
      cv::polylines(canvas, outline, true, colour, thickness, cv::LINE_AA);
    } else {
      cv::circle(canvas, cv::Point(static_cast<int>(scar.centroid_mm[0] * px_per_mm_x), static_cast<int>(scar.centroid_mm[1] * px_per_mm_y)),
                 static_cast<int>(scar.diameter_mm / 2 * px_per_mm_x), colour, thickness, cv::LINE_AA);
    }
    const cv::Point label(static_cast<int>(scar.centroid_mm[0] * px_per_mm_x) + 4, static_cast<int>(scar.centroid_mm[1] * px_per_mm_y) - 4);
    cv::putText(canvas, std::to_string(scar.id), label, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(0, 0, 0), thickness + 2, cv::LINE_AA);
    cv::putText(canvas, std::to_string(scar.id), label, cv::FONT_HERSHEY_SIMPLEX, font, colour, thickness, cv::LINE_AA);
  }
  return canvas;
}

}  // namespace

std::vector<std::byte> overlay_png(const HeightMap& relief, const ScarInventory& inventory) {
  const cv::Mat canvas = overlay_pixels(relief, inventory);
  const std::string png = encode_png(canvas.data, canvas.cols, canvas.rows, 3, 8, "overlay");
  const auto* first = reinterpret_cast<const std::byte*>(png.data());
  return std::vector<std::byte>(first, first + png.size());
}

void write_overlay_png(const HeightMap& relief, const ScarInventory& inventory, const std::filesystem::path& path) {
  // The canvas is continuous 8-bit RGB (made by resize / hconcat): written as it is, without a copy.
  const cv::Mat canvas = overlay_pixels(relief, inventory);
  write_png_file(path, canvas.data, canvas.cols, canvas.rows, 3, 8);
}

}  // namespace scarscope
