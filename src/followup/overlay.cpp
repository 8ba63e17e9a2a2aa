#include "followup/overlay.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "core/saturating_cast.h"
#include "followup/grid_tools.h"
#include "surface/formats/format_common.h"
#include "surface/png_codec.h"
#include "surface/shaded_relief.h"

namespace scarscope {

namespace {

constexpr int kPanelPixels = 900;  // the long side of each panel
constexpr int kHeader = 34;

cv::Scalar status_colour(ChangeStatus status) {
  if (status == ChangeStatus::improved) return {40, 200, 70};
  if (status == ChangeStatus::worse) return {235, 40, 40};
  if (status == ChangeStatus::new_scar) return {255, 0, 220};
  if (status == ChangeStatus::resolved) return {0, 220, 255};
  if (status == ChangeStatus::not_found) return {150, 150, 150};
  return {255, 210, 0};  // stable
}

// Form-free copy (so the shading shows the skin and the scars, not the cheek's curvature).
HeightMap without_form(const HeightMap& map) {
  HeightMap copy = map.clone();
  Quadratic form;
  const double dx = map.dx_um() / 1000.0, dy = map.dy_um() / 1000.0;
  if (fit_quadratic(map.heights(), map.mask(), map.nx(), map.ny(), dx, dy, 2, form)) {
    for (int r = 0; r < map.ny(); ++r)
      for (int c = 0; c < map.nx(); ++c)
        if (map.valid(r, c)) copy.set(r, c, static_cast<float>(map.height(r, c) - form.at(c * dx, r * dy)));
  }
  return copy;
}

struct Panel {
  cv::Mat rgb;        // CV_8UC3, RGB order
  double px_per_mm_x = 1.0, px_per_mm_y = 1.0;
};

Panel panel_from(const cv::Mat& full_rgb, double dx_um, double dy_um) {
  Panel panel;
  const double scale = std::min(1.0, static_cast<double>(kPanelPixels) / std::max(full_rgb.cols, full_rgb.rows));
  if (scale < 1.0) {
    cv::resize(full_rgb, panel.rgb, cv::Size(std::max(1, static_cast<int>(full_rgb.cols * scale)),
                                             std::max(1, static_cast<int>(full_rgb.rows * scale))),
               0, 0, cv::INTER_AREA);
  } else {
    panel.rgb = full_rgb.clone();
  }
  panel.px_per_mm_x = 1000.0 / dx_um * panel.rgb.cols / full_rgb.cols;
  panel.px_per_mm_y = 1000.0 / dy_um * panel.rgb.rows / full_rgb.rows;
  return panel;
}

Panel relief_panel(const HeightMap& map) {
  const RgbImage image = render_shaded_relief(without_form(map));
  cv::Mat full(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.rgb.data()));
  return panel_from(full, map.dx_um(), map.dy_um());
}

// Diverging colours: blue where the follow-up is higher (a depression filled in), red where lower.
Panel difference_panel(const HeightMap& difference, double range_um) {
  cv::Mat full(difference.ny(), difference.nx(), CV_8UC3);
  for (int r = 0; r < difference.ny(); ++r) {
    auto* row = full.ptr<cv::Vec3b>(r);
    for (int c = 0; c < difference.nx(); ++c) {
      if (!difference.valid(r, c)) {
        row[c] = cv::Vec3b(60, 60, 60);
        continue;
      }
      const double t = std::clamp(difference.height(r, c) / range_um, -1.0, 1.0);
      const auto fade = static_cast<std::uint8_t>(std::lround(255.0 * (1.0 - std::fabs(t))));
      row[c] = t >= 0 ? cv::Vec3b(fade, fade, 255) : cv::Vec3b(255, fade, fade);
    }
  }
  return panel_from(full, difference.dx_um(), difference.dy_um());
}

// A drawing coordinate in pixels: an inventory may hold any number, and OpenCV clips far-off
// drawing, so anything beyond a few panels away is held there.
int pixel(double value, int panel_size) {
  const int reach = 4 * std::max(1, panel_size);
  return std::clamp(round_saturating<int>(value), -reach, reach);
}

void draw_outline(Panel& panel, const OutlineMm& outline, const cv::Scalar& colour, const std::string& label) {
  std::vector<cv::Point> points;
  double cx = 0, cy = 0;
  for (const auto& p : outline) {
    points.emplace_back(pixel(p[0] * panel.px_per_mm_x, panel.rgb.cols), pixel(p[1] * panel.px_per_mm_y, panel.rgb.rows));
    cx += p[0];
    cy += p[1];
  }
  if (points.empty()) return;
  cx /= static_cast<double>(outline.size());
  cy /= static_cast<double>(outline.size());
  if (points.size() >= 2) cv::polylines(panel.rgb, points, true, colour, 2, cv::LINE_AA);
  const cv::Point at(pixel(std::trunc(cx * panel.px_per_mm_x), panel.rgb.cols) + 5,
                     pixel(std::trunc(cy * panel.px_per_mm_y), panel.rgb.rows) - 5);
  cv::putText(panel.rgb, label, at, cv::FONT_HERSHEY_SIMPLEX, 0.45, cv::Scalar(0, 0, 0), 3, cv::LINE_AA);
  cv::putText(panel.rgb, label, at, cv::FONT_HERSHEY_SIMPLEX, 0.45, colour, 1, cv::LINE_AA);
}

OutlineMm outline_or_circle(const Scar& scar) {
  if (scar.outline_mm.size() >= 3) return scar.outline_mm;
  OutlineMm circle;
  const double radius = std::max(0.1, 0.5 * scar.diameter_mm);
  for (int i = 0; i < 24; ++i) {
    const double a = 2.0 * 3.14159265358979323846 * i / 24.0;
    circle.push_back({scar.centroid_mm[0] + radius * std::cos(a), scar.centroid_mm[1] + radius * std::sin(a)});
  }
  return circle;
}

cv::Mat with_header(const Panel& panel, const std::string& title) {
  cv::Mat out(panel.rgb.rows + kHeader, panel.rgb.cols, CV_8UC3, cv::Scalar(25, 25, 25));
  panel.rgb.copyTo(out(cv::Rect(0, kHeader, panel.rgb.cols, panel.rgb.rows)));
  cv::putText(out, title, cv::Point(8, 23), cv::FONT_HERSHEY_SIMPLEX, 0.55, cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
  return out;
}

}  // namespace

Bytes comparison_overlay_png(const HeightMap& baseline, const ScarInventory& baseline_scars,
                                    const HeightMap& followup, const ScarInventory& followup_scars,
                                    const VisitComparison& comparison) {
  Panel left = relief_panel(baseline);
  Panel middle = relief_panel(followup);
  const Registration& reg = comparison.registration;
  // The colour range: the larger of 5 × the residual and the strongest change inside the scars.
  double range = std::max(5.0 * reg.residual_um, 1.0);
  std::vector<float> changes;
  for (std::size_t i = 0; i < reg.difference.size(); ++i)
    if (reg.difference.mask()[i] && !reg.unchanged_skin[i]) changes.push_back(std::fabs(reg.difference.heights()[i]));
  if (!changes.empty()) {
    auto q = changes.begin() + static_cast<std::ptrdiff_t>(0.98 * static_cast<double>(changes.size() - 1));
    std::nth_element(changes.begin(), q, changes.end());
    range = std::max(range, static_cast<double>(*q));
  }
  Panel right = reg.difference.empty() ? relief_panel(baseline) : difference_panel(reg.difference, range);

  std::map<int, const Scar*> baseline_by_id, followup_by_id;
  for (const Scar& s : baseline_scars.scars) baseline_by_id[s.id] = &s;
  for (const Scar& s : followup_scars.scars) followup_by_id[s.id] = &s;
  for (const ScarChange& change : comparison.scars) {
    const cv::Scalar colour = status_colour(change.status);
    // The identity across visits is the baseline id; scars first seen at follow-up are "+id".
    const std::string label = change.baseline_id ? std::to_string(*change.baseline_id)
                                                 : "+" + std::to_string(change.followup_id.value_or(0));
    if (change.baseline_id && baseline_by_id.count(*change.baseline_id)) {
      const OutlineMm outline = outline_or_circle(*baseline_by_id[*change.baseline_id]);
      draw_outline(left, outline, colour, label);
      draw_outline(right, outline, colour, label);
      if (!change.followup_id && change.status != ChangeStatus::not_found) {
        OutlineMm mapped;
        for (const auto& p : outline) mapped.push_back(reg.transform.to_followup(p));
        draw_outline(middle, mapped, colour, label);
      }
    }
    if (change.followup_id && followup_by_id.count(*change.followup_id)) {
      const OutlineMm outline = outline_or_circle(*followup_by_id[*change.followup_id]);
      draw_outline(middle, outline, colour, label);
      if (!change.baseline_id) {
        OutlineMm mapped;
        for (const auto& p : outline) mapped.push_back(reg.transform.to_baseline(p));
        draw_outline(right, mapped, colour, label);
      }
    }
  }
  // Whole micrometres, whatever the process locale (no decimal point to localise).
  const std::string range_text =
      "difference: blue rose, red sank, +-" + std::to_string(saturating_cast<long long>(std::nearbyint(range))) + " um";
  std::vector<cv::Mat> parts{with_header(left, "baseline"), with_header(middle, "follow-up"),
                             with_header(right, reg.registered ? range_text : "not registered")};
  const int rows = std::max({parts[0].rows, parts[1].rows, parts[2].rows});
  for (cv::Mat& part : parts) {
    if (part.rows < rows) cv::copyMakeBorder(part, part, 0, rows - part.rows, 0, 0, cv::BORDER_CONSTANT, cv::Scalar(25, 25, 25));
    cv::copyMakeBorder(part, part, 0, 0, 0, 6, cv::BORDER_CONSTANT, cv::Scalar(25, 25, 25));
  }
  cv::Mat canvas;
  cv::hconcat(parts, canvas);
  // The canvas is continuous 8-bit RGB (made by resize / hconcat): encoded as it is, without a copy.
  return to_bytes(encode_png(canvas.data, canvas.cols, canvas.rows, 3, 8, "comparison overlay"));
}

void write_comparison_overlay(const HeightMap& baseline, const ScarInventory& baseline_scars, const HeightMap& followup,
                              const ScarInventory& followup_scars, const VisitComparison& comparison,
                              const std::filesystem::path& path) {
  const Bytes png = comparison_overlay_png(baseline, baseline_scars, followup, followup_scars, comparison);
  formats::write_file_bytes(path, as_chars(png));
}

}  // namespace scarscope
