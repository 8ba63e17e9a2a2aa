#include "scars/overlay.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "core/saturating_cast.h"
#include "surface/formats/format_common.h"
#include "surface/png_codec.h"
#include "surface/shaded_relief.h"

namespace scarscope {
namespace {

// A drawing coordinate in pixels: an inventory may hold any number (a corrected or hand-made one),
// and OpenCV draws far-off points by clipping, so anything beyond a few canvases away is held there.
int pixel(double value, int canvas_size) {
  const int reach = 4 * std::max(1, canvas_size);
  return std::clamp(round_saturating<int>(value), -reach, reach);
}

}  // namespace

std::array<std::uint8_t, 3> scar_type_colour(ScarType type) {
  switch (type) {
    case ScarType::ice_pick: return {230, 30, 30};
    case ScarType::boxcar: return {255, 150, 0};
    case ScarType::rolling: return {40, 110, 255};
    case ScarType::hypertrophic: return {20, 190, 60};
  }
  return {255, 255, 255};
}

Bytes overlay_png(const HeightMap& relief, const ScarInventory& inventory) {
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
      outline.emplace_back(pixel(p[0] * px_per_mm_x, canvas.cols), pixel(p[1] * px_per_mm_y, canvas.rows));
    }
    const int centre_x = pixel(std::trunc(scar.centroid_mm[0] * px_per_mm_x), canvas.cols);
    const int centre_y = pixel(std::trunc(scar.centroid_mm[1] * px_per_mm_y), canvas.rows);
    if (outline.size() >= 2) {
      cv::polylines(canvas, outline, true, colour, thickness, cv::LINE_AA);
    } else {
      cv::circle(canvas, cv::Point(centre_x, centre_y),
                 std::max(0, pixel(std::trunc(scar.diameter_mm / 2 * px_per_mm_x), canvas.cols)), colour, thickness,
                 cv::LINE_AA);
    }
    const cv::Point label(centre_x + 4, centre_y - 4);
    cv::putText(canvas, std::to_string(scar.id), label, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(0, 0, 0), thickness + 2, cv::LINE_AA);
    cv::putText(canvas, std::to_string(scar.id), label, cv::FONT_HERSHEY_SIMPLEX, font, colour, thickness, cv::LINE_AA);
  }
  // The canvas is continuous 8-bit RGB (made by resize / hconcat): encoded as it is, without a copy.
  return to_bytes(encode_png(canvas.data, canvas.cols, canvas.rows, 3, 8, "overlay"));
}

void write_overlay_png(const HeightMap& relief, const ScarInventory& inventory, const std::filesystem::path& path) {
  const Bytes png = overlay_png(relief, inventory);
  formats::write_file_bytes(path, as_chars(png));
}

}  // namespace scarscope
